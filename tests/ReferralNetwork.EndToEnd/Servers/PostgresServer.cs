using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using ReferralNetwork.EndToEnd.Processes;

namespace ReferralNetwork.EndToEnd.Servers;

/// <summary>
/// A throwaway PostgreSQL server started from the machine's binaries: its own data folder under
/// the temp folder, a free port on 127.0.0.1 only, its unix socket inside that folder. The
/// postmaster is a child of the test process (run as the <c>postgres</c> OS user when the tests run
/// as root, since PostgreSQL refuses root) and is removed, data and all, on dispose.
/// </summary>
public sealed class PostgresServer : ManagedProcess
{
    private const string OsUser = "postgres";

    private readonly string _binDirectory;
    private readonly ThrowawayFolder _folder;
    private readonly string _rootDirectory;
    private readonly string _socketDirectory;
    private readonly ConcurrentDictionary<string, string> _connectionStrings = new();

    private PostgresServer(string binDirectory, ThrowawayFolder folder)
        : base(Path.Combine(folder.Path, "server.log"))
    {
        _binDirectory = binDirectory;
        _folder = folder;
        _rootDirectory = _folder.Path;
        _socketDirectory = Path.Combine(_rootDirectory, "socket");
        DataDirectory = Path.Combine(_rootDirectory, "data");
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string Username => "postgres";

    public string Password { get; }

    public string DataDirectory { get; }

    public TimeSpan InitDbDuration { get; private set; }

    public override string Description => $"PostgreSQL on {Host}:{Port}";

    // Fast shutdown: open transactions roll back, clients are disconnected, a checkpoint is written.
    protected override int StopSignal => LinuxProcesses.SigInt;

    // Dialing before postmaster.pid says ready only fills the log with "the database system is starting up".
    protected override TimeSpan ReadinessPollInterval => TimeSpan.FromMilliseconds(20);

    /// <summary>Creates the data folder with initdb and starts the server on a free port.</summary>
    public static async Task<PostgresServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = await FindBinDirectoryAsync(cancellationToken);
        var server = new PostgresServer(binDirectory, ThrowawayFolder.Create("rn-pg"));
        try
        {
            await server.InitDbAsync(cancellationToken);
            server.MoveToFreshPorts();
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionString(string database = "postgres") =>
        _connectionStrings.GetOrAdd(database, name => new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = Username,
            Password = Password,
            Database = name,
        }.ConnectionString);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>
    /// The database as <c>pg_dump</c> of this server's own binaries writes it, in plain SQL (COPY data, bytea as hex):
    /// what an operator's backup of it holds. Run over the private socket, as the server's OS user when the tests run
    /// as root; the dump is written inside the server's folder, which that user owns, read, then deleted.
    /// </summary>
    public async Task<byte[]> DumpAsync(string database, CancellationToken cancellationToken = default)
    {
        var pgDump = Path.Combine(_binDirectory, "pg_dump");
        if (!LinuxProcesses.IsExecutable(pgDump))
        {
            throw new ServerBinaryNotFoundException($"pg_dump was not found beside the server's binaries ({_binDirectory}). {LinuxProcesses.InstallHint}");
        }

        var file = Path.Combine(_rootDirectory, $"dump-{Guid.NewGuid():N}.sql");
        try
        {
            string[] dump = AsServerUser(
            [
                pgDump,
                "--host", _socketDirectory,
                "--port", Port.ToString(CultureInfo.InvariantCulture),
                "--username", Username,
                "--no-password",
                "--format", "plain",
                "--file", file,
                database,
            ]);
            (await CommandLine.RunAsync(dump, TimeSpan.FromMinutes(2), environment: new Dictionary<string, string?> { ["LC_ALL"] = "C.UTF-8" }, cancellationToken: cancellationToken))
                .EnsureSucceeded();
            return await File.ReadAllBytesAsync(file, cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// A client tool of this server's own version (<c>pg_dump</c>, <c>pg_restore</c>, <c>psql</c>) run as an operator
    /// runs it from another machine: over TCP, with PGHOST, PGPORT, PGUSER and PGPASSWORD in its environment.
    /// </summary>
    public Task<CommandResult> RunClientAsync(string tool, IEnumerable<string> arguments, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var binary = Path.Combine(_binDirectory, tool);
        if (!LinuxProcesses.IsExecutable(binary))
        {
            throw new ServerBinaryNotFoundException($"{tool} was not found beside the server's binaries ({_binDirectory}). {LinuxProcesses.InstallHint}");
        }

        return CommandLine.RunAsync(
            [binary, .. arguments],
            TimeSpan.FromMinutes(5),
            workingDirectory,
            new Dictionary<string, string?>
            {
                ["PGHOST"] = Host,
                ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
                ["PGUSER"] = Username,
                ["PGPASSWORD"] = Password,
                ["PGDATABASE"] = null,
                ["PGSERVICE"] = null,
                ["LC_ALL"] = "C.UTF-8",
            },
            cancellationToken);
    }

    protected override ProcessLaunch Launch() =>
        new(AsServerUser([Path.Combine(_binDirectory, "postgres"), .. ServerArguments()]), _rootDirectory);

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        if (!PostmasterSaysReady())
        {
            NotReadyBecause = "postmaster.pid does not say ready";
            return false;
        }

        var probe = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false, Timeout = 5 }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(probe);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Not listening yet, or "the database system is starting up" while it replays the WAL.
            NotReadyBecause = e.Message;
            return false;
        }
    }

    protected override bool MoveToFreshPorts()
    {
        Port = FreePorts.OnLoopback(1)[0];
        _connectionStrings.Clear();
        return true;
    }

    protected override bool SaysAddressInUse(string logs) => logs.Contains("could not bind", StringComparison.Ordinal);

    protected override void OnGone()
    {
        // Pooled connections to the old postmaster are dead; drop them so the next open dials anew.
        foreach (var connectionString in _connectionStrings.Values)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    protected override ValueTask ReleaseResourcesAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<string> FindBinDirectoryAsync(CancellationToken cancellationToken)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BINDIR") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        if (LinuxProcesses.FindOnPath("pg_config") is { } pgConfig)
        {
            var bindir = await CommandLine.RunAsync([pgConfig, "--bindir"], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
            if (bindir.ExitCode == 0)
            {
                candidates.Add(bindir.Output.Trim());
            }
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            // Debian's layout; prefer the newest major version installed.
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(folder => int.TryParse(Path.GetFileName(folder), out var major) ? major : 0)
                .Select(folder => Path.Combine(folder, "bin")));
        }

        if (LinuxProcesses.FindOnPath("initdb") is { } initdb)
        {
            candidates.Add(Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb)!);
        }

        var found = candidates.FirstOrDefault(folder =>
            LinuxProcesses.IsExecutable(Path.Combine(folder, "initdb")) && LinuxProcesses.IsExecutable(Path.Combine(folder, "postgres")));
        if (found is null)
        {
            throw new ServerBinaryNotFoundException(
                $"PostgreSQL server binaries (initdb, postgres) were not found (looked in: {string.Join(", ", candidates.DefaultIfEmpty("PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin, PATH"))}). {LinuxProcesses.InstallHint}");
        }

        if (LinuxProcesses.IsRoot && LinuxProcesses.FindOnPath("setpriv") is null)
        {
            throw new ServerBinaryNotFoundException("Running as root, PostgreSQL must be started as another user, which needs setpriv (Debian package util-linux).");
        }

        return found;
    }

