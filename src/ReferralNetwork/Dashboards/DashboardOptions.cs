using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Dashboards;

/// <summary>The <c>Dashboards</c> configuration section.</summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboards";

    /// <summary>Counts from 1 to Threshold − 1 are never published (CTDC practice: 10).</summary>
    public int Threshold { get; set; } = SmallCellProtection.DefaultThreshold;

    /// <summary>Every combination of quasi-identifiers in the case export occurs at least this many times (CTDC: 11).</summary>
    public int ExportK { get; set; } = KAnonymizer.DefaultK;

    /// <summary>
    /// How long a protected table family is served before it is computed again from the read model (in the background,
    /// the older one served meanwhile). Protection is a search over the whole year's tables, up to seconds of CPU per
    /// table; zero computes every request afresh (tests).
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (Threshold < 2)
        {
            throw new InvalidOperationException($"{Section}:Threshold must be at least 2.");
        }

        if (ExportK < 2)
        {
            throw new InvalidOperationException($"{Section}:ExportK must be at least 2.");
        }
    }
}
