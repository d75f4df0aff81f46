using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.EndToEnd.Processes;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// The built platform (<c>ReferralNetwork.dll</c>, copied next to the test assembly by the project reference)
/// run the way the chart runs it: <c>dotnet ReferralNetwork.dll [command]</c> as an OS process of its own,
/// configured by environment variables only.
/// </summary>
public static class PlatformExecutable
{
    public static string Folder => AppContext.BaseDirectory;

    public static string Path => System.IO.Path.Combine(Folder, "ReferralNetwork.dll");

    /// <summary>The dotnet host that runs the tests (MSBuild and dotnet test name it), else the one on PATH.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : LinuxProcesses.FindOnPath("dotnet") ?? throw new InvalidOperationException("The dotnet host was not found on PATH.");

    /// <summary>Runs a command (<c>migrate</c>, <c>import-directory</c>) to completion; answers its exit code and output.</summary>
    public static Task<CommandResult> RunAsync(IReadOnlyDictionary<string, string?> settings, params string[] arguments) =>
        CommandLine.RunAsync([Dotnet, Path, .. arguments], TimeSpan.FromMinutes(2), Folder, CleanEnvironment(settings));

    /// <summary>
    /// A clean environment for the platform: nothing of the test runner's own ASP.NET Core or .NET settings
    /// (a developer's ASPNETCORE_ENVIRONMENT, say) leaks in; then <paramref name="settings"/>.
    /// </summary>
    public static Dictionary<string, string?> CleanEnvironment(IReadOnlyDictionary<string, string?> settings)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(IsPlatformSetting).ToDictionary(name => name, _ => (string?)null);
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static bool IsPlatformSetting(string name) =>
        name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || name.StartsWith("ReferralNetwork__", StringComparison.Ordinal)
        || name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || name.StartsWith("Identity__", StringComparison.Ordinal)
        || name.StartsWith("Protection__", StringComparison.Ordinal) || name.StartsWith("Residency__", StringComparison.Ordinal)
        || name.StartsWith("Cluster__", StringComparison.Ordinal) || name.StartsWith("RabbitMq__", StringComparison.Ordinal)
        || name.StartsWith("Orleans__", StringComparison.Ordinal);
}

/// <summary>One silo: the platform as a long-running process with its own HTTP, silo and gateway ports on loopback.</summary>
public sealed class SiloProcess : ManagedProcess
{
    private readonly Dictionary<string, string?> _settings;

    public SiloProcess(string name, IReadOnlyDictionary<string, string?> settings, string logFolder)
        : base(System.IO.Path.Combine(logFolder, $"{name}.log"))
    {
        Name = name;
        _settings = new Dictionary<string, string?>(settings);
        UseFreePorts();
    }

    public string Name { get; }

    public int HttpPort { get; private set; }

    public int SiloPort { get; private set; }

    public int GatewayPort { get; private set; }

    /// <summary>An anonymous client of this silo's API; callers add their own Authorization header per request.</summary>
    public HttpClient Http { get; private set; } = null!;

    public override string Description => $"Silo {Name} (HTTP {HttpPort}, silo {SiloPort}, gateway {GatewayPort})";

    // Ready means /health/ready answers Healthy. A stop is SIGTERM, as Kubernetes stops a pod: the silo
    // leaves the cluster and hands its grains over. A kill leaves the others to find out for themselves.
    protected override TimeSpan ReadinessPollInterval => TimeSpan.FromMilliseconds(200);

    /// <summary>The status /health/ready reports, or null while the process does not answer.</summary>
    public async Task<string?> ReadinessAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await Http.GetAsync("/health/ready", timeout.Token);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            return body.GetProperty("status").GetString();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    protected override ProcessLaunch Launch() =>
        new([PlatformExecutable.Dotnet, PlatformExecutable.Path], PlatformExecutable.Folder, PlatformExecutable.CleanEnvironment(_settings));

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        var status = await ReadinessAsync();
        NotReadyBecause = $"/health/ready: {status ?? "no answer"}";
        return status == "Healthy";
    }

    // Another process (a test's server, a browser) may take a port between its choice and the silo's bind.
    protected override bool SaysAddressInUse(string logs) => logs.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    protected override bool MoveToFreshPorts()
    {
        Http.Dispose();
        UseFreePorts();
        return true;
    }

    private void UseFreePorts()
    {
        var ports = FreePorts.OnLoopback(3);
        (HttpPort, SiloPort, GatewayPort) = (ports[0], ports[1], ports[2]);
        _settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}";
        _settings["Cluster__SiloPort"] = SiloPort.ToString(CultureInfo.InvariantCulture);
        _settings["Cluster__GatewayPort"] = GatewayPort.ToString(CultureInfo.InvariantCulture);
        _settings["Cluster__AdvertisedIPAddress"] = "127.0.0.1";
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    protected override ValueTask ReleaseResourcesAsync()
    {
        Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
