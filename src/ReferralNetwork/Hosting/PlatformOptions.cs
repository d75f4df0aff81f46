namespace ReferralNetwork.Hosting;

public enum PlatformProfile
{
    /// <summary>One process: SQLite under <see cref="PlatformOptions.DataPath"/>, in-memory bus, demo seed.</summary>
    Embedded,

    /// <summary>Several silos on PostgreSQL and RabbitMQ.</summary>
    Production,
}

/// <summary>The <c>ReferralNetwork</c> configuration section (kept out of <c>Orleans:</c>, which Orleans reads itself).</summary>
public sealed class PlatformOptions
{
    public const string Section = "ReferralNetwork";

    public PlatformProfile Profile { get; set; } = PlatformProfile.Embedded;

    /// <summary>Folder of the embedded profile's databases and development keys; created on first start.</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>
    /// Seeds the demo countries, organizations and OAuth clients (development only). Unset means: yes in the
    /// embedded profile, no in production, where setting it to true is refused.
    /// </summary>
    public bool? SeedDemoData { get; set; }

    public bool SeedsDemoData => SeedDemoData ?? Profile == PlatformProfile.Embedded;

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest request target (path and query) accepted, in characters; longer gets a 414 problem.</summary>
    public int MaxUrlLength { get; set; } = 8 * 1024;

    /// <summary>Largest total of request headers (names and values) accepted, in bytes; more gets a 431 problem.</summary>
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Most request headers accepted; more gets a 431 problem.</summary>
    public int MaxHeaderCount { get; set; } = 100;

    public string FullDataPath => Path.GetFullPath(DataPath);

    public string GrainsConnectionString(IConfiguration configuration) =>
        Profile == PlatformProfile.Embedded
            ? $"Data Source={Path.Combine(FullDataPath, "grains.db")};Default Timeout=30"
            : Required(configuration, "Orleans");

    public string PlatformConnectionString(IConfiguration configuration) =>
        Profile == PlatformProfile.Embedded
            ? $"Data Source={Path.Combine(FullDataPath, "platform.db")};Default Timeout=30"
            : Required(configuration, "Platform");

    /// <summary>
    /// Empty when unset: the production checks, which run once every feature is added and before anything opens a
    /// connection, refuse that configuration naming every missing setting at once.
    /// </summary>
    private static string Required(IConfiguration configuration, string name) => configuration.GetConnectionString(name) ?? "";

    public static PlatformOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<PlatformOptions>() ?? new PlatformOptions();
}
