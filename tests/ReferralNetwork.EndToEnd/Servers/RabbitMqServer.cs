using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using ReferralNetwork.EndToEnd.Processes;

namespace ReferralNetwork.EndToEnd.Servers;

/// <summary>
/// A throwaway RabbitMQ node started from Debian's rabbitmq-server: a node name of its own, AMQP,
/// distribution and epmd ports picked free on 127.0.0.1, and its data, logs, config and Erlang
/// cookie in one temp folder, so it never meets the system broker or another test's node. Its epmd
/// is started by us as well and lives as long as this object, as a machine's epmd outlives a crashed
/// broker. Everything is removed on dispose.
/// </summary>
public sealed class RabbitMqServer : ManagedProcess
{
    private const string DebianServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private readonly string _serverScript;
    private readonly string _epmdBinary;
    private readonly ThrowawayFolder _folder;
    private readonly string _rootDirectory;
    private EpmdProcess? _epmd;

    private RabbitMqServer(string serverScript, string epmdBinary, ThrowawayFolder folder)
        : base(Path.Combine(folder.Path, "node.out"))
    {
        _serverScript = serverScript;
        _epmdBinary = epmdBinary;
        _folder = folder;
        _rootDirectory = _folder.Path;
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

    /// <summary>The node's own log; its start script's output goes to <see cref="ManagedProcess.OutputPath"/>.</summary>
    public override string LogPath => Path.Combine(_rootDirectory, "log", $"{NodeName}.log");

    public override string Description =>
        $"RabbitMQ node {NodeName} (AMQP {Host}:{Port}, distribution {DistributionPort}, epmd {EpmdPort})";

    protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(120);

    public static async Task<RabbitMqServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var (serverScript, epmd) = FindBinaries();
        var server = new RabbitMqServer(serverScript, epmd, ThrowawayFolder.Create("rn-rabbitmq"));
        try
        {
            server.WriteConfiguration();
            await server.StartOnFreePortsAsync(server.StartEpmdOnFreePortsAsync, cancellationToken);
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
        ClientProvidedName = "ReferralNetwork.EndToEnd",
    };

    /// <summary>
    /// A virtual host of its own for one platform under test, open to <see cref="Username"/>: platforms that share the node
    /// one after another never see each other's queues, nor consume events another one left in them.
    /// </summary>
    public async Task<RabbitMqVirtualHost> CreateVirtualHostAsync(string name)
    {
        (await CtlAsync("add_vhost", name)).EnsureSucceeded();
        (await CtlAsync("set_permissions", "-p", name, Username, ".*", ".*", ".*")).EnsureSucceeded();
        return new RabbitMqVirtualHost(this, name);
    }

    /// <summary>
    /// <c>rabbitmqctl</c> against this node (its name, Erlang cookie and epmd port), as an operator runs it on the
    /// broker's machine, e.g. <c>list_queues</c> or <c>purge_queue</c>.
    /// </summary>
    public async Task<CommandResult> CtlAsync(params string[] arguments)
    {
        var ctl = Path.Combine(Path.GetDirectoryName(_serverScript)!, "rabbitmqctl");
        if (!LinuxProcesses.IsExecutable(ctl))
        {
            throw new ServerBinaryNotFoundException($"rabbitmqctl was not found beside {_serverScript}. {LinuxProcesses.InstallHint}");
        }

        return await CommandLine.RunAsync([ctl, "-n", NodeName, .. arguments], TimeSpan.FromMinutes(1), _rootDirectory, NodeEnvironment());
    }

    // A restart (StartAsync again) keeps the name, ports and data: durable queues and persistent messages
    // are back. A stop is SIGTERM, which the start script forwards to the Erlang VM and waits on; a kill
    // takes the script, the VM and its helpers, while epmd runs on, as a machine's epmd outlives a crash.
    protected override ProcessLaunch Launch() => new([_serverScript], _rootDirectory, NodeEnvironment());

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        var factory = CreateConnectionFactory();
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
        factory.AutomaticRecoveryEnabled = false;
        factory.ClientProvidedName = "ReferralNetwork.EndToEnd readiness probe";
        try
        {
            // The AMQP listener opens as the last boot step, so a real connection means the node is ready.
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            await connection.CloseAsync(cancellationToken);
            return true;
        }
        catch (BrokerUnreachableException e)
        {
            NotReadyBecause = e.InnerException?.Message ?? e.Message;
            return false;
        }
    }

    protected override bool SaysAddressInUse(string logs) => logs.Contains("eaddrinuse", StringComparison.Ordinal);

    protected override async ValueTask ReleaseResourcesAsync()
    {
        try
        {
            if (_epmd is not null)
            {
                await _epmd.DisposeAsync();
            }
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
        if (!LinuxProcesses.IsExecutable(serverScript))
        {
            throw new ServerBinaryNotFoundException(
                $"The RabbitMQ server script {serverScript} was not found (Debian package rabbitmq-server). {LinuxProcesses.InstallHint}");
        }

        var epmd = LinuxProcesses.FindOnPath("epmd")
            ?? throw new ServerBinaryNotFoundException($"epmd (Debian package erlang-base, a dependency of rabbitmq-server) was not found. {LinuxProcesses.InstallHint}");
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
        environment["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture);
        environment["ERL_EPMD_PORT"] = EpmdPort.ToString(CultureInfo.InvariantCulture);
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

    /// <summary>Picks the node's three ports and starts its epmd on one of them, anew for each try of a first start.</summary>
    private async Task StartEpmdOnFreePortsAsync(CancellationToken cancellationToken)
    {
        if (_epmd is not null)
        {
            await _epmd.DisposeAsync();
        }

        var ports = FreePorts.OnLoopback(3);
        (Port, DistributionPort, EpmdPort) = (ports[0], ports[1], ports[2]);
        _epmd = new EpmdProcess(_epmdBinary, Host, EpmdPort, _rootDirectory);
        await _epmd.StartAsync(cancellationToken);
    }

    /// <summary>The Erlang port mapper the node registers with, on a port of its own.</summary>
    private sealed class EpmdProcess(string binary, string host, int port, string folder)
        : ManagedProcess(Path.Combine(folder, "epmd.out"))
    {
        public override string Description => $"epmd on {host}:{port}";

        protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(10);

        protected override TimeSpan ReadinessPollInterval => TimeSpan.FromMilliseconds(20);

        protected override ProcessLaunch Launch() =>
            new([binary, "-port", port.ToString(CultureInfo.InvariantCulture), "-address", host], folder);

        protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port, cancellationToken);
                return true;
            }
            catch (SocketException e)
            {
                NotReadyBecause = e.Message;
                return false;
            }
        }

        // epmd says little more than that it exited; a port taken in the meantime is by far the likeliest cause.
        protected override bool SaysAddressInUse(string logs) => true;
    }
}

/// <summary>A virtual host on a node under test, as a platform's <c>RabbitMq</c> settings name it.</summary>
public sealed record RabbitMqVirtualHost(RabbitMqServer Server, string Name);
