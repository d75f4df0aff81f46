using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.EndToEnd.Embedded;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.Http;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// The production profile's logical backup, exactly as the chart's README ("Backup and restore") tells an operator:
/// <c>pg_dump</c> of the platform database, then of the Orleans database, taken while a partner system writes;
/// then, with the silos stopped, <c>pg_restore</c> into new databases, the membership rows cleared, the application's
/// queues purged, the migration run and a platform started on them with the same key ring and certificates. Every
/// referral acknowledged before the backup began must be served, at least at the version acknowledged then, and no
/// read model may show a referral ahead of its restored state.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class ProductionBackupTests(ProductionCluster cluster, ITestOutputHelper output) : IClassFixture<ProductionCluster>, IAsyncLifetime
{
    private static readonly TimeSpan ReadModelWait = TimeSpan.FromSeconds(20);

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private SiloProcess? _restored;

    public async ValueTask InitializeAsync() => await cluster.EnsureRunningAsync();

    public async ValueTask DisposeAsync()
    {
        if (_restored is not null)
        {
            await _restored.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_backup_taken_under_write_load_restores_every_referral_acknowledged_before_it_began()
    {
        var focalPoint = await cluster.TokenAsync(CrashLoad.FocalPoint);
        using var loadHttp = new HttpClient { BaseAddress = cluster.A.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var ledger = new CrashLoad(loadHttp, focalPoint, Random.Shared.Next(1, 1_000_000));
        await ledger.WarmUpAsync();
        ledger.Start(8);
        await Eventually.Until(() => Task.FromResult(ledger.AcknowledgedChanges), n => n >= CrashLoad.WarmUpChanges + 200, TimeSpan.FromSeconds(90));

        // What was acknowledged when the backup began: the promise covers these, not what comes while it runs.
        var before = new Dictionary<Guid, int>(ledger.Acknowledged);
        var atStart = ledger.AcknowledgedChanges;
        var folder = Directory.CreateDirectory(Path.Combine(cluster.Folder, "backup")).FullName;
        var (platformDump, orleansDump) = (Path.Combine(folder, "platform.dump"), Path.Combine(folder, "orleans.dump"));

        // The README's backup: the platform database first, the Orleans database second, membership rows left out.
        await ClientAsync("pg_dump", "--format=custom", "--no-owner", $"--dbname={DatabaseOf(cluster.PlatformConnectionString)}", $"--file={platformDump}");
        var betweenDumps = ledger.AcknowledgedChanges;
        await ClientAsync("pg_dump", "--format=custom", "--no-owner", $"--dbname={DatabaseOf(cluster.OrleansConnectionString)}",
            "--exclude-table-data=orleansmembershiptable", $"--file={orleansDump}");
        var duringBackup = ledger.AcknowledgedChanges;
        await ClientAsync("pg_restore", "--list", orleansDump);
        ledger.StopSending();
        await ledger.WhenStoppedAsync();
        Note($"backup of {before.Count} acknowledged referrals taken under load: {betweenDumps - atStart} more changes acknowledged during the " +
            $"platform dump, {duringBackup - betweenDumps} during the Orleans dump, {ledger.AcknowledgedChanges - duringBackup} after it");
        Assert.True(ledger.AcknowledgedChanges > duringBackup, "The load stopped before the backup ended: it proves nothing about a backup under load.");
        Assert.True(ledger.Anomalies.IsEmpty, $"Answers contradicting If-Match:\n{string.Join("\n", ledger.Anomalies)}");

        // Restore, step 1: stop the silos, so that nothing else writes and nothing consumes the queues.
        foreach (var silo in cluster.Silos)
        {
            await silo.StopAsync();
        }

        // Step 2: both databases from the same backup, into new ones (created first, as on a new server).
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var restoredOrleans = Tuned(await cluster.Postgres.CreateDatabaseAsync($"restored_orleans_{suffix}"));
        var restoredPlatform = Tuned(await cluster.Postgres.CreateDatabaseAsync($"restored_platform_{suffix}"));
        await ClientAsync("pg_restore", "--clean", "--if-exists", "--no-owner", $"--dbname={DatabaseOf(restoredOrleans)}", orleansDump);
        await ClientAsync("pg_restore", "--clean", "--if-exists", "--no-owner", $"--dbname={DatabaseOf(restoredPlatform)}", platformDump);

        // Step 3: no membership row of a silo that no longer exists (the dump left their data out; this is the README's guard).
        await ClientAsync("psql", $"--dbname={DatabaseOf(restoredOrleans)}", "--set=ON_ERROR_STOP=1",
            "-c", $"DELETE FROM orleansmembershiptable WHERE deploymentid = '{cluster.ClusterId}';");

        // Step 4: events published after the backup wait in the application's queues: purge them.
        var queues = (await Ctl("list_queues", "-p", cluster.Broker.Name, "--quiet", "--no-table-headers", "name"))
            .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(queues);
        foreach (var queue in queues)
        {
            await Ctl("purge_queue", "-p", cluster.Broker.Name, queue);
        }

        // Step 5: the migration (helm upgrade runs it first), then a silo on the restored databases, with the same key
        // ring, certificates, ServiceId and ClusterId as before.
        var settings = new Dictionary<string, string?>(cluster.Settings)
        {
            ["ConnectionStrings__Orleans"] = restoredOrleans,
            ["ConnectionStrings__Platform"] = restoredPlatform,
        };
        (await PlatformExecutable.RunAsync(settings, "migrate")).EnsureSucceeded();
        var restored = _restored = new SiloProcess("restored", settings, cluster.Folder);
        await restored.StartAsync();
        Note($"restored into two new databases ({queues.Length} queues purged) and started in {restored.LastStartDuration.TotalSeconds:0.0} s");

        // The token issued before the backup still works: same signing certificate, same issuer.
        using var http = new HttpClient { BaseAddress = restored.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var lost = new List<string>();
        foreach (var (id, acknowledged) in before.OrderBy(a => a.Key))
        {
            lost.AddRange(await ProblemsAsync(http, focalPoint, id, acknowledged));
        }

        Assert.True(lost.Count == 0, $"Referrals acknowledged before the backup began, not served after the restore:\n{string.Join("\n", lost)}\n{Log(restored)}");
        Note($"all {before.Count} referrals acknowledged before the backup read back at or above their acknowledged versions, histories gap-free");

        // The read models are not part of the promise: an event handed to RabbitMQ but not yet applied when the platform
        // database's dump began is in neither dump, and the restored list lacks it (docs/backups.md says so). What they
        // show is noted; that none of it runs ahead of the restored referrals is checked below.
        var listed = await Eventually.Until(() => ListAsync(http, focalPoint), list => Behind(before, list).Count == 0, ReadModelWait);
        var behind = Behind(before, listed);
        Note(behind.Count == 0
            ? $"the referral list shows every one of them ({listed.Count} referrals listed)"
            : $"the referral list lags for {behind.Count} of them, events in flight to its consumer when the platform dump began:\n{string.Join("\n", behind)}");

        // Nothing runs ahead of the restored state, which events left in the queues from after the backup would do.
        var ahead = new List<string>();
        foreach (var (id, version) in listed.OrderBy(l => l.Key))
        {
            var (status, text) = await GetAsync(http, focalPoint, $"/api/v1/referrals/{id}");
            var served = status == 200 ? JsonSerializer.Deserialize<ReferralView>(text, Json.Options)!.Version : (int?)null;
            if (served is null || version > served)
            {
                ahead.Add($"referral {id}: listed at version {version}, served {(served is { } v ? $"at version {v}" : $"as {status} {text}")}");
            }
        }

        if (ahead.Count > 0)
        {
            var facts = new List<string>();
            foreach (var id in listed.Keys.Where(id => ahead.Any(a => a.Contains(id.ToString(), StringComparison.Ordinal))))
            {
                facts.Add(await WhereIsAsync(id, restoredOrleans, restoredPlatform));
            }

            Assert.Fail($"The restored referral list runs ahead of the restored referrals:\n{string.Join("\n", ahead)}\n{string.Join("\n", facts)}");
        }
    }

    /// <summary>
    /// Where a referral's rows are, before and after the restore: its grain state row (keyed as Orleans' ADO.NET
    /// provider keys a Guid grain) and its index row, and what the silos logged of it. Read only when the test fails.
    /// </summary>
    private async Task<string> WhereIsAsync(Guid id, string restoredOrleans, string restoredPlatform)
    {
        var bytes = id.ToByteArray();
        var (n0, n1) = (BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8));
        var lines = new List<string> { $"--- referral {id} ---" };
        foreach (var (name, connectionString) in new[] { ("original", cluster.OrleansConnectionString), ("restored", restoredOrleans) })
        {
            lines.Add($"{name} grain rows: " + await RowsAsync(connectionString,
                "SELECT graintypestring || ' v' || version || ' modified ' || to_char(modifiedon, 'HH24:MI:SS.MS') || (CASE WHEN payloadbinary IS NULL THEN ' (no payload)' ELSE '' END) " +
                "FROM orleansstorage WHERE grainidn0 = @n0 AND grainidn1 = @n1", ("n0", n0), ("n1", n1)));
        }

        foreach (var (name, connectionString) in new[] { ("original", cluster.PlatformConnectionString), ("restored", restoredPlatform) })
        {
            lines.Add($"{name} index row: " + await RowsAsync(connectionString,
                "SELECT 'version ' || \"Version\" || ' published through ' || \"PublishedThrough\" FROM \"ReferralIndex\" WHERE \"ReferralId\" = @id", ("id", id)));
        }

        foreach (var silo in cluster.Silos)
        {
            var mentions = silo.ReadLog().Split('\n').Where(l => l.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase)).ToList();
            lines.Add($"{silo.Name} log lines naming it: {mentions.Count}");
            lines.AddRange(mentions.Take(20));
        }

        return string.Join("\n", lines);
    }

    private static async Task<string> RowsAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows.Count == 0 ? "none" : string.Join("; ", rows);
    }

    /// <summary>What a referral read back lacks against what was acknowledged of it.</summary>
    private static async Task<List<string>> ProblemsAsync(HttpClient http, string token, Guid id, int acknowledged)
    {
        var (status, text) = await GetAsync(http, token, $"/api/v1/referrals/{id}");
        if (status != 200)
        {
            return [$"referral {id}: acknowledged at version {acknowledged}, GET answered {status} {text}"];
        }

        var view = JsonSerializer.Deserialize<ReferralView>(text, Json.Options)!;
        if (view.Version < acknowledged)
        {
            return [$"referral {id}: acknowledged at version {acknowledged}, read back at version {view.Version}"];
        }

        var (historyStatus, historyText) = await GetAsync(http, token, $"/api/v1/referrals/{id}/history");
        if (historyStatus != 200)
        {
            return [$"referral {id}: GET history answered {historyStatus} {historyText}"];
        }

        var numbers = JsonSerializer.Deserialize<List<HistoryEntry>>(historyText, Json.Options)!.Select(h => h.Number).ToList();
        return numbers.SequenceEqual(Enumerable.Range(1, view.Version))
            ? []
            : [$"referral {id}: version {view.Version}, history numbered [{string.Join(",", numbers)}]"];
    }

    /// <summary>The focal point's referral list, every page: referral id → the version listed.</summary>
    private static async Task<Dictionary<Guid, int>> ListAsync(HttpClient http, string token)
    {
        var list = new Dictionary<Guid, int>();
        for (var page = 1; ; page++)
        {
            var (status, text) = await GetAsync(http, token, $"/api/v1/referrals?page={page}");
            Assert.True(status == 200, $"GET the referral list answered {status}: {text}");
            var items = JsonSerializer.Deserialize<PagedList<ReferralSummary>>(text, Json.Options)!;
            foreach (var item in items.Items)
            {
                list[item.Id] = item.Version;
            }

            if (items.Items.Count < items.PageSize || page * items.PageSize >= items.Total)
            {
                return list;
            }
        }
    }

    private static List<string> Behind(Dictionary<Guid, int> acknowledged, Dictionary<Guid, int> listed) =>
        acknowledged.OrderBy(a => a.Key)
            .Where(a => !listed.TryGetValue(a.Key, out var version) || version < a.Value)
            .Select(a => listed.TryGetValue(a.Key, out var version)
                ? $"referral {a.Key}: acknowledged at version {a.Value}, listed at version {version}"
                : $"referral {a.Key}: acknowledged at version {a.Value}, not listed")
            .ToList();

    private static async Task<(int Status, string Text)> GetAsync(HttpClient http, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task ClientAsync(string tool, params string[] arguments) =>
        (await cluster.Postgres.RunClientAsync(tool, arguments, cluster.Folder)).EnsureSucceeded();

    private async Task<CommandResult> Ctl(params string[] arguments) =>
        (await cluster.RabbitMq.CtlAsync(arguments)).EnsureSucceeded();

    private void Note(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    private static string Log(SiloProcess silo) => $"--- {silo.Name} log ({silo.LogPath}) ---\n{silo.ReadLog()}";

    private static string DatabaseOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    /// <summary>As the cluster's own connection strings: the pool settings the chart's README recommends.</summary>
    private static string Tuned(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true, MaxPoolSize = 16 }.ConnectionString;
}
