using System.Net;
using Npgsql;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// Two silos of the production profile (two OS processes) on one PostgreSQL server and one RabbitMQ node,
/// under partner traffic through both APIs while a silo is killed, the broker stopped and the database
/// restarted. Each test leaves both silos and both servers running.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class ClusterTests(ProductionCluster cluster, ITestOutputHelper output) : IClassFixture<ProductionCluster>, IAsyncLifetime
{
    private const string Holder = "th-focal-point";

    private readonly Dictionary<string, long> _logOffsets = [];

    public async ValueTask InitializeAsync()
    {
        await cluster.EnsureRunningAsync();
        foreach (var silo in cluster.Silos)
        {
            _logOffsets[silo.Name] = File.Exists(silo.LogPath) ? new FileInfo(silo.LogPath).Length : 0;
        }
    }

    public async ValueTask DisposeAsync() => await cluster.EnsureRunningAsync();

    [Fact]
    public async Task A_referral_made_through_one_silo_is_read_through_the_other()
    {
        output.WriteLine(string.Join("\n", cluster.Timings));
        using var create = await cluster.RequestAsync(HttpMethod.Post, "/api/v1/referrals", Holder, ReferralRequests.VietnameseWoman());
        using var created = await cluster.A.Http.SendAsync(create);
        var referral = await PartnerApi.ReadAsync<ReferralView>(created);

        using var get = await cluster.RequestAsync(HttpMethod.Get, $"/api/v1/referrals/{referral.Id}", Holder);
        using var read = await cluster.B.Http.SendAsync(get);
        var seen = await PartnerApi.ReadAsync<ReferralView>(read);

        Assert.Equal((referral.Id, 1, "th-focal-point"), (seen.Id, seen.Version, seen.Holder));
        // The list is the read model, fed through RabbitMQ: B's list shows what A's grain published.
        var listed = await Eventually.Until(
            async () =>
            {
                using var list = await cluster.RequestAsync(HttpMethod.Get, "/api/v1/referrals", Holder);
                using var response = await cluster.B.Http.SendAsync(list);
                return await PartnerApi.ReadAsync<PagedList<ReferralSummary>>(response);
            },
            page => page.Items.Any(r => r.Id == referral.Id));
        Assert.Contains(listed.Items, r => r.Id == referral.Id && r.Version == 1);
    }

    [Fact]
    public async Task Killing_a_silo_mid_traffic_moves_its_referrals_to_the_survivor_and_loses_no_acknowledged_change()
    {
        await using var traffic = new ClusterTraffic(cluster);
        await traffic.AcknowledgeAtLeastAsync(60, cluster.A.Name);
        await traffic.AcknowledgeAtLeastAsync(60, cluster.B.Name);

        var before = await cluster.ReferralSilosAsync();
        var onA = traffic.Acknowledged.Keys.Where(id => before.GetValueOrDefault(id) == cluster.A.SiloPort).ToList();
        Assert.NotEmpty(onA);

        var killedAt = traffic.Clock.Elapsed;
        await cluster.KillAsync(cluster.A);
        var declaredDead = await cluster.WaitUntilDeclaredDeadAsync(cluster.A);
        output.WriteLine($"silo A killed at {killedAt.TotalSeconds:0.0} s with {onA.Count} referrals active on it; declared dead {declaredDead.TotalSeconds:0.0} s later");

        await traffic.AcknowledgeAtLeastAsync(100, cluster.B.Name);
        await traffic.StopAsync();

        // Every referral that lived on A answers through B at the first attempt of the client: the API
        // retries the call that met A's stale address.
        foreach (var id in onA)
        {
            using var request = await cluster.RequestAsync(HttpMethod.Get, $"/api/v1/referrals/{id}", Holder);
            using var response = await cluster.B.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {id} through B: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var after = await cluster.ReferralSilosAsync();
        Assert.All(onA, id => Assert.Equal(cluster.B.SiloPort, after.GetValueOrDefault(id)));
        var firstAfterKill = traffic.Timeline.Where(t => t.At > killedAt && onA.Contains(t.Referral)).Select(t => t.At).DefaultIfEmpty().Min();
        output.WriteLine($"first acknowledged change to a referral of A after the kill: {(firstAfterKill - killedAt).TotalSeconds:0.0} s; retries logged by B: {CountInLog(cluster.B, "retrying once")}");

        await AssertNothingLostAsync(traffic, cluster.B);
    }

    [Fact]
    public async Task Stopping_RabbitMQ_during_traffic_delays_events_but_loses_none()
    {
        await using var traffic = new ClusterTraffic(cluster);
        await traffic.AcknowledgeAtLeastAsync(50);

        await cluster.RabbitMq.StopAsync();
        var acknowledgedBefore = traffic.AcknowledgedChanges;
        // Each change now waits for its publish to time out before it is acknowledged, with its events kept.
        await traffic.AcknowledgeAtLeastAsync(12);
        output.WriteLine($"while RabbitMQ was down the API acknowledged {traffic.AcknowledgedChanges - acknowledgedBefore} changes");
        // Still ready (200): a broker outage must not take the silos out of the load balancer.
        Assert.Equal("Degraded", await cluster.A.ReadinessAsync());
        Assert.Equal("Degraded", await cluster.B.ReadinessAsync());
        await cluster.RabbitMq.StartAsync();

        await traffic.AcknowledgeAtLeastAsync(50);
        await traffic.StopAsync();
        await AssertNothingLostAsync(traffic, cluster.A);
    }

    [Fact]
    public async Task Restarting_PostgreSQL_during_traffic_needs_no_manual_step()
    {
        await using var traffic = new ClusterTraffic(cluster);
        await traffic.AcknowledgeAtLeastAsync(50);

        await cluster.Postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await cluster.Postgres.StartAsync();
        var restartedAt = traffic.Clock.Elapsed;

        // Both silos keep serving, with no restart of theirs: changes are acknowledged through each again.
        await traffic.AcknowledgeAtLeastAsync(50, cluster.A.Name);
        await traffic.AcknowledgeAtLeastAsync(50, cluster.B.Name);
        await traffic.StopAsync();
        var recovered = traffic.Timeline.Where(t => t.At > restartedAt).Select(t => t.At).DefaultIfEmpty().Min();
        output.WriteLine($"first acknowledged change {(recovered - restartedAt).TotalSeconds:0.0} s after PostgreSQL was back; {traffic.Failures.Count} failed or refused calls");
        Assert.All(cluster.Silos, silo => Assert.True(silo.IsRunning, $"{silo.Name} exited"));
        Assert.Equal("Healthy", await cluster.A.ReadinessAsync());
        Assert.Equal("Healthy", await cluster.B.ReadinessAsync());

        await AssertNothingLostAsync(traffic, cluster.B);
    }

    /// <summary>
    /// Every acknowledged change is in its referral's history, and every event of every referral that
    /// reached the read model was applied to it exactly once (the consumers record each (referral, number)
    /// they applied, in the same transaction as the change).
    /// </summary>
    private async Task AssertNothingLostAsync(ClusterTraffic traffic, SiloProcess reader)
    {
        var histories = new Dictionary<Guid, int>();
        foreach (var (id, acknowledged) in traffic.Acknowledged)
        {
            histories[id] = await HistoryLengthAsync(reader, id);
            Assert.True(histories[id] >= acknowledged, $"Referral {id}: version {acknowledged} was acknowledged, the history has {histories[id]} events");
        }

        var model = await Eventually.Until(
            cluster.ReadModelAsync,
            m => histories.All(h => m.ProcessedEvents.GetValueOrDefault(h.Key)?.Count == h.Value),
            TimeSpan.FromSeconds(90));
        // Referrals created by calls that failed before the answer are in the read model too; check them as well.
        foreach (var id in model.ProcessedEvents.Keys.Except(histories.Keys))
        {
            histories[id] = await HistoryLengthAsync(reader, id);
        }

        model = await Eventually.Until(
            cluster.ReadModelAsync,
            m => histories.All(h => m.ProcessedEvents.GetValueOrDefault(h.Key)?.Count == h.Value && m.ListVersions.GetValueOrDefault(h.Key) == h.Value),
            TimeSpan.FromSeconds(30));
        var stored = await StoredReferralCountAsync();
        output.WriteLine(
            $"{traffic.AcknowledgedChanges} changes acknowledged ({string.Join(", ", traffic.AcknowledgedBySilo.Select(s => $"{s.Key} {s.Value}"))}) " +
            $"on {traffic.Acknowledged.Count} referrals; {histories.Count} referrals with {histories.Values.Sum()} events in their histories, " +
            $"{model.ProcessedEvents.Values.Sum(e => e.Count)} applied to the read model; {stored} referral states in grain storage; " +
            $"{traffic.Failures.Count} failed or refused calls");
        foreach (var failure in traffic.Failures.Take(30))
        {
            output.WriteLine($"  {failure}");
        }

        foreach (var silo in cluster.Silos)
        {
            foreach (var line in ErrorsLogged(silo).Take(12))
            {
                output.WriteLine($"  {silo.Name} log: {line}");
            }
        }

        foreach (var (id, length) in histories)
        {
            var applied = model.ProcessedEvents.GetValueOrDefault(id) ?? [];
            if (!applied.SequenceEqual(Enumerable.Range(1, length)))
            {
                var throughEach = string.Join(", ", await Task.WhenAll(cluster.Silos.Where(s => s.IsRunning).Select(async s => $"{s.Name} {await HistoryLengthAsync(s, id)}")));
                foreach (var silo in cluster.Silos)
                {
                    foreach (var line in LinesAbout(silo, id.ToString()).Take(20))
                    {
                        output.WriteLine($"  {silo.Name} log: {line}");
                    }
                }

                Assert.Fail($"Referral {id}: events {string.Join(",", applied)} applied to the read model, {length} in its history through {reader.Name} (through each silo: {throughEach})");
            }

            Assert.True(length == model.ListVersions.GetValueOrDefault(id), $"Referral {id}: the list row is at version {model.ListVersions.GetValueOrDefault(id)}, the history at {length}");
        }
    }

    private async Task<int> HistoryLengthAsync(SiloProcess reader, Guid id)
    {
        using var request = await cluster.RequestAsync(HttpMethod.Get, $"/api/v1/referrals/{id}/history", Holder);
        using var response = await reader.Http.SendAsync(request);
        var history = await PartnerApi.ReadAsync<List<HistoryEntry>>(response);
        Assert.Equal(Enumerable.Range(1, history.Count), history.Select(h => h.Number));
        return history.Count;
    }

    private async Task<long> StoredReferralCountAsync()
    {
        await using var connection = await cluster.OpenAsync(cluster.OrleansConnectionString);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleansstorage WHERE graintypestring LIKE '%referral%'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Each error the silo logged during this test, as its first three lines (category, message, exception).</summary>
    private IEnumerable<string> ErrorsLogged(SiloProcess silo)
    {
        using var stream = new FileStream(silo.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(_logOffsets.GetValueOrDefault(silo.Name), SeekOrigin.Begin);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n');
        for (var i = 0; i < lines.Length - 2; i++)
        {
            if (lines[i].StartsWith("fail:", StringComparison.Ordinal))
            {
                yield return $"{lines[i]} {lines[i + 1].Trim()} {lines[i + 2].Trim()}";
            }
        }
    }

    /// <summary>Every log line naming <paramref name="text"/> (in either GUID spelling), with the line after it, over the whole run.</summary>
    private static IEnumerable<string> LinesAbout(SiloProcess silo, string text)
    {
        var compact = text.Replace("-", "", StringComparison.Ordinal);
        var lines = File.Exists(silo.LogPath) ? File.ReadAllLines(silo.LogPath) : [];
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Contains(text, StringComparison.Ordinal) || lines[i].Contains(compact, StringComparison.Ordinal))
            {
                yield return $"{lines[i - (i > 0 ? 1 : 0)].Trim()} | {lines[i].Trim()[..Math.Min(lines[i].Trim().Length, 300)]}";
            }
        }
    }

    private static int CountInLog(SiloProcess silo, string text) =>
        File.Exists(silo.LogPath) ? File.ReadLines(silo.LogPath).Count(l => l.Contains(text, StringComparison.Ordinal)) : 0;
}
