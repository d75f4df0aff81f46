namespace ReferralNetwork.Hosting;

/// <summary>Tells whoever started the platform where to go.</summary>
internal static class Welcome
{
    public static void Print(WebApplication app, PlatformOptions platform)
    {
        var address = app.Urls.FirstOrDefault() ?? "http://localhost:5080";
        Console.WriteLine($"""

            ReferralNetwork is running ({Where(app, platform)})
              Web console     {address}/
              Swagger UI      {address}/swagger
              Token endpoint  {address}/connect/token
              Readiness       {address}/health/ready
            """);
        if (app.Services.GetService<OperatorsPort>()?.Address is { } operators)
        {
            Console.WriteLine($"  Metrics         {operators.GetLeftPart(UriPartial.Authority)}{TelemetryOptions.ScrapePath} (operators only: keep this port off the public network)");
        }

        if (platform.SeedsDemoData)
        {
            foreach (var note in app.Services.GetRequiredService<PlatformFeatures>().DemoNotes)
            {
                Console.WriteLine($"  {note}");
            }

            Console.WriteLine();
        }
    }

    private static string Where(WebApplication app, PlatformOptions platform)
    {
        if (platform.Profile == PlatformProfile.Embedded)
        {
            return $"embedded profile, data in {platform.FullDataPath}";
        }

        var silo = app.Services.GetRequiredService<ILocalSiloDetails>();
        var cluster = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value;
        return $"production profile, silo {silo.SiloAddress.Endpoint} of cluster {cluster.ClusterId}";
    }
}
