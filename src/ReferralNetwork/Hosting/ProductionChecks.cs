using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Hosting;

/// <summary>
/// What the production profile refuses to run with (features add their own checks). Every silo and the migration job check the same
/// configuration before anything starts, so a Helm install with a mistake fails in its migration hook,
/// before any silo is replaced.
/// </summary>
public static class ProductionChecks
{
    /// <summary>The reasons the configuration is unfit for production; empty when it is fit (or the profile is embedded).</summary>
    public static IReadOnlyList<string> Refusals(IConfiguration configuration, PlatformOptions platform, PlatformFeatures features)
    {
        if (platform.Profile != PlatformProfile.Production)
        {
            return [];
        }

        var refusals = new List<string>();
        if (platform.SeedDemoData == true)
        {
            refusals.Add(
                $"{PlatformOptions.Section}:SeedDemoData is true: the demo organizations and their OAuth clients (whose secret is " +
                "published in the README) must never exist in production. Remove the setting; production seeds nothing.");
        }

        foreach (var name in new[] { "Orleans", "Platform" })
        {
            if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(name)))
            {
                refusals.Add($"ConnectionStrings:{name} is not set: the production profile keeps {(name == "Orleans" ? "cluster membership, grain state and reminders" : "read models and the identity store")} in PostgreSQL.");
            }
        }

        if (configuration[$"{ClusterSettings.Section}:{nameof(ClusterSettings.AdvertisedIPAddress)}"] is { Length: > 0 } advertised && !System.Net.IPAddress.TryParse(advertised, out _))
        {
            refusals.Add($"{ClusterSettings.Section}:{nameof(ClusterSettings.AdvertisedIPAddress)} is '{advertised}', which is not an IP address.");
        }

        refusals.AddRange(StorageProtection.ProductionRefusals(configuration));
        refusals.AddRange(features.ProductionRefusals(configuration));
        return refusals;
    }

    /// <summary>Throws <see cref="StartupRefusedException"/> naming every problem at once, so one attempt shows all there is to fix.</summary>
    public static void ThrowIfUnfit(IConfiguration configuration, PlatformOptions platform, PlatformFeatures features)
    {
        if (Refusals(configuration, platform, features) is { Count: > 0 } refusals)
        {
            throw new StartupRefusedException(
                "ReferralNetwork refuses to start: the production profile (ReferralNetwork:Profile=production) is not configured for production.",
                refusals,
                "Settings come from environment variables (Section__Key), appsettings.json or the command line; see the README.");
        }
    }
}
