using ReferralNetwork.Identity;

namespace ReferralNetwork.Infrastructure;

/// <summary>Tells whoever started the platform where to go.</summary>
internal static class Welcome
{
    public static void Print(WebApplication app, PlatformOptions platform)
    {
        var address = app.Urls.FirstOrDefault() ?? "http://localhost:5080";
        Console.WriteLine($"""

            ReferralNetwork is running ({platform.Profile} profile, data in {platform.FullDataPath})
              Swagger UI      {address}/swagger
              Token endpoint  {address}/connect/token
              Readiness       {address}/health/ready
            """);
        if (platform.SeedDemoData)
        {
            Console.WriteLine($"""
                  Demo clients    client id = organization id (th-focal-point, vn-focal-point, th-shelter-bangkok, …),
                                  secret "{DemoClients.DemoSecret}" (development only)

                """);
        }
    }
}
