using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Servers;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// Two silos of the production profile as two OS processes on loopback, sharing the collection's PostgreSQL
/// server (two fresh databases) and RabbitMQ node, set up the way an operator does it: test certificates,
/// a fixed issuer, <c>migrate</c>, then <c>import-directory</c> for the organizations and OAuth clients.
/// </summary>
public sealed class ProductionCluster(PostgresFixture postgres, RabbitMqFixture rabbitMq) : IAsyncLifetime
{
    public const string Issuer = "https://referrals.test/";
    public const string ClientSecret = "cluster-test-secret";

    /// <summary>Organizations of the test directory; each has an OAuth client of the same id.</summary>
    public static readonly string[] Organizations = ["th-focal-point", "th-shelter-bangkok", "vn-focal-point", "vn-ngo-reintegration"];

    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-cluster");
    private TokenClient _tokens = null!;
    private IHost? _orleansClient;

    public PostgresServer Postgres => postgres.Server;

    public RabbitMqServer RabbitMq => rabbitMq.Server;

    public SiloProcess A { get; private set; } = null!;

    public SiloProcess B { get; private set; } = null!;

    public IReadOnlyList<SiloProcess> Silos => [A, B];

    public string ClusterId { get; } = $"test-{Guid.NewGuid():N}"[..21];

    public string OrleansConnectionString { get; private set; } = "";

    public string PlatformConnectionString { get; private set; } = "";

    /// <summary>
    /// This cluster's own virtual host on the collection's RabbitMQ node: the clusters of earlier test classes leave
    /// events in their queues, which this cluster's projections would otherwise apply to its own read models.
    /// </summary>
    public RabbitMqVirtualHost Broker { get; private set; } = null!;

    /// <summary>The environment every process of this cluster gets (silo ports are added per silo).</summary>
    public Dictionary<string, string?> Settings { get; private set; } = [];

    public string Folder => _folder.Path;