    private async Task InitDbAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        Directory.CreateDirectory(_socketDirectory);
        var passwordFile = Path.Combine(_rootDirectory, "password");
        await File.WriteAllTextAsync(passwordFile, Password, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_rootDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (LinuxProcesses.IsRoot)
        {
            (await CommandLine.RunAsync(["chown", "-R", $"{OsUser}:{OsUser}", _rootDirectory], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken))
                .EnsureSucceeded($"does the {OsUser} user exist?");
        }

        string[] initdb = AsServerUser(
        [
            Path.Combine(_binDirectory, "initdb"),
            "--pgdata", DataDirectory,
            "--username", Username,
            "--pwfile", passwordFile,
            // Password authentication over TCP, as the application uses it; trust only on the private socket.
            "--auth-host", "scram-sha-256",
            "--auth-local", "trust",
            "--encoding", "UTF8",
            "--no-locale",
            // Durability of the cluster files against a power cut does not matter for a throwaway server;
            // fsync of the running server stays on.
            "--no-sync",
            "--no-instructions",
        ]);
        var result = await CommandLine.RunAsync(
            initdb,
            TimeSpan.FromMinutes(2),
            environment: new Dictionary<string, string?> { ["LC_ALL"] = "C.UTF-8", ["TZ"] = "UTC" },
            cancellationToken: cancellationToken);
        File.Delete(passwordFile);
        result.EnsureSucceeded();

        InitDbDuration = started.Elapsed;
    }

    private IEnumerable<string> ServerArguments()
    {
        string[] settings =
        [
            $"port={Port}",
            "listen_addresses=127.0.0.1",
            $"unix_socket_directories={_socketDirectory}",
            // Several test hosts (silos, web factories) each keep a pool of connections.
            "max_connections=200",
            "shared_buffers=64MB",
            // fsync and synchronous_commit keep their defaults (on): crash tests rely on them.
            "fsync=on",
            "synchronous_commit=on",
            // JIT compilation costs more CPU than test-sized queries ever save.
            "jit=off",
            "huge_pages=off",
            "timezone=UTC",
            "log_timezone=UTC",
            "logging_collector=off",
            "log_min_messages=warning",
            "log_connections=off",
            // After a crash PostgreSQL fsyncs every file of the data folder before replaying the WAL;
            // one syncfs() of the file system does the same job in a fraction of the time.
            "recovery_init_sync_method=syncfs",
        ];
        yield return "-D";
        yield return DataDirectory;
        foreach (var setting in settings)
        {
            yield return "-c";
            yield return setting;
        }
    }

    /// <summary>The status line of postmaster.pid, which pg_ctl waits on too.</summary>
    private bool PostmasterSaysReady()
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(DataDirectory, "postmaster.pid"));
            return lines.Length > 7
                && lines[0].Trim() == ProcessId?.ToString(CultureInfo.InvariantCulture)
                && lines[7].Trim() == "ready";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string[] AsServerUser(string[] command) =>
        LinuxProcesses.IsRoot
            ? [LinuxProcesses.FindOnPath("setpriv")!, $"--reuid={OsUser}", $"--regid={OsUser}", "--init-groups", "--", .. command]
            : command;
}
