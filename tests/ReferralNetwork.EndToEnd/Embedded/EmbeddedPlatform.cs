namespace ReferralNetwork.EndToEnd.Embedded;

/// <summary>The embedded profile as a process of its own on a data folder: the settings its end-to-end tests run it with.</summary>
public static class EmbeddedPlatform
{
    /// <summary>The demo OAuth clients' secret, which Development seeds.</summary>
    public const string DemoSecret = "demo-secret";

    // Fixed, so that tokens issued before a restart are accepted after it (the signing keys stay in the data folder).
    public const string Issuer = "http://referrals.embedded.test/";

    /// <param name="clusterPrefix">Names the test in the cluster id, which each run makes unique.</param>
    public static Dictionary<string, string?> Settings(string dataPath, string clusterPrefix) => new()
    {
        // Development seeds the demo organizations and their OAuth clients (secret "demo-secret").
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["ReferralNetwork__Profile"] = "embedded",
        ["ReferralNetwork__DataPath"] = dataPath,
        ["Identity__Issuer"] = Issuer,
        ["Cluster__ClusterId"] = $"{clusterPrefix}-{Guid.NewGuid():N}"[..20],
        // The sweep period stays at its default (a minute, Orleans' shortest reminder): the sweep that matters
        // to these tests is the one at start, which runs right away.
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__ReferralNetwork"] = "Information",
    };
}
