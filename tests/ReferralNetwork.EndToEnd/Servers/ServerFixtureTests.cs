using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using RabbitMQ.Client;
using ReferralNetwork.EndToEnd.Processes;

namespace ReferralNetwork.EndToEnd.Servers;

/// <summary>The throwaway servers really serve, keep what they promised to keep, and leave nothing behind.</summary>
[Collection(BackendServersCollection.Name)]
public sealed class ServerFixtureTests(PostgresFixture postgres, RabbitMqFixture rabbitMq, ITestOutputHelper output)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Postgres_accepts_password_connections_on_loopback_only()
    {
        var server = postgres.Server;
        output.WriteLine($"PostgreSQL fixture ready in {postgres.StartupDuration.TotalMilliseconds:0} ms (initdb {server.InitDbDuration.TotalMilliseconds:0} ms)");

        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync(Cancellation);

        Assert.Equal("127.0.0.1", await ScalarAsync<string>(connection, "SHOW listen_addresses"));
        Assert.Equal("on", await ScalarAsync<string>(connection, "SHOW fsync"));
        Assert.Equal(server.Port, connection.Port);
        var wrongPassword = new NpgsqlConnectionStringBuilder(server.ConnectionString()) { Password = "wrong", Pooling = false };
        await using var rejected = new NpgsqlConnection(wrongPassword.ConnectionString);
        var refusal = await Assert.ThrowsAsync<PostgresException>(() => rejected.OpenAsync(Cancellation));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refusal.SqlState);
    }

    [Fact]
    public async Task Postgres_keeps_committed_rows_across_a_restart()
    {
        var server = postgres.Server;
        var connectionString = await server.CreateDatabaseAsync($"restart_{Guid.NewGuid():N}", Cancellation);
        await ExecuteAsync(connectionString, "CREATE TABLE referral (id int PRIMARY KEY, note text NOT NULL)");
        await ExecuteAsync(connectionString, "INSERT INTO referral VALUES (1, 'written before the restart')");

        await server.StopAsync(Cancellation);
        Assert.False(server.IsRunning);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecuteAsync(Unpooled(connectionString), "SELECT 1"));
        await server.StartAsync(Cancellation);
        output.WriteLine($"PostgreSQL restart after a clean stop: {server.LastStartDuration.TotalMilliseconds:0} ms");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        Assert.Equal("written before the restart", await ScalarAsync<string>(connection, "SELECT note FROM referral WHERE id = 1"));
    }

    [Fact]
    public async Task Postgres_recovers_committed_rows_and_drops_uncommitted_ones_after_a_crash()
    {
        var server = postgres.Server;
        var connectionString = await server.CreateDatabaseAsync($"crash_{Guid.NewGuid():N}", Cancellation);
        await ExecuteAsync(connectionString, "CREATE TABLE referral (id int PRIMARY KEY, note text NOT NULL)");
        await ExecuteAsync(connectionString, "INSERT INTO referral VALUES (1, 'committed')");
        var postmaster = server.ProcessId!.Value;

        // A transaction still open when the server dies must not survive it.
        var open = new NpgsqlConnection(Unpooled(connectionString));
        await open.OpenAsync(Cancellation);
        var transaction = await open.BeginTransactionAsync(Cancellation);
        await using (var insert = new NpgsqlCommand("INSERT INTO referral VALUES (2, 'uncommitted')", open, transaction))
        {
            await insert.ExecuteNonQueryAsync(Cancellation);
        }

        var backends = LinuxProcesses.ProcessesWith(postmaster, byParent: true);
        Assert.NotEmpty(backends);

        await server.KillAsync();
        Assert.False(LinuxProcesses.IsAlive(postmaster));
        Assert.DoesNotContain(backends, LinuxProcesses.IsAlive);
        await Assert.ThrowsAnyAsync<Exception>(() => transaction.CommitAsync(Cancellation));
        await open.DisposeAsync();

        await server.StartAsync(Cancellation);
        output.WriteLine($"PostgreSQL restart after SIGKILL (WAL recovery): {server.LastStartDuration.TotalMilliseconds:0} ms");

        Assert.Contains("not properly shut down; automatic recovery in progress", server.ReadLog(), StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT count(*) FROM referral"));
        Assert.Equal("committed", await ScalarAsync<string>(connection, "SELECT note FROM referral WHERE id = 1"));
    }

    [Fact]
    public async Task Postgres_server_leaves_no_process_port_or_folder_behind()
    {
        _ = postgres.Server; // skips, as the fixture does, where PostgreSQL is not installed
        // Disposed again below, where the test looks at what disposal left; this one covers a failed assertion.
        await using var server = await PostgresServer.StartNewAsync(Cancellation);
        var (postmaster, port, data) = (server.ProcessId!.Value, server.Port, server.DataDirectory);

        await server.DisposeAsync();

        Assert.False(LinuxProcesses.IsAlive(postmaster));
        Assert.False(Directory.Exists(data));
        AssertPortIsFree(port);
    }

    [Fact]
    public async Task RabbitMq_accepts_an_amqp_connection_and_routes_a_message()
    {
        var server = rabbitMq.Server;
        output.WriteLine($"RabbitMQ fixture ready in {rabbitMq.StartupDuration.TotalMilliseconds:0} ms");

        await using var connection = await server.CreateConnectionFactory().CreateConnectionAsync(Cancellation);
        Assert.True(connection.IsOpen);
        Assert.Equal("RabbitMQ", Encoding.UTF8.GetString((byte[])connection.ServerProperties!["product"]!));

        await using var channel = await connection.CreateChannelAsync(cancellationToken: Cancellation);
        var queue = await channel.QueueDeclareAsync(cancellationToken: Cancellation); // server-named, exclusive
        await channel.BasicPublishAsync("", queue.QueueName, Encoding.UTF8.GetBytes("hello"), Cancellation);
        var received = await GetWithinAsync(channel, queue.QueueName, TimeSpan.FromSeconds(10));
        Assert.Equal("hello", Encoding.UTF8.GetString(received.Body.Span));
    }

    [Fact]
    public async Task RabbitMq_keeps_a_persistent_message_in_a_durable_queue_across_a_restart()
    {
        var server = rabbitMq.Server;
        var queue = $"durable-{Guid.NewGuid():N}";
        // The broker drops a transient message on restart: its absence proves the restart was real.
        await PublishConfirmedAsync(server, queue, ("persistent", Persistent: true), ("transient", Persistent: false));

        await server.StopAsync(Cancellation);
        Assert.False(server.IsRunning);
        await server.StartAsync(Cancellation);
        output.WriteLine($"RabbitMQ restart after a clean stop: {server.LastStartDuration.TotalMilliseconds:0} ms");

        Assert.Equal(["persistent"], await TakeAllAndDeleteAsync(server, queue));
    }

    [Fact]
    public async Task RabbitMq_node_recovers_from_a_kill_and_leaves_no_process_port_or_folder_behind()
    {
        _ = rabbitMq.Server; // skips, as the fixture does, where RabbitMQ is not installed
        // Disposed again below, where the test looks at what disposal left; this one covers a failed assertion.
        await using var server = await RabbitMqServer.StartNewAsync(Cancellation);
        output.WriteLine($"RabbitMQ first start (second node): {server.LastStartDuration.TotalMilliseconds:0} ms");
        var queue = $"durable-{Guid.NewGuid():N}";
        await PublishConfirmedAsync(server, queue, ("confirmed", Persistent: true));
        // RabbitMQ 3.10 keeps queue definitions in Mnesia, whose log (disk_log) caches writes in the VM for up to about
        // two seconds: a queue declared just before a SIGKILL can be gone after it, while a confirmed message is on disk.
        // Flushing that log first tests what this test is about; a platform declares its queues long before any kill.
        (await server.CtlAsync("eval", "ok = disk_log:sync(latest_log).")).EnsureSucceeded();

        await server.KillAsync();
        Assert.False(server.IsRunning);
        await server.StartAsync(Cancellation);
        output.WriteLine($"RabbitMQ restart after SIGKILL: {server.LastStartDuration.TotalMilliseconds:0} ms");
        Assert.Equal(["confirmed"], await TakeAllAndDeleteAsync(server, queue));

        var (amqp, distribution, epmd, log) = (server.Port, server.DistributionPort, server.EpmdPort, server.LogPath);
        await server.DisposeAsync();

        Assert.False(File.Exists(log));
        AssertPortIsFree(amqp);
        AssertPortIsFree(distribution);
        AssertPortIsFree(epmd);
    }

    /// <summary>Publishes to a durable queue, declaring it; each publish returns once the broker has confirmed the message.</summary>
    private static async Task PublishConfirmedAsync(RabbitMqServer server, string queue, params (string Body, bool Persistent)[] messages)
    {
        await using var connection = await server.CreateConnectionFactory().CreateConnectionAsync(Cancellation);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            Cancellation);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancellation);
        foreach (var (body, persistent) in messages)
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = persistent }, Encoding.UTF8.GetBytes(body), Cancellation);
        }
    }

    /// <summary>Every message the queue holds, in order; then the queue is deleted.</summary>
    private static async Task<List<string>> TakeAllAndDeleteAsync(RabbitMqServer server, string queue)
    {
        await using var connection = await server.CreateConnectionFactory().CreateConnectionAsync(Cancellation);

        // After a kill the node answers before it has recovered every durable queue: wait (bounded) until this one is back.
        // Recovery rebuilds the message store's index, which on a busy 2-core machine has taken more than 30 s.
        var recovering = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var probe = await connection.CreateChannelAsync(cancellationToken: Cancellation);
            try
            {
                await probe.QueueDeclarePassiveAsync(queue, Cancellation);
                break;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404 && recovering.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), Cancellation);
            }
        }

        await using var channel = await connection.CreateChannelAsync(cancellationToken: Cancellation);
        var taken = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: true, Cancellation) is { } message)
        {
            taken.Add(Encoding.UTF8.GetString(message.Body.Span));
        }

        await channel.QueueDeleteAsync(queue, cancellationToken: Cancellation);
        return taken;
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancellation);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Cancellation))!;
    }

    private static async Task<BasicGetResult> GetWithinAsync(IChannel channel, string queue, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true, Cancellation) is { } result)
            {
                return result;
            }

            Assert.True(waited.Elapsed < timeout, $"No message arrived on {queue} within {timeout.TotalSeconds:0} s.");
            await Task.Delay(20, Cancellation);
        }
    }

    private static void AssertPortIsFree(int port)
    {
        // Binding succeeds only if no server of ours still listens there. SO_REUSEADDR, because the broker's side of a
        // connection it closed stays in TIME_WAIT on that port for a minute, which no listener holds; on Linux a
        // listening socket there still refuses the bind.
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        listener.Stop();
    }
}
