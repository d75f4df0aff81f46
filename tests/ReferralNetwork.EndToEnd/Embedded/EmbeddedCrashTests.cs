using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Production;
using ReferralNetwork.Http;

namespace ReferralNetwork.EndToEnd.Embedded;

/// <summary>
/// The embedded profile's promise under a crash: nothing acknowledged is lost, and no event goes missing when
/// the process dies. The platform runs as a process of its own on a data folder (SQLite, in-memory bus); it is
/// killed with SIGKILL while partner systems write to it, then started again on the same folder. What the API
/// acknowledged must be there, with a gap-free history, and the read models (the referral list, the target's
/// inbox) must catch up with it: first by the recovery sweep alone, before anything touches a referral, then
/// exactly, once every referral has been read back.
/// </summary>
public sealed class EmbeddedCrashTests(ITestOutputHelper output) : IAsyncDisposable
{
    // REFERRAL_NETWORK_CRASH_SEED=<n> replays a run's schedule (clients, changes per referral, when the kill comes).
    private const string SeedVariable = "REFERRAL_NETWORK_CRASH_SEED";

    private static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(60);

    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-crash");
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private SiloProcess? _platform;

    [Fact]
    public async Task Kill_9_under_write_load_loses_no_acknowledged_change_and_every_read_model_converges()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next(1, 1_000_000);
        var schedule = new Random(seed);
        var clients = schedule.Next(8, 17);
        var loadFor = TimeSpan.FromMilliseconds(schedule.Next(2000, 4001));
        Note($"seed {seed} ({SeedVariable}={seed} replays it): {clients} clients, kill after {loadFor.TotalSeconds:0.00} s of load at the earliest");

        var platform = _platform = new SiloProcess("embedded", EmbeddedPlatform.Settings(Path.Combine(_folder.Path, "data"), "crash"), _folder.Path);
        await platform.StartAsync();
        Note($"platform started in {platform.LastStartDuration.TotalSeconds:0.0} s (pid {platform.ProcessId})");
        var tokens = new TokenClient(() => platform.Http);
        var focalPoint = await tokens.AccessTokenAsync(CrashLoad.FocalPoint, EmbeddedPlatform.DemoSecret);
        var shelter = await tokens.AccessTokenAsync(CrashLoad.Shelter, EmbeddedPlatform.DemoSecret);

