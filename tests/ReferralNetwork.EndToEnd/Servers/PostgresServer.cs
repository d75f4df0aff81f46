using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace ReferralNetwork.EndToEnd.Servers;

/// <summary>
/// A throwaway PostgreSQL server started from the machine's binaries: its own data folder under
/// the temp folder, a free port on 127.0.0.1 only, its unix socket inside that folder. The
/// postmaster is a child of the test process (run as the <c>postgres</c> OS user when the tests run
/// as root, since PostgreSQL refuses root) and is removed, data and all, on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string OsUser = "postgres";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binDirectory;
    private readonly ServerFolder _folder;
    private readonly string _rootDirectory;
    private readonly string _socketDirectory;
    private readonly ConcurrentDictionary<string, string> _connectionStrings = new();
    private ServerProcess? _postmaster;
    private bool _disposed;

    private PostgresServer(string binDirectory)
    {
        _binDirectory = binDirectory;
        _folder = ServerFolder.Create("rn-pg");
        _rootDirectory = _folder.Path;
        _socketDirectory = Path.Combine(_rootDirectory, "socket");
        DataDirectory = Path.Combine(_rootDirectory, "data");
        LogPath = Path.Combine(_rootDirectory, "server.log");
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string Username => "postgres";

    public string Password { get; }

    public string DataDirectory { get; }

    public string LogPath { get; }

    public bool IsRunning => _postmaster is { HasExited: false };

    /// <summary>Process id of the postmaster while it runs.</summary>
    public int? ProcessId => IsRunning ? _postmaster!.Id : null;

    public TimeSpan InitDbDuration { get; private set; }

    /// <summary>From launching the postmaster until it accepted a connection, for the last start.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>Creates the data folder with initdb and starts the server on a free port.</summary>
    public static async Task<PostgresServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = await FindBinDirectoryAsync(cancellationToken);
        var server = new PostgresServer(binDirectory);
        try
        {
            await server.InitDbAsync(cancellationToken);
            await server.StartOnFreePortAsync(cancellationToken);
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

    /// <summary>Starts the server again on the same data folder and port.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            return;
        }

        var logOffset = ServerProcesses.LogLength(LogPath);
        var started = Stopwatch.StartNew();
        _postmaster = ServerProcess.Start(AsServerUser([Path.Combine(_binDirectory, "postgres"), .. ServerArguments()]), LogPath, _rootDirectory);
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

            var log = ServerProcesses.ReadLog(LogPath, logOffset);
            throw new PostgresStartException(
                $"PostgreSQL on 127.0.0.1:{Port} did not accept connections: {e.Message}\n--- server log ({LogPath}) ---\n{log}",
                portInUse: log.Contains("could not bind", StringComparison.Ordinal),
                e);
        }

        LastStartDuration = started.Elapsed;
    }

    /// <summary>Fast shutdown: open transactions roll back, clients are disconnected, a checkpoint is written.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_postmaster is null)
        {
            return;
        }

        if (!_postmaster.HasExited)
        {
            _postmaster.Signal(ServerProcesses.SigInt);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StopTimeout);
            try
            {
                await _postmaster.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await KillAsync();
                throw new TimeoutException($"PostgreSQL did not shut down within {StopTimeout.TotalSeconds:0} s; it was killed.\n{ServerProcesses.ReadLog(LogPath)}");
            }
        }

        ForgetProcess();
    }

    /// <summary>SIGKILL of the postmaster and all its children at once: a crash, recovered from the WAL on the next start.</summary>
    public async Task KillAsync()
    {
        if (_postmaster is null)
        {
            return;
        }

        if (!_postmaster.HasExited)
        {
            await _postmaster.KillGroupAsync(TimeSpan.FromSeconds(30));
        }

        ForgetProcess();
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
            // The data is thrown away, so a clean shutdown would only cost a checkpoint.
            await KillAsync();
        }
        finally
        {
            _folder.Dispose();
        }
    }

    private static async Task<string> FindBinDirectoryAsync(CancellationToken cancellationToken)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BINDIR") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        if (ServerProcesses.FindOnPath("pg_config") is { } pgConfig)
        {
            var (exitCode, output) = await ServerProcesses.RunAsync(pgConfig, ["--bindir"], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
            if (exitCode == 0)
            {
                candidates.Add(output.Trim());
            }
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            // Debian's layout; prefer the newest major version installed.
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(folder => int.TryParse(Path.GetFileName(folder), out var major) ? major : 0)
                .Select(folder => Path.Combine(folder, "bin")));
        }

        if (ServerProcesses.FindOnPath("initdb") is { } initdb)
        {
            candidates.Add(Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb)!);
        }

        var found = candidates.FirstOrDefault(folder =>
            ServerProcesses.IsExecutable(Path.Combine(folder, "initdb")) && ServerProcesses.IsExecutable(Path.Combine(folder, "postgres")));
        if (found is null)
        {
            throw new ServerBinaryNotFoundException(
                $"PostgreSQL server binaries (initdb, postgres) were not found (looked in: {string.Join(", ", candidates.DefaultIfEmpty("PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin, PATH"))}). {ServerProcesses.InstallHint}");
        }

        if (ServerProcesses.IsRoot && ServerProcesses.FindOnPath("setpriv") is null)
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

        if (ServerProcesses.IsRoot)
        {
            var (chownExit, chownOutput) = await ServerProcesses.RunAsync(
                "chown", ["-R", $"{OsUser}:{OsUser}", _rootDirectory], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
            if (chownExit != 0)
            {
                throw new InvalidOperationException($"chown of {_rootDirectory} to the {OsUser} user failed (does the user exist?): {chownOutput}");
            }
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
        var (exitCode, output) = await ServerProcesses.RunAsync(
            initdb[0],
            initdb[1..],
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["LC_ALL"] = "C.UTF-8", ["TZ"] = "UTC" },
            cancellationToken);
        File.Delete(passwordFile);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed with exit code {exitCode}:\n{output}");
        }

        InitDbDuration = started.Elapsed;
    }

    private async Task StartOnFreePortAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePorts.OnLoopback(1)[0];
            _connectionStrings.Clear();
            try
            {
                await StartAsync(cancellationToken);
                return;
            }
            catch (PostgresStartException e) when (e.PortInUse && attempt < 3)
            {
                // Another process took the port between our probe and the bind.
            }
        }
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

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString())
        {
            Pooling = false,
            Timeout = 5,
        }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_postmaster!.HasExited)
            {
                throw new InvalidOperationException($"the postmaster exited with code {_postmaster.ExitCode}");
            }

            if (!PostmasterSaysReady() && deadline.Elapsed < StartTimeout)
            {
                // Dialing before then only fills the log with "the database system is starting up".
                await Task.Delay(20, cancellationToken);
                continue;
            }

            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && deadline.Elapsed < StartTimeout)
            {
                // Not listening yet, or "the database system is starting up" while it replays the WAL.
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw new TimeoutException($"not ready after {StartTimeout.TotalSeconds:0} s (last error: {e.Message})", e);
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The status line of postmaster.pid, which pg_ctl waits on too.</summary>
    private bool PostmasterSaysReady()
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(DataDirectory, "postmaster.pid"));
            return lines.Length > 7
                && lines[0].Trim() == _postmaster!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && lines[7].Trim() == "ready";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string[] AsServerUser(string[] command) =>
        ServerProcesses.IsRoot
            ? [ServerProcesses.FindOnPath("setpriv")!, $"--reuid={OsUser}", $"--regid={OsUser}", "--init-groups", "--", .. command]
            : command;

    private void ForgetProcess()
    {
        _postmaster?.Dispose();
        _postmaster = null;

        // Pooled connections to the old postmaster are dead; drop them so the next open dials anew.
        foreach (var connectionString in _connectionStrings.Values)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }
}

public sealed class PostgresStartException(string message, bool portInUse, Exception inner) : Exception(message, inner)
{
    public bool PortInUse { get; } = portInUse;
}
