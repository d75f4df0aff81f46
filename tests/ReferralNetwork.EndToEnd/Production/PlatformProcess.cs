using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ReferralNetwork.EndToEnd.Servers;

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
            : ServerProcesses.FindOnPath("dotnet") ?? throw new InvalidOperationException("The dotnet host was not found on PATH.");

    /// <summary>Runs a command (<c>migrate</c>, <c>import-directory</c>) to completion; answers its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo(Dotnet)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        ApplyEnvironment(start.Environment, settings);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the platform.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`dotnet ReferralNetwork.dll {string.Join(' ', arguments)}` did not exit within 2 minutes:\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, new StringBuilder().Append(await stdout).Append(await stderr).ToString());
    }

    /// <summary>
    /// A clean environment for the platform: nothing of the test runner's own ASP.NET Core or .NET settings
    /// (a developer's ASPNETCORE_ENVIRONMENT, say) leaks in; then <paramref name="settings"/>.
    /// </summary>
    public static void ApplyEnvironment(IDictionary<string, string?> environment, IReadOnlyDictionary<string, string?> settings)
    {
        foreach (var name in environment.Keys.Where(IsPlatformSetting).ToList())
        {
            environment.Remove(name);
        }

        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }
    }

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
        || name.StartsWith("Cluster__", StringComparison.Ordinal) || name.StartsWith("RabbitMq__", StringComparison.Ordinal)
        || name.StartsWith("Orleans__", StringComparison.Ordinal);
}

/// <summary>One silo: the platform as a long-running process with its own HTTP, silo and gateway ports on loopback.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private ServerProcess? _process;

    public SiloProcess(string name, IReadOnlyDictionary<string, string?> settings, string logFolder)
    {
        Name = name;
        (HttpPort, SiloPort, GatewayPort) = Ports();
        LogPath = System.IO.Path.Combine(logFolder, $"{name}.log");
        _settings = new Dictionary<string, string?>(settings)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}",
            ["Cluster__SiloPort"] = SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster__GatewayPort"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster__AdvertisedIPAddress"] = "127.0.0.1",
        };
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string LogPath { get; }

    /// <summary>An anonymous client of this silo's API; callers add their own Authorization header per request.</summary>
    public HttpClient Http { get; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Starts the process (again, on the same ports) and waits until /health/ready answers Healthy.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var logOffset = ServerProcesses.LogLength(LogPath);
        _process?.Dispose();
        _process = ServerProcess.Start(
            [PlatformExecutable.Dotnet, PlatformExecutable.Path], LogPath, PlatformExecutable.Folder, PlatformExecutable.CleanEnvironment(_settings));
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Silo {Name} exited with code {_process.ExitCode} while starting:\n{ServerProcesses.ReadLog(LogPath, logOffset)}");
            }

            if (await ReadinessAsync() == "Healthy")
            {
                LastStartDuration = started.Elapsed;
                return;
            }

            if (started.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"Silo {Name} was not ready within {StartTimeout.TotalSeconds:0} s:\n{ServerProcesses.ReadLog(LogPath, logOffset)}");
            }

            await Task.Delay(200);
        }
    }

    public TimeSpan LastStartDuration { get; private set; }

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

    /// <summary>kill -9: no shutdown, no leaving the cluster; the others must find out for themselves.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            await _process.KillGroupAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the silo leaves the cluster and hands its grains over.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Signal(ServerProcesses.SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }
    }

    public string ReadLog() => ServerProcesses.ReadLog(LogPath);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Http.Dispose();
    }

    private static (int, int, int) Ports()
    {
        var ports = FreePorts.OnLoopback(3);
        return (ports[0], ports[1], ports[2]);
    }
}