        // The load's own client, so that its connections die with the process and none is reused afterwards.
        using var loadHttp = new HttpClient { BaseAddress = platform.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var ledger = new CrashLoad(loadHttp, focalPoint, seed);
        await ledger.WarmUpAsync();
        var loadStart = ledger.Clock.Elapsed;
        ledger.Start(clients);
        await Task.Delay(loadFor);
        // On a saturated machine the load's first answers can come later than the schedule's kill (ci42: none in 2.25 s
        // after a 37 s start). The kill then waits, still under load, until the load has been acknowledged at least once
        // per client, which the assertion below asks; a platform that acknowledges nothing for a minute fails it.
        await Eventually.Until(() => Task.FromResult(ledger.AcknowledgedChanges - CrashLoad.WarmUpChanges), n => n >= clients, TimeSpan.FromSeconds(60));

        // No client starts another request; the ones under way are cut off by the kill right after.
        ledger.StopSending();
        var (killAt, inFlight) = (ledger.Clock.Elapsed, ledger.InFlight);
        await platform.KillAsync();
        await ledger.WhenStoppedAsync();
        Note($"killed {(killAt - loadStart).TotalSeconds:0.000} s into the load with {inFlight} requests in flight: " +
            $"{ledger.AcknowledgedChanges} changes acknowledged on {ledger.Acknowledged.Count} referrals " +
            $"({ledger.AcknowledgedOffers.Count} offers), {ledger.Creates.Count - ledger.AcknowledgedCreates.Count} creates not acknowledged");
        foreach (var (at, call) in ledger.NotAcknowledged.OrderBy(f => f.At))
        {
            output.WriteLine($"  not acknowledged at {at.TotalSeconds:0.000} s: {call}");
        }

        // A run that acknowledged next to nothing proves nothing: the load (past the warm-up) must have reached the
        // platform, about one change per client at the least.
        var ofLoad = ledger.AcknowledgedChanges - CrashLoad.WarmUpChanges;
        Assert.True(ofLoad >= clients, $"Only {ofLoad} changes of the load were acknowledged before the kill, by {clients} clients.");
        Assert.True(ledger.Anomalies.IsEmpty, $"Answers contradicting If-Match:\n{string.Join("\n", ledger.Anomalies)}");

        try
        {
            await platform.StartAsync();
        }
        catch (ProcessStartException e)
        {
            Assert.Fail($"After the kill the platform does not start again on its data folder: none of the {ledger.AcknowledgedChanges} acknowledged " +
                $"changes on {ledger.Acknowledged.Count} referrals can be read.\n{e.Message}");
        }

        Note($"restarted on the same data folder in {platform.LastStartDuration.TotalSeconds:0.0} s");
        using var http = new HttpClient { BaseAddress = platform.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var api = new Api(http, focalPoint, shelter);

        // 1. Before any referral is read (which would activate it and publish its pending events by itself), the
        //    recovery sweep at start must bring the read models up to everything acknowledged.
        var swept = await Eventually.Until(api.ReadModelsAsync, m => Behind(ledger, m).Count == 0, ConvergenceBound);
        var behind = Behind(ledger, swept);
        Assert.True(behind.Count == 0,
            $"{ConvergenceBound.TotalSeconds:0} s after the restart, with no referral touched, the read models still miss acknowledged changes:\n{string.Join("\n", behind)}\n{Logs()}");
        Note($"read models caught up with every acknowledged change by the recovery sweep alone ({swept.List.Count} referrals listed, {swept.Inbox.Count} offers in the inbox)");

        // 2. Every acknowledged referral is there, at least at the version acknowledged, with a gap-free history,
        //    and every acknowledged offer is open in it.
        var referrals = await api.ReadAllAsync(ledger.Acknowledged.Keys);
        var lost = new List<string>();
        foreach (var (id, acknowledged) in ledger.Acknowledged.OrderBy(a => a.Key))
        {
            lost.AddRange(Problems(id, referrals[id], acknowledged));
        }

        foreach (var (handoff, id) in ledger.AcknowledgedOffers)
        {
            if (referrals[id].View?.Handoffs.SingleOrDefault(h => h.Id == handoff) is not { Status: HandoffStatus.Offered, To: CrashLoad.Shelter })
            {
                lost.Add($"referral {id}: the acknowledged offer {handoff} to {CrashLoad.Shelter} is not open in it");
            }
        }

        Assert.True(lost.Count == 0, $"Acknowledged changes lost by the kill:\n{string.Join("\n", lost)}\n{Logs()}");
        Note($"all {ledger.Acknowledged.Count} acknowledged referrals read back at or above their acknowledged versions, histories gap-free");

        // 3. A partner system retries every create it sent, with the same Idempotency-Key and body: one it had an
        //    answer for gets the same referral; one cut off by the kill gets one referral, made now or before.
        var retried = new ConcurrentDictionary<string, Guid>();
        var refused = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(ledger.Creates, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (create, _) =>
        {
            var (key, body) = (create.Key, create.Value);
            var (status, view, text) = await api.CreateAsync(key, body);
            if (status != HttpStatusCode.Created || view is null)
            {
                refused.Enqueue($"create {key}: {(int)status} {text}");
            }
            else if (ledger.AcknowledgedCreates.TryGetValue(key, out var known) && view.Id != known)
            {
                refused.Enqueue($"create {key}: answered referral {view.Id}, acknowledged before the kill as {known}");
            }
            else
            {
                retried[key] = view.Id;
            }
        });

        Assert.True(refused.IsEmpty, $"Retried creates:\n{string.Join("\n", refused)}");
        var expected = retried.Values.ToHashSet();
        Assert.Equal(ledger.Creates.Count, expected.Count); // two keys never share a referral

        // 4. Read models converge exactly: the list shows each referral once, at the length of its history, and
        //    nothing else; the shelter's inbox shows exactly the offers open to it in the referrals themselves.
        var final = await api.ReadAllAsync(expected);
        var histories = expected.SelectMany(id => Problems(id, final[id], ledger.Acknowledged.GetValueOrDefault(id, 1))).ToList();
        Assert.True(histories.Count == 0, $"Referrals read back after the retried creates:\n{string.Join("\n", histories)}");
        var versions = final.ToDictionary(r => r.Key, r => r.Value.History!.Count);
        var openOffers = final.Values
            .SelectMany(r => r.View!.Handoffs.Where(h => h is { To: CrashLoad.Shelter, Status: HandoffStatus.Offered }).Select(h => (h.Id, r.View.Id)))
            .ToDictionary(o => o.Item1, o => o.Item2);
        var converged = await Eventually.Until(api.ReadModelsAsync, m => Differences(versions, openOffers, m).Count == 0, ConvergenceBound);
        var differences = Differences(versions, openOffers, converged);
        Assert.True(differences.Count == 0,
            $"{ConvergenceBound.TotalSeconds:0} s on, the read models differ from the referrals:\n{string.Join("\n", differences)}\n{Logs()}");
        Note($"read models converged: {converged.List.Count} referrals listed at their history lengths, {converged.Inbox.Count} open offers in the inbox " +
            $"({expected.Count - ledger.Acknowledged.Count} referrals only by a retried create); recovery: {RecoveryLines()}");

        // Last, so that a failure here does not hide what the kill did: under load alone, before the kill,
        // the platform answered every call (a refusal would mean the load is wrong; a 5xx, the platform).
        var beforeKill = ledger.NotAcknowledged.Where(f => f.At < killAt).Select(f => $"{f.At.TotalSeconds:0.000} s {f.Call}").ToList();
        Assert.True(beforeKill.Count == 0, $"Calls failed before the kill, under load alone:\n{string.Join("\n", beforeKill)}");
    }

    /// <summary>
    /// The embedded profile's online backup: taken with the <c>backup</c> command while partner systems write, restored by
    /// copying it into a new data folder beside the keys (kept apart, as the docs say), it starts a platform that serves
    /// every referral acknowledged before the backup began, at least at the version acknowledged then, and whose read
    /// models catch up with them by the recovery sweep alone.
    /// </summary>
    [Fact]
    public async Task A_backup_taken_under_write_load_restores_every_referral_acknowledged_before_it_began()
    {
        var data = Path.Combine(_folder.Path, "data");
        var platform = _platform = new SiloProcess("embedded", EmbeddedPlatform.Settings(data, "backup"), _folder.Path);
        await platform.StartAsync();
        var tokens = new TokenClient(() => platform.Http);
        var focalPoint = await tokens.AccessTokenAsync(CrashLoad.FocalPoint, EmbeddedPlatform.DemoSecret);
        var shelter = await tokens.AccessTokenAsync(CrashLoad.Shelter, EmbeddedPlatform.DemoSecret);
        using var loadHttp = new HttpClient { BaseAddress = platform.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var ledger = new CrashLoad(loadHttp, focalPoint, Random.Shared.Next(1, 1_000_000));
        await ledger.WarmUpAsync();
        ledger.Start(8);
        await Eventually.Until(() => Task.FromResult(ledger.AcknowledgedChanges), n => n >= CrashLoad.WarmUpChanges + 40, TimeSpan.FromSeconds(60));

        // What was acknowledged when the backup began: the promise covers these, not what comes while it runs.
        var before = new Dictionary<Guid, int>(ledger.Acknowledged);
        var offersBefore = new Dictionary<Guid, Guid>(ledger.AcknowledgedOffers);
        var backup = Path.Combine(_folder.Path, "backup");
        var taken = await PlatformExecutable.RunAsync(EmbeddedPlatform.Settings(data, "backup"), "backup", backup);
        var duringBackup = ledger.AcknowledgedChanges;
        ledger.StopSending();
        await ledger.WhenStoppedAsync();
        await platform.StopAsync();
        Note($"backup of {before.Count} acknowledged referrals taken under load ({ledger.AcknowledgedChanges - duringBackup} more changes after it): {taken.Output.Trim()}");

        Assert.True(taken.ExitCode == 0, taken.Output);
        Assert.Equal(["backup.json", "grains.db", "platform.db"], Directory.EnumerateFileSystemEntries(backup).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(ledger.AcknowledgedChanges > duringBackup || ledger.Acknowledged.Count > before.Count, "The load stopped before the backup: it proves nothing about a backup under load.");

        // The restore, as docs/backups.md says: the backup's files into a new data folder, the keys from their own copy.
        var restored = Path.Combine(_folder.Path, "restored");
        Directory.CreateDirectory(restored);
        foreach (var file in new[] { "platform.db", "grains.db" })
        {
            File.Copy(Path.Combine(backup, file), Path.Combine(restored, file));
        }

        CopyFolder(Path.Combine(data, "keys"), Path.Combine(restored, "keys"));
        var again = _platform = new SiloProcess("restored", EmbeddedPlatform.Settings(restored, "restored"), _folder.Path);
        await platform.DisposeAsync();
        await again.StartAsync();
        using var http = new HttpClient { BaseAddress = again.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var api = new Api(http, focalPoint, shelter);

        var swept = await Eventually.Until(api.ReadModelsAsync, m => Behind(before, offersBefore, m).Count == 0, ConvergenceBound);
        var behind = Behind(before, offersBefore, swept);
        Assert.True(behind.Count == 0, $"The restored platform's read models miss referrals acknowledged before the backup began:\n{string.Join("\n", behind)}\n{Logs()}");
        var referrals = await api.ReadAllAsync(before.Keys);
        var lost = before.OrderBy(a => a.Key).SelectMany(a => Problems(a.Key, referrals[a.Key], a.Value)).ToList();
        Assert.True(lost.Count == 0, $"Referrals acknowledged before the backup began, not served after the restore:\n{string.Join("\n", lost)}\n{Logs()}");
        Note($"restored: all {before.Count} referrals acknowledged before the backup read back, read models caught up by the sweep");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        // REFERRAL_NETWORK_KEEP_LOGS=<folder> keeps the platform's log and data folder of a run for a post-mortem.
        if (Environment.GetEnvironmentVariable("REFERRAL_NETWORK_KEEP_LOGS") is { Length: > 0 } keep)
        {
            var target = Directory.CreateDirectory(Path.Combine(keep, Path.GetFileName(_folder.Path))).FullName;
            foreach (var file in Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != ".in-use"))
            {
                var copy = Path.Combine(target, Path.GetRelativePath(_folder.Path, file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy, overwrite: true);
            }
        }

        _folder.Dispose();
    }

    /// <summary>What a referral read back lacks against what was acknowledged of it.</summary>
    private static IEnumerable<string> Problems(Guid id, ReadBack read, int acknowledged)
    {
        if (read.View is not { } view || read.History is not { } history)
        {
            yield return $"referral {id}: acknowledged at version {acknowledged}, read back: {read.Failure}";
            yield break;
        }

        if (view.Version < acknowledged)
        {
            yield return $"referral {id}: acknowledged at version {acknowledged}, read back at version {view.Version}";
        }

        var numbers = history.Select(h => h.Number).ToList();
        if (!numbers.SequenceEqual(Enumerable.Range(1, view.Version)))
        {
            yield return $"referral {id}: version {view.Version}, history numbered [{string.Join(",", numbers)}]";
        }
    }

    /// <summary>Acknowledged changes the read models do not show yet.</summary>
    private static List<string> Behind(CrashLoad ledger, ReadModels models) => Behind(ledger.Acknowledged, ledger.AcknowledgedOffers, models);

    private static List<string> Behind(IReadOnlyDictionary<Guid, int> acknowledgedReferrals, IReadOnlyDictionary<Guid, Guid> acknowledgedOffers, ReadModels models)
    {
        var behind = new List<string>();
        foreach (var (id, acknowledged) in acknowledgedReferrals.OrderBy(a => a.Key))
        {
            if (!models.List.TryGetValue(id, out var listed))
            {
                behind.Add($"referral {id}: acknowledged at version {acknowledged}, not in the referral list");
            }
            else if (listed < acknowledged)
            {
                behind.Add($"referral {id}: acknowledged at version {acknowledged}, the referral list shows version {listed}");
            }
        }

        foreach (var (handoff, id) in acknowledgedOffers.OrderBy(o => o.Value))
        {
            if (!models.Inbox.ContainsKey(handoff))
            {
                behind.Add($"referral {id}: the acknowledged offer {handoff} is not in the inbox of {CrashLoad.Shelter}");
            }
        }

        behind.AddRange(models.Duplicates.Select(id => $"referral {id}: listed more than once"));
        return behind;
    }

    /// <summary>Where the read models differ from the referrals as their grains answer them.</summary>
    private static List<string> Differences(Dictionary<Guid, int> versions, Dictionary<Guid, Guid> openOffers, ReadModels models)
    {
        var differences = new List<string>();
        foreach (var (id, version) in versions.OrderBy(v => v.Key))
        {
            if (!models.List.TryGetValue(id, out var listed))
            {
                differences.Add($"referral {id}: history of {version} events, not in the referral list");
            }
            else if (listed != version)
            {
                differences.Add($"referral {id}: history of {version} events, the referral list shows version {listed}");
            }
        }

        differences.AddRange(models.List.Keys.Where(id => !versions.ContainsKey(id)).Select(id => $"referral {id}: listed, but no create made it"));
        differences.AddRange(models.Duplicates.Select(id => $"referral {id}: listed more than once"));
        if (models.Total != versions.Count)
        {
            differences.Add($"the referral list counts {models.Total} referrals, {versions.Count} expected");
        }

        foreach (var (handoff, id) in openOffers.OrderBy(o => o.Value))
        {
            if (!models.Inbox.ContainsKey(handoff))
            {
                differences.Add($"referral {id}: offer {handoff} is open, not in the inbox of {CrashLoad.Shelter}");
            }
        }

        differences.AddRange(models.Inbox.Where(i => !openOffers.ContainsKey(i.Key))
            .Select(i => $"referral {i.Value}: offer {i.Key} is in the inbox of {CrashLoad.Shelter}, but not open in the referral"));
        return differences;
    }

    private void Note(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    private string Logs() => _platform is null ? "" : $"--- platform log ({_platform.LogPath}) ---\n{_platform.ReadLog()}";

    /// <summary>What the platform logged of recovery after the restart: how many referrals the sweep woke.</summary>
    private string RecoveryLines()
    {
        var lines = File.ReadLines(_platform!.LogPath).Where(l => l.Contains("Event recovery woke", StringComparison.Ordinal)
            || l.Contains("Resealed", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        return lines.Count == 0 ? "nothing logged" : string.Join(" | ", lines);
    }

    /// <summary>The read models as partners see them: the focal point's referral list (all pages) and the shelter's inbox.</summary>
    private sealed record ReadModels(Dictionary<Guid, int> List, List<Guid> Duplicates, int Total, Dictionary<Guid, Guid> Inbox);

    /// <summary>A referral and its history as its grain answers them, or why it could not be read.</summary>
    private sealed record ReadBack(ReferralView? View, IReadOnlyList<HistoryEntry>? History, string? Failure);

    /// <summary>The partner API after the restart, as the focal point and the shelter.</summary>
    private sealed class Api(HttpClient http, string focalPoint, string shelter)
    {
        public async Task<ReadModels> ReadModelsAsync()
        {
            var list = new Dictionary<Guid, int>();
            var duplicates = new List<Guid>();
            var total = 0;
            for (var page = 1; ; page++)
            {
                var items = await GetAsync<PagedList<ReferralSummary>>($"/api/v1/referrals?page={page}", focalPoint);
                total = items.Total;
                foreach (var item in items.Items)
                {
                    if (!list.TryAdd(item.Id, item.Version))
                    {
                        duplicates.Add(item.Id);
                    }
                }

                if (items.Items.Count < items.PageSize || page * items.PageSize >= items.Total)
                {
                    break;
                }
            }

            var inbox = await GetAsync<List<InboxItem>>("/api/v1/inbox", shelter);
            return new ReadModels(list, duplicates, total, inbox.ToDictionary(i => i.HandoffId, i => i.ReferralId));
        }

        /// <summary>Each referral and its history, a few at a time.</summary>
        public async Task<Dictionary<Guid, ReadBack>> ReadAllAsync(IEnumerable<Guid> ids)
        {
            var read = new ConcurrentDictionary<Guid, ReadBack>();
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) => read[id] = await ReadAsync(id));
            return new Dictionary<Guid, ReadBack>(read);
        }

        public async Task<(HttpStatusCode Status, ReferralView? View, string Text)> CreateAsync(string idempotencyKey, CreateReferralRequest body)
        {
            using var request = Request(HttpMethod.Post, "/api/v1/referrals", focalPoint);
            request.Content = JsonContent.Create(body, options: Json.Options);
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, response.IsSuccessStatusCode ? JsonSerializer.Deserialize<ReferralView>(text, Json.Options) : null, text);
        }

        private async Task<ReadBack> ReadAsync(Guid id)
        {
            using var viewResponse = await http.SendAsync(Request(HttpMethod.Get, $"/api/v1/referrals/{id}", focalPoint));
            var viewText = await viewResponse.Content.ReadAsStringAsync();
            if (!viewResponse.IsSuccessStatusCode)
            {
                return new ReadBack(null, null, $"GET answered {(int)viewResponse.StatusCode} {viewText}");
            }

            using var historyResponse = await http.SendAsync(Request(HttpMethod.Get, $"/api/v1/referrals/{id}/history", focalPoint));
            var historyText = await historyResponse.Content.ReadAsStringAsync();
            return historyResponse.IsSuccessStatusCode
                ? new ReadBack(JsonSerializer.Deserialize<ReferralView>(viewText, Json.Options), JsonSerializer.Deserialize<List<HistoryEntry>>(historyText, Json.Options), null)
                : new ReadBack(null, null, $"GET history answered {(int)historyResponse.StatusCode} {historyText}");
        }

        private async Task<T> GetAsync<T>(string path, string token)
        {
            using var response = await http.SendAsync(Request(HttpMethod.Get, path, token));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
            return JsonSerializer.Deserialize<T>(text, Json.Options)!;
        }

        private static HttpRequestMessage Request(HttpMethod method, string path, string token)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return request;
        }
    }
}
