using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ReferralNetwork.EndToEnd.Servers;

/// <summary>
/// A throwaway RabbitMQ node started from Debian's rabbitmq-server: a node name of its own, AMQP,
/// distribution and epmd ports picked free on 127.0.0.1, and its data, logs, config and Erlang
/// cookie in one temp folder, so it never meets the system broker or another test's node. Its epmd
/// is started by us as well and lives as long as this object, as a machine's epmd outlives a crashed
/// broker. Everything is removed on dispose.
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable
{
    private const string DebianServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly string _serverScript;
    private readonly string _epmd;
    private readonly ServerFolder _folder;
    private readonly string _rootDirectory;
    private readonly string _outputPath;
    private ServerProcess? _node;
    private ServerProcess? _epmdProcess;
    private bool _disposed;

    private RabbitMqServer(string serverScript, string epmd)
    {
        _serverScript = serverScript;
        _epmd = epmd;
        _folder = ServerFolder.Create("rn-rabbitmq");
        _rootDirectory = _folder.Path;
        _outputPath = Path.Combine(_rootDirectory, "node.out");
        NodeName = $"rn-test-{Guid.NewGuid().ToString("N")[..12]}@localhost";
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
    }

    public string Host => "127.0.0.1";

    /// <summary>The AMQP port.</summary>
    public int Port { get; private set; }

    public string Username => "referral";

    public string Password { get; }

    public string VirtualHost => "/";

    public string NodeName { get; }

    public int DistributionPort { get; private set; }

    public int EpmdPort { get; private set; }

    public string LogPath => Path.Combine(_rootDirectory, "log", $"{NodeName}.log");

    public bool IsRunning => _node is { HasExited: false };

    /// <summary>From launching the node until it accepted an AMQP connection, for the last start.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    public static async Task<RabbitMqServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var (serverScript, epmd) = FindBinaries();
        var server = new RabbitMqServer(serverScript, epmd);
        try
        {
            server.WriteConfiguration();
            await server.StartOnFreePortsAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public ConnectionFactory CreateConnectionFactory() => new()
    {
        HostName = Host,
        Port = Port,
        UserName = Username,
        Password = Password,
        VirtualHost = VirtualHost,
        ClientProvidedName = "ReferralNetwork.Tests",
    };

    /// <summary>Starts the node again with the same name, ports and data: durable queues and persistent messages are back.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            return;
        }

        var outputOffset = ServerProcesses.LogLength(_outputPath);
        var logOffset = ServerProcesses.LogLength(LogPath);
        var started = Stopwatch.StartNew();
        _node = ServerProcess.Start([_serverScript], _outputPath, _rootDirectory, NodeEnvironment());
        try
        {
            await WaitUntilAcceptingAsync(cancellationToken);
        }
        catch (Exception e)
        {
            await KillAsync();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var output = ServerProcesses.ReadLog(_outputPath, outputOffset, maxChars: 4000);
            var log = ServerProcesses.ReadLog(LogPath, logOffset);
            throw new RabbitMqStartException(
                $"RabbitMQ node {NodeName} (AMQP 127.0.0.1:{Port}, distribution {DistributionPort}, epmd {EpmdPort}) did not accept connections: {e.Message}\n" +
                $"--- output ({_outputPath}) ---\n{output}\n--- node log ({LogPath}) ---\n{log}",
                portInUse: output.Contains("eaddrinuse", StringComparison.Ordinal) || log.Contains("eaddrinuse", StringComparison.Ordinal),
                e);
        }

        LastStartDuration = started.Elapsed;
    }

    /// <summary>A clean shutdown (SIGTERM), as a service manager does it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_node is null)
        {
            return;
        }

        if (!_node.HasExited)
        {
            // The start script forwards SIGTERM to the Erlang VM and waits for it.
            _node.Signal(ServerProcesses.SigTerm);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StopTimeout);
            try
            {
                await _node.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await KillAsync();
                throw new TimeoutException($"RabbitMQ did not shut down within {StopTimeout.TotalSeconds:0} s; it was killed.\n{ServerProcesses.ReadLog(LogPath)}");
            }
        }

        _node.Dispose();
        _node = null;
    }

    /// <summary>SIGKILL of the start script, the Erlang VM and its helpers at once: a crash. Its epmd keeps running.</summary>
    public async Task KillAsync()
    {
        if (_node is null)
        {
            return;
        }

        if (!_node.HasExited)
        {
            await _node.KillGroupAsync(TimeSpan.FromSeconds(30));
        }

        _node.Dispose();
        _node = null;
    }

    public string ReadLog() => ServerProcesses.ReadLog(LogPath);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // The data is thrown away, so there is nothing a clean shutdown would save.
            await KillAsync();
            await StopEpmdAsync();
        }
        finally
        {
            _folder.Dispose();
        }
    }

    private static (string ServerScript, string Epmd) FindBinaries()
    {
        // Debian's /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user and its
        // folders; the script behind it takes our environment as it is.
        var serverScript = Environment.GetEnvironmentVariable("RABBITMQ_SERVER_SCRIPT") is { Length: > 0 } configured
            ? configured
            : DebianServerScript;
        if (!ServerProcesses.IsExecutable(serverScript))
        {
            throw new ServerBinaryNotFoundException(
                $"The RabbitMQ server script {serverScript} was not found (Debian package rabbitmq-server). {ServerProcesses.InstallHint}");
        }

        var epmd = ServerProcesses.FindOnPath("epmd")
            ?? throw new ServerBinaryNotFoundException($"epmd (Debian package erlang-base, a dependency of rabbitmq-server) was not found. {ServerProcesses.InstallHint}");
        return (serverScript, epmd);
    }

    private void WriteConfiguration()
    {
        var home = Path.Combine(_rootDirectory, "home");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(Path.Combine(_rootDirectory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(_rootDirectory, "log"));

        // The Erlang cookie must be private to its owner or the VM refuses it.
        var cookie = Path.Combine(home, ".erlang.cookie");
        File.WriteAllText(cookie, Convert.ToHexString(RandomNumberGenerator.GetBytes(20)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }

        File.WriteAllText(Path.Combine(_rootDirectory, "rabbitmq.conf"), $"""
            default_user = {Username}
            default_pass = {Password}
            default_vhost = {VirtualHost}
            default_user_tags.administrator = true
            log.console = false
            log.file.level = info
            # Machines here have once had a few hundred MB of disk free; the default 50MB alarm would block publishers.
            disk_free_limit.absolute = 10MB
            """);
        File.WriteAllText(Path.Combine(_rootDirectory, "rabbitmq-env.conf"), "# Keeps /etc/rabbitmq/rabbitmq-env.conf out.\n");
        File.WriteAllText(Path.Combine(_rootDirectory, "enabled_plugins"), "[].\n");
    }

    private Dictionary<string, string?> NodeEnvironment()
    {
        var environment = new Dictionary<string, string?>();

        // Nothing of a developer's own broker settings may leak in.
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("RABBITMQ_", StringComparison.Ordinal) || name.StartsWith("ERL_", StringComparison.Ordinal))
            {
                environment[name] = null;
            }
        }

        // Under systemd the script would exec the VM directly and expect a unit to stop it.
        environment["NOTIFY_SOCKET"] = null;
        environment["HOME"] = Path.Combine(_rootDirectory, "home");
        environment["RABBITMQ_NODENAME"] = NodeName;
        environment["RABBITMQ_USE_LONGNAME"] = "false";
        environment["RABBITMQ_NODE_IP_ADDRESS"] = Host;
        environment["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["ERL_EPMD_PORT"] = EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["ERL_EPMD_ADDRESS"] = Host;
        environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_rootDirectory, "mnesia");
        environment["RABBITMQ_LOG_BASE"] = Path.Combine(_rootDirectory, "log");
        environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_rootDirectory, "rabbitmq.conf");
        environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_rootDirectory, "advanced.config");
        environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_rootDirectory, "rabbitmq-env.conf");
        environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_rootDirectory, "enabled_plugins");
        environment["RABBITMQ_PID_FILE"] = Path.Combine(_rootDirectory, "rabbitmq.pid");
        // Inter-node distribution listens on loopback only, like everything else here.
        environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        environment["ERL_CRASH_DUMP"] = Path.Combine(_rootDirectory, "erl_crash.dump");
        return environment;
    }

    private async Task StartOnFreePortsAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts.OnLoopback(3);
            (Port, DistributionPort, EpmdPort) = (ports[0], ports[1], ports[2]);
            try
            {
                await StartEpmdAsync(cancellationToken);
                await StartAsync(cancellationToken);
                return;
            }
            catch (RabbitMqStartException e) when (e.PortInUse && attempt < 3)
            {
                // Another process took a port between our probe and the bind.
                await StopEpmdAsync();
            }
        }
    }

    private async Task StartEpmdAsync(CancellationToken cancellationToken)
    {
        var epmdLog = Path.Combine(_rootDirectory, "epmd.out");
        var logOffset = ServerProcesses.LogLength(epmdLog);
        _epmdProcess = ServerProcess.Start(
            [_epmd, "-port", EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-address", Host],
            epmdLog,
            _rootDirectory);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_epmdProcess.HasExited)
            {
                var output = ServerProcesses.ReadLog(epmdLog, logOffset);
                throw new RabbitMqStartException(
                    $"epmd on 127.0.0.1:{EpmdPort} exited with code {_epmdProcess.ExitCode}: {output}",
                    portInUse: true,
                    new InvalidOperationException(output));
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Host, EpmdPort, cancellationToken);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private async Task StopEpmdAsync()
    {
        if (_epmdProcess is null)
        {
            return;
        }

        if (!_epmdProcess.HasExited)
        {
            await _epmdProcess.KillGroupAsync(TimeSpan.FromSeconds(10));
        }

        _epmdProcess.Dispose();
        _epmdProcess = null;
    }

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var factory = CreateConnectionFactory();
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
        factory.AutomaticRecoveryEnabled = false;
        factory.ClientProvidedName = "ReferralNetwork.Tests readiness probe";
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_node!.HasExited)
            {
                throw new InvalidOperationException($"the node exited with code {_node.ExitCode}");
            }

            try
            {
                // The AMQP listener opens as the last boot step, so a real connection means the node is ready.
                await using var connection = await factory.CreateConnectionAsync(cancellationToken);
                await connection.CloseAsync(cancellationToken);
                return;
            }
            catch (BrokerUnreachableException) when (deadline.Elapsed < StartTimeout)
            {
                // Still booting.
            }
            catch (BrokerUnreachableException e)
            {
                throw new TimeoutException($"not ready after {StartTimeout.TotalSeconds:0} s (last error: {e.InnerException?.Message ?? e.Message})", e);
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}

public sealed class RabbitMqStartException(string message, bool portInUse, Exception inner) : Exception(message, inner)
{
    public bool PortInUse { get; } = portInUse;
}
