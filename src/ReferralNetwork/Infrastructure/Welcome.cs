using ReferralNetwork.Identity;

namespace ReferralNetwork.Infrastructure;

/// <summary>Tells whoever started the platform where to go.</summary>
internal static class Welcome
{
    public static void Print(WebApplication app, PlatformOptions platform)
    {
        var address = app.Urls.FirstOrDefault() ?? "http://localhost:5080";
        Console.WriteLine($"""

            ReferralNetwork is running ({Where(app, platform)})
              Swagger UI      {address}/swagger
              Token endpoint  {address}/connect/token
              Readiness       {address}/health/ready
            """);
        if (platform.SeedsDemoData)
        {
            Console.WriteLine($"""
                  Demo clients    client id = organization id (th-focal-point, vn-focal-point, th-shelter-bangkok, …),
                                  secret "{DemoClients.DemoSecret}" (development only)

                """);
        }
    }

    private static string Where(WebApplication app, PlatformOptions platform)
    {
        if (platform.Profile == PlatformProfile.Embedded)
        {
            return $"embedded profile, data in {platform.FullDataPath}";
        }

        var silo = app.Services.GetRequiredService<ILocalSiloDetails>();
        var cluster = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::Orleans.Configuration.ClusterOptions>>().Value;
        return $"production profile, silo {silo.SiloAddress.Endpoint} of cluster {cluster.ClusterId}";
    }
}