    /// <summary>How long each set-up step took, for the test output.</summary>
    public List<string> Timings { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        OrleansConnectionString = Tuned(await Postgres.CreateDatabaseAsync($"orleans_{suffix}"));
        PlatformConnectionString = Tuned(await Postgres.CreateDatabaseAsync($"platform_{suffix}"));
        Broker = await RabbitMq.CreateVirtualHostAsync($"cluster-{suffix}");
        var certificates = TestCertificates.CreateIn(Folder);
        Settings = ProductionSettings(certificates);

        await RunOrThrowAsync("migrate");
        Timings.Add($"migrate: {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        var directory = Path.Combine(Folder, "directory.json");
        await File.WriteAllTextAsync(directory, DirectoryJson());
        await RunOrThrowAsync("import-directory", directory);
        Timings.Add($"import-directory: {watch.ElapsedMilliseconds} ms");

        watch.Restart();
        A = new SiloProcess("silo-a", Settings, Folder);
        B = new SiloProcess("silo-b", Settings, Folder);
        _tokens = new TokenClient(() => (A.IsRunning ? A : B).Http);
        await Task.WhenAll(A.StartAsync(), B.StartAsync());
        Timings.Add($"two silos ready: {watch.ElapsedMilliseconds} ms");
    }

    public async ValueTask DisposeAsync()
    {
        // REFERRAL_NETWORK_KEEP_LOGS=<folder> keeps the silos' logs of a run for a post-mortem.
        if (Environment.GetEnvironmentVariable("REFERRAL_NETWORK_KEEP_LOGS") is { Length: > 0 } keep)
        {
            var target = Directory.CreateDirectory(Path.Combine(keep, ClusterId)).FullName;
            foreach (var log in Directory.EnumerateFiles(Folder, "*.log"))
            {
                File.Copy(log, Path.Combine(target, Path.GetFileName(log)), overwrite: true);
            }
        }

        if (_orleansClient is not null)
        {
            await _orleansClient.StopAsync(TimeSpan.FromSeconds(5));
            _orleansClient.Dispose();
        }

        foreach (var silo in new[] { A, B }.Where(s => s is not null))
        {
            await silo.DisposeAsync();
        }

        _folder.Dispose();
    }

    /// <summary>The network key of the encodings: one for every silo of the cluster, as a mounted secret would be.</summary>
    public string NetworkKey { get; } = Production.ProductionSettings.NewNetworkKey();

    public Dictionary<string, string?> ProductionSettings(TestCertificates certificates)
    {
        var settings = Production.ProductionSettings.For(OrleansConnectionString, PlatformConnectionString, Broker, certificates, NetworkKey);
        settings["Cluster__ServiceId"] = "referral-network-tests";
        settings["Cluster__ClusterId"] = ClusterId;
        // A killed silo is declared dead within a few seconds instead of the production defaults' tens.
        settings["Cluster__Membership__ProbeTimeout"] = "00:00:01";
        settings["Cluster__Membership__NumMissedProbesLimit"] = "2";
        settings["Cluster__Membership__TableRefreshTimeout"] = "00:00:02";
        settings["Cluster__Membership__IAmAliveTablePublishTimeout"] = "00:00:05";
        settings["Cluster__Membership__DeathVoteExpirationTimeout"] = "00:00:20";
        // The canary walk's webhook subscriptions point at loopback, which production refuses unless listed.
        settings["Webhooks__AllowedTargets__0"] = "127.0.0.1";
        return settings;
    }

    public Task KillAsync(SiloProcess silo) => silo.KillAsync();

    /// <summary>What a test that stopped or killed something must leave behind: both servers and both silos up.</summary>
    public async Task EnsureRunningAsync()
    {
        await Postgres.StartAsync();
        await RabbitMq.StartAsync();
        await Task.WhenAll(A.StartAsync(), B.StartAsync());
    }

    public Task StartAsync(SiloProcess silo) => silo.StartAsync();

    /// <summary>Waits until the membership table marks the silo's latest generation dead; answers how long that took.</summary>
    public async Task<TimeSpan> WaitUntilDeclaredDeadAsync(SiloProcess silo)
    {
        const int dead = 6; // Orleans.Runtime.SiloStatus.Dead
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using (var connection = await OpenAsync(OrleansConnectionString))
            {
                await using var command = new NpgsqlCommand(
                    "SELECT status FROM orleansmembershiptable WHERE deploymentid = @cluster AND port = @port ORDER BY generation DESC LIMIT 1", connection);
                command.Parameters.AddWithValue("cluster", ClusterId);
                command.Parameters.AddWithValue("port", silo.SiloPort);
                if (await command.ExecuteScalarAsync() is int status && status == dead)
                {
                    return watch.Elapsed;
                }
            }

            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"{silo.Name} was not declared dead within a minute");
            await Task.Delay(100);
        }
    }

    /// <summary>An HTTP request to a silo's API as the named organization (token from /connect/token, cached).</summary>
    public async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, string organization, object? body = null, int? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(organization));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json.Options);
        }

        if (ifMatch is { } version)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        }

        return request;
    }

    /// <summary>A token from silo A's token endpoint, or B's while A is down: both sign with the same key and issuer.</summary>
    public Task<string> TokenAsync(string clientId) => _tokens.AccessTokenAsync(clientId, ClientSecret);

    /// <summary>Where each referral grain is active now, by referral id, as the cluster's management grain reports it.</summary>
    public async Task<Dictionary<Guid, int>> ReferralSilosAsync()
    {
        var grains = (await OrleansClientAsync()).GetRequiredService<IClusterClient>();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics
            .Where(s => s.GrainId.Type.ToString() == "referral")
            .ToDictionary(s => s.GrainId.GetGuidKey(), s => s.SiloAddress.Endpoint.Port);
    }

    /// <summary>The read model as the consumers left it: events applied per referral, and each list row's version.</summary>
    public async Task<ReadModel> ReadModelAsync()
    {
        await using var connection = await OpenAsync(PlatformConnectionString);
        var processed = new Dictionary<Guid, List<int>>();
        await using (var command = new NpgsqlCommand("""SELECT "ReferralId", "Number" FROM "ProcessedEvents" WHERE "Projection" = 'referral-list' ORDER BY 1, 2""", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var id = reader.GetGuid(0);
                if (!processed.TryGetValue(id, out var numbers))
                {
                    processed[id] = numbers = [];
                }

                numbers.Add(reader.GetInt32(1));
            }
        }

        var rows = new Dictionary<Guid, int>();
        await using (var command = new NpgsqlCommand("""SELECT "Id", "Version" FROM "ReferralList" """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows[reader.GetGuid(0)] = reader.GetInt32(1);
            }
        }

        return new ReadModel(processed, rows);
    }

    public sealed record ReadModel(Dictionary<Guid, List<int>> ProcessedEvents, Dictionary<Guid, int> ListVersions);

    private async Task<IServiceProvider> OrleansClientAsync()
    {
        if (_orleansClient is null)
        {
            var host = new HostBuilder()
                .UseOrleansClient(client =>
                {
                    client.UseAdoNetClustering(o =>
                    {
                        o.Invariant = "Npgsql";
                        o.ConnectionString = OrleansConnectionString;
                    });
                    client.Configure<Orleans.Configuration.ClusterOptions>(o =>
                    {
                        o.ServiceId = Settings["Cluster__ServiceId"]!;
                        o.ClusterId = ClusterId;
                    });
                    client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
                })
                .Build();
            await host.StartAsync();
            _orleansClient = host;
        }

        return _orleansClient.Services;
    }

    private async Task RunOrThrowAsync(params string[] arguments) =>
        (await PlatformExecutable.RunAsync(Settings, arguments)).EnsureSucceeded();

    /// <summary>
    /// The test's own view of the databases: unpooled, since a pooled connection would not survive the
    /// PostgreSQL restarts the tests make (the silos' pools must, which is what is being tested).
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The pool settings the chart's README recommends; a small pool per process keeps two silos within max_connections.</summary>
    private static string Tuned(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true, MaxPoolSize = 16 }.ConnectionString;

    private static string DirectoryJson() => JsonSerializer.Serialize(new
    {
        countries = new[] { new { code = "TH", name = "Thailand" }, new { code = "VN", name = "Viet Nam" } },
        organizations = new object[]
        {
            new { id = "th-focal-point", name = "Thailand national focal point", country = "TH", kind = "focal-point" },
            new
            {
                id = "th-shelter-bangkok", name = "Bangkok shelter", country = "TH", kind = "shelter",
                services = new[] { new { service = "shelter", capacity = 40 } },
            },
            new { id = "vn-focal-point", name = "Viet Nam national focal point", country = "VN", kind = "focal-point" },
            new
            {
                id = "vn-ngo-reintegration", name = "Viet Nam reintegration NGO", country = "VN", kind = "ngo",
                services = new[] { new { service = "reintegration", capacity = 60 } },
            },
        },
        clients = Organizations.Select(o => new { clientId = o, organizationId = o, secret = ClientSecret }),
    });
}
