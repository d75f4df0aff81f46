using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Benchmarks;

/// <summary>
/// One nationality of the surge: its share of the people (per mille), a language for the placeholder person, who holds
/// them (identifies them, in <see cref="IdentifiedIn"/>) and who they are returned to.
/// </summary>
public sealed record SurgeNationality(string Code, int PerMille, string Language, string Holder, string IdentifiedIn, string Target);

/// <summary>
/// The people of the surge of issue 17: many people of many nationalities released at once (from a compound across the
/// border) and handed to the Thai focal point, plus Thai nationals found on the other side, held by the Myanmar focal
/// point. Entirely synthetic: placeholder names, dates of birth drawn from a seeded generator, no real person's data.
/// </summary>
public static class SurgeCohort
{
    public const string Thailand = "th-focal-point";
    public const string Myanmar = "mm-focal-point";

    /// <summary>The countries with a focal point on the platform: their nationals go back focal point to focal point
    /// (declared before <see cref="Nationalities"/>, which reads it).</summary>
    public static readonly IReadOnlySet<string> PlatformCountries = new HashSet<string> { "VN", "KH", "LA", "MM", "TH" };

    /// <summary>The skew: most people of a few nationalities, a tail of others. Shares per mille, summing to 1000.</summary>
    public static readonly IReadOnlyList<SurgeNationality> Nationalities =
    [
        Returned("CN", 220, "zh"), Returned("MM", 130, "my"), Returned("VN", 120, "vi"), Returned("ID", 100, "id"),
        Returned("KH", 80, "km"), Returned("LA", 60, "lo"),
        new("TH", 50, "th", Myanmar, "MM", Thailand),
        Returned("PH", 45, "tl"), Returned("IN", 40, "hi"), Returned("ET", 35, "am"), Returned("KE", 25, "sw"),
        Returned("NP", 20, "ne"), Returned("BD", 18, "bn"), Returned("PK", 15, "ur"), Returned("LK", 12, "si"),
        Returned("UG", 10, "en"), Returned("NG", 8, "en"), Returned("BR", 5, "pt"), Returned("MY", 4, "ms"), Returned("KR", 3, "ko"),
    ];

    public const int BiggestGroup = 250;
    public const int SmallestGroup = 150;

    /// <summary>Identified in TH by its focal point; returned to their own focal point, or to the consular section for them in TH.</summary>
    private static SurgeNationality Returned(string code, int perMille, string language) =>
        new(code, perMille, language, Thailand, "TH", PlatformCountries.Contains(code) ? $"{code.ToLowerInvariant()}-focal-point" : Embassy(code));

    /// <summary>The consular section in TH for a nationality without a focal point (th-embassy-cn is the demo directory's own).</summary>
    public static string Embassy(string nationality) => $"th-embassy-{nationality.ToLowerInvariant()}";

    /// <summary>Every organization the surge acts as.</summary>
    public static IEnumerable<string> Organizations => Nationalities.SelectMany(n => new[] { n.Holder, n.Target }).Distinct();

    /// <summary>How many people of each nationality among <paramref name="people"/>: the shares, rounded by largest remainder.</summary>
    public static IReadOnlyList<int> Counts(int people)
    {
        var exact = Nationalities.Select(n => people * n.PerMille / 1000.0).ToList();
        var counts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        foreach (var i in exact.Select((e, i) => (Remainder: e - Math.Floor(e), i)).OrderByDescending(x => x.Remainder).Take(people - counts.Sum()).Select(x => x.i))
        {
            counts[i]++;
        }

        return counts;
    }

    /// <summary>
    /// Flights of at most <see cref="BiggestGroup"/>, as even as possible: a nationality of 1,540 flies in seven groups of
    /// 220. Fewer than <see cref="SmallestGroup"/> people (the tail, or a nationality between two flights' worth) fly in smaller groups.
    /// </summary>
    public static IReadOnlyList<int> GroupSizes(int people)
    {
        if (people == 0)
        {
            return [];
        }

        var groups = (people + BiggestGroup - 1) / BiggestGroup;
        return [.. Enumerable.Range(0, groups).Select(g => people / groups + (g < people % groups ? 1 : 0))];
    }

    /// <summary>A placeholder person: no name, date or story of anyone real.</summary>
    public static CreateReferralRequest Person(int index, SurgeNationality nationality, Random random) => new(
        new SubjectInput(
            "Synthetic",
            string.Create(CultureInfo.InvariantCulture, $"Surge-{nationality.Code}-{index:D5}"),
            random.Next(3) == 0 ? Sex.Male : Sex.Female,
            new DateOnly(1975, 1, 1).AddDays(random.Next(365 * 31)),
            nationality.Code,
            [nationality.Language, "en"]),
        nationality.IdentifiedIn,
        DateTimeOffset.UtcNow.AddDays(-1),
        [ExploitationForm.ForcedCriminality],
        "Synthetic person of the surge benchmark: released with many others from a compound; no real data.");

    /// <summary>
    /// The import-directory file the surge needs besides the demo directory: a fictional consular section in TH for each
    /// nationality without a focal point on the platform (th-embassy-cn too: the production profile's demo directory lacks
    /// it; importing adds only what is missing), each with a client of the same id and the generator's secret.
    /// </summary>
    public static string DirectoryFile(string secret)
    {
        var embassies = Nationalities.Where(n => !PlatformCountries.Contains(n.Code)).Select(n => n.Target).ToList();
        var file = new
        {
            Organizations = Nationalities.Where(n => !PlatformCountries.Contains(n.Code)).Select(n => new
            {
                Id = n.Target,
                Name = $"Benchmark consular section for {n.Code} nationals, Bangkok (fictional)",
                Country = "TH",
                Kind = "embassy",
                Nationalities = new[] { n.Code },
            }),
            Clients = embassies.Select(id => new { ClientId = id, OrganizationId = id, Secret = secret }),
        };
        return JsonSerializer.Serialize(file, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
    }
}

/// <summary>One step of the surge: its wall time, and the latency of its calls (a batch; a screening call; a group's operation to the end).</summary>
public sealed record SurgeStep(string Name, double Seconds, int People, int Groups, long Calls, long Errors, double P50Ms, double P99Ms, double MaxMs, IReadOnlyDictionary<string, long> ErrorsByKind)
{
    public double PeoplePerSecond => Seconds > 0 ? People / Seconds : 0;
}

public sealed record SurgeCohortLine(string Nationality, string Holder, string Target, int People, IReadOnlyList<int> Groups);

/// <summary>What <c>bench.sh --scenario surge</c> writes into its results folder (surge.json).</summary>
public sealed record SurgeResult(
    int People,
    int Connections,
    int BatchSize,
    int BatchesAtOnce,
    int ScreeningWorkers,
    int GroupsAtOnce,
    IReadOnlyList<SurgeCohortLine> Cohort,
    IReadOnlyList<SurgeStep> Steps,
    PhaseResult Quiet,
    IReadOnlyList<PhaseResult> During,
    double SurgeSeconds)
{
    public const double GoalRatio = 2;
}

/// <summary>
/// The surge of issue 17, end to end through the partner API: import in batches, screening and consents one person at a
/// time, then return groups per nationality, each step for every group before the next: create, offer, accept, nationality
/// verification, return plan, and the handover confirmed by both sides. Each step checks that every person got where it
/// should; a person who did not is an error of the step (and goes no further).
/// </summary>
public sealed class SurgeScenario(PlatformClient platform, IReadOnlyDictionary<string, string> tokens, IReadOnlyList<string> indicators, Action<string> log)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan OperationLimit = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, SurgeNationality> _nationalityOf = new();
    private readonly List<SurgeStep> _steps = [];
    private List<(SurgeNationality Nationality, Guid Id, List<Guid> Members)> _groups = [];

    public IReadOnlyList<SurgeStep> Steps => _steps;

    public int BatchSize { get; set; } = Limits.BatchItems;

    public int BatchesAtOnce { get; set; } = 1;

    public int ScreeningWorkers { get; set; } = 4;

    public int GroupsAtOnce { get; set; } = 1;

    /// <param name="tokens">A token per organization of <see cref="SurgeCohort.Organizations"/> (renewed during the run: <see cref="RenewedTokens"/>).</param>
    public static async Task<SurgeScenario> PrepareAsync(PlatformClient platform, IReadOnlyDictionary<string, string> tokens, Action<string> log)
    {
        var indicators = await DemoCases.PresumedVictimIndicatorsAsync(platform.For(0), tokens[SurgeCohort.Thailand]);
        return new SurgeScenario(platform, tokens, indicators, log);
    }

    public IReadOnlyList<SurgeCohortLine> Cohort(int people)
    {
        var counts = SurgeCohort.Counts(people);
        return [.. SurgeCohort.Nationalities.Select((n, i) => new SurgeCohortLine(n.Code, n.Holder, n.Target, counts[i],
            _groups.Where(g => g.Nationality == n).Select(g => g.Members.Count).ToList()))];
    }

    /// <summary>The import: every holder's people in batches of <see cref="BatchSize"/>, holders taking turns, <see cref="BatchesAtOnce"/> in flight.</summary>
    public async Task ImportAsync(int people)
    {
        var random = new Random(17);
        var run = Convert.ToHexString(Guid.NewGuid().ToByteArray()[..4]).ToLowerInvariant();
        var counts = SurgeCohort.Counts(people);
        var persons = SurgeCohort.Nationalities.SelectMany((n, i) => Enumerable.Repeat(n, counts[i])).Select((n, i) => (Index: i, Nationality: n)).ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(persons));
        var byHolder = persons.GroupBy(p => p.Nationality.Holder)
            .Select(h => h.Chunk(BatchSize).Select(batch => (Holder: h.Key, People: batch)).ToList()).ToList();
        var batches = Enumerable.Range(0, byHolder.Max(h => h.Count)).SelectMany(i => byHolder.Where(h => i < h.Count).Select(h => h[i])).ToList();
        var bodies = batches.Select(b => PlatformClient.Body(new CreateReferralBatchRequest(
            [.. b.People.Select(p => new ReferralBatchItem($"surge-{run}-{p.Index:D6}", SurgeCohort.Person(p.Index, p.Nationality, random)))]))).ToList();

        var latency = new LatencyHistogram();
        var errors = new ConcurrentDictionary<string, long>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = BatchesAtOnce }, async (i, _) =>
        {
            var (holder, batch) = batches[i];
            var started = Stopwatch.GetTimestamp();
            var reply = await PlatformClient.SendAsync(platform.For(i), HttpMethod.Post, "/api/v1/referrals/batch", tokens[holder], bodies[i], keepBody: true);
            latency.Record((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (!reply.IsSuccess)
            {
                errors.AddOrUpdate($"batch {reply.ErrorKey}", batch.Length, (_, n) => n + batch.Length);
                log($"surge: a batch of {batch.Length} answered {reply.ErrorKey}: {Encoding.UTF8.GetString(reply.Body ?? [])[..Math.Min(300, reply.Body?.Length ?? 0)]}");
                return;
            }

            var result = JsonSerializer.Deserialize<ReferralBatchResult>(reply.Body!, PlatformClient.Json)!;
            foreach (var (item, person) in result.Items.Zip(batch))
            {
                if (item.Status == BatchItemStatus.Created && item.Id is { } id)
                {
                    _nationalityOf[id] = person.Nationality;
                }
                else
                {
                    errors.AddOrUpdate($"{item.Status} {item.Problem?.Code ?? item.Problem?.Status.ToString(CultureInfo.InvariantCulture)}", 1, (_, n) => n + 1);
                }
            }

            log($"surge: batch {i + 1}/{batches.Count} ({holder}, {batch.Length} people) in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.00} s");
        });
        Add("import", watch.Elapsed.TotalSeconds, _nationalityOf.Count, 0, latency, errors);
    }

    /// <summary>Each person screened (presumed victim) and consenting to return and to sharing with the side that receives them.</summary>
    public async Task ScreenAsync()
    {
        var latency = new LatencyHistogram();
        var errors = new ConcurrentDictionary<string, long>();
        var screening = PlatformClient.Body(new ScreeningRequest(indicators));
        var toReturn = PlatformClient.Body(new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        var toShare = SurgeCohort.Nationalities.ToDictionary(n => n, n => PlatformClient.Body(new ConsentRequest(ConsentPurpose.Share, n.Target, true, ConsentMethod.Written)));
        var people = _nationalityOf.ToList();
        var failed = new ConcurrentBag<Guid>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, people.Count, new ParallelOptions { MaxDegreeOfParallelism = ScreeningWorkers }, async (i, _) =>
        {
            var (id, nationality) = people[i];
            var token = tokens[nationality.Holder];
            var referral = $"/api/v1/referrals/{id}";
            foreach (var (path, body) in new[] { (referral + "/screening", screening), (referral + "/consents", toReturn), (referral + "/consents", toShare[nationality]) })
            {
                var started = Stopwatch.GetTimestamp();
                var reply = await PlatformClient.SendAsync(platform.For(i), HttpMethod.Post, path, token, body);
                latency.Record((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                if (!reply.IsSuccess)
                {
                    errors.AddOrUpdate(reply.ErrorKey, 1, (_, n) => n + 1);
                    failed.Add(id);
                    return;
                }
            }
        });
        foreach (var id in failed)
        {
            _nationalityOf.TryRemove(id, out _);
        }

        Add("screening and consents", watch.Elapsed.TotalSeconds, _nationalityOf.Count, 0, latency, errors);
    }

    /// <summary>The return groups, step by step for all groups: each step is timed from its first call to the last group's end.</summary>
    public async Task ReturnAsync()
    {
        var plannedFor = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(14));
        await GroupStepAsync("groups: create", null, async (group, client, latency, errors) =>
        {
            var token = tokens[group.Nationality.Holder];
            var started = Stopwatch.GetTimestamp();
            var label = $"Surge flight {group.Nationality.Code} {_groups.IndexOf(group) + 1}";
            var reply = await PlatformClient.SendAsync(client, HttpMethod.Post, "/api/v1/groups", token, PlatformClient.Body(new CreateGroupRequest(label, group.Members)), keepBody: true);
            latency.Record((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (reply.Status != 201)
            {
                errors.AddOrUpdate(reply.ErrorKey, group.Members.Count, (_, n) => n + group.Members.Count);
                log($"surge: creating {label} answered {reply.ErrorKey}: {Encoding.UTF8.GetString(reply.Body ?? [])[..Math.Min(400, reply.Body?.Length ?? 0)]}");
                return null;
            }

            return JsonSerializer.Deserialize<GroupView>(reply.Body!, PlatformClient.Json)!;
        }, setUp: true);

        await OperationStepAsync("groups: offer", g => g.Holder, "offer", g => new GroupOfferRequest(g.Target, "Flight arranged for the group.", null), GroupMemberStatus.Offered);
        await OperationStepAsync("groups: accept", g => g.Target, "accept", _ => new GroupAnswerRequest(null, null), GroupMemberStatus.Accepted);
        await OperationStepAsync("groups: nationality verification", g => g.Target, "nationality-verification",
            g => new GroupVerificationRequest([.. Members(g).Select(m => new GroupVerificationItem(m, NationalityOutcome.Confirmed, null))]), GroupMemberStatus.Verified);
        await OperationStepAsync("groups: return plan", g => g.Holder, "return-plan",
            g => new GroupReturnPlanRequest(plannedFor, $"Charter flight BKK-{g.Code}", "Two escort officers",
                [.. Members(g).Select((m, i) => new GroupTravelDocument(m, i % 3 == 0 ? TravelDocument.Passport : TravelDocument.EmergencyTravelDocument))]),
            GroupMemberStatus.Planned);
        var at = DateTimeOffset.UtcNow;
        await OperationStepAsync("groups: handover, sending side", g => g.Holder, "handover",
            g => new GroupHandoverRequest(at, [.. Members(g).Select(m => new GroupHandoverItem(m, HandoverOutcome.HandedOver))]), GroupMemberStatus.Planned);
        await OperationStepAsync("groups: handover, receiving side", g => g.Target, "handover",
            g => new GroupHandoverRequest(at, [.. Members(g).Select(m => new GroupHandoverItem(m, HandoverOutcome.HandedOver))]), GroupMemberStatus.Returned);
    }

    private static IEnumerable<Guid> Members(GroupTarget group) => group.Members;

    private async Task OperationStepAsync<T>(string name, Func<SurgeNationality, string> side, string operation, Func<GroupTarget, T> body, GroupMemberStatus expected)
    {
        var bodies = _groups.ToDictionary(g => g.Id, g => PlatformClient.Body(body(new GroupTarget(g.Nationality.Code, g.Nationality.Holder, g.Nationality.Target, g.Members))));
        await GroupStepAsync(name, expected, async (group, client, latency, errors) =>
        {
            var token = tokens[side(group.Nationality)];
            var started = Stopwatch.GetTimestamp();
            var reply = await PlatformClient.SendAsync(client, HttpMethod.Post, $"/api/v1/groups/{group.Id}/{operation}", token, bodies[group.Id], keepBody: true);
            if (reply.Status != 202)
            {
                errors.AddOrUpdate(reply.ErrorKey, group.Members.Count, (_, n) => n + group.Members.Count);
                log($"surge: {name} of a group answered {reply.ErrorKey}: {Encoding.UTF8.GetString(reply.Body ?? [])[..Math.Min(400, reply.Body?.Length ?? 0)]}");
                return null;
            }

            var view = await DoneAsync(client, token, group.Id);
            latency.Record((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            return view;
        });
    }

    /// <summary>A step for every group, <see cref="GroupsAtOnce"/> at a time; members not at <paramref name="expected"/> afterwards are its errors and leave the groups.</summary>
    private async Task GroupStepAsync(
        string name, GroupMemberStatus? expected,
        Func<(SurgeNationality Nationality, Guid Id, List<Guid> Members), HttpClient, LatencyHistogram, ConcurrentDictionary<string, long>, Task<GroupView?>> step,
        bool setUp = false)
    {
        if (setUp)
        {
            // The groups are formed per nationality from the people the earlier steps got through.
            _groups = [.. SurgeCohort.Nationalities.SelectMany(n =>
            {
                var members = _nationalityOf.Where(p => p.Value == n).Select(p => p.Key).Order().ToList();
                var at = 0;
                return SurgeCohort.GroupSizes(members.Count).Select(size => (n, Guid.Empty, members.GetRange((at += size) - size, size)));
            })];
        }

        var latency = new LatencyHistogram();
        var errors = new ConcurrentDictionary<string, long>();
        var views = new ConcurrentDictionary<int, GroupView>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, _groups.Count, new ParallelOptions { MaxDegreeOfParallelism = GroupsAtOnce }, async (i, _) =>
        {
            if (await step(_groups[i], platform.For(i), latency, errors) is { } view)
            {
                views[i] = view;
            }
        });
        var seconds = watch.Elapsed.TotalSeconds;

        var kept = new List<(SurgeNationality, Guid, List<Guid>)>();
        for (var i = 0; i < _groups.Count; i++)
        {
            if (!views.TryGetValue(i, out var view))
            {
                continue;
            }

            var members = view.Members.Where(m => expected is null || m.Status == expected).Select(m => m.ReferralId).ToList();
            foreach (var wrong in view.Members.Where(m => expected is not null && m.Status != expected))
            {
                errors.AddOrUpdate($"{wrong.Status} {wrong.Problem?.Code}".Trim(), 1, (_, n) => n + 1);
            }

            if (members.Count > 0)
            {
                kept.Add((_groups[i].Nationality, view.Id, members));
            }
        }

        if (errors.Count > 0)
        {
            log($"surge: {name}: {string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}"))}");
        }

        _groups = kept;
        Add(name, seconds, kept.Sum(g => g.Item3.Count), kept.Count, latency, errors);
    }

    /// <summary>The group once its operation has reached every member.</summary>
    private async Task<GroupView> DoneAsync(HttpClient client, string token, Guid id)
    {
        var limit = Stopwatch.StartNew();
        while (true)
        {
            var reply = await PlatformClient.SendAsync(client, HttpMethod.Get, $"/api/v1/groups/{id}", token, keepBody: true);
            if (reply.IsSuccess && JsonSerializer.Deserialize<GroupView>(reply.Body!, PlatformClient.Json) is { Operation: null } view)
            {
                return view;
            }

            if (reply.Status is 401 or 403 or 404)
            {
                throw new InvalidOperationException($"Group {id}: reading it answered {reply.ErrorKey}.");
            }

            if (limit.Elapsed > OperationLimit)
            {
                throw new TimeoutException($"Group {id}: its operation did not end within {OperationLimit.TotalMinutes:0} minutes (last answer {reply.ErrorKey}).");
            }

            await Task.Delay(Poll);
        }
    }

    private void Add(string name, double seconds, int people, int groups, LatencyHistogram latency, ConcurrentDictionary<string, long> errors)
    {
        var step = new SurgeStep(name, seconds, people, groups, latency.Count, errors.Values.Sum(),
            latency.PercentileMicros(50) / 1000.0, latency.PercentileMicros(99) / 1000.0, latency.MaxMicros / 1000.0, new Dictionary<string, long>(errors));
        _steps.Add(step);
        log($"surge: {name}: {people} people{(groups > 0 ? $" in {groups} groups" : "")} in {seconds:0.0} s ({step.PeoplePerSecond:0} people/s), {step.Errors} errors");
    }
}

/// <summary>
/// Access tokens for a run longer than their lifetime (30 minutes by default): every organization's token, fetched anew
/// every 10 minutes in the background; a lookup always reads the latest.
/// </summary>
public sealed class RenewedTokens(PlatformClient platform, IEnumerable<string> organizations) : IReadOnlyDictionary<string, string>, IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(10);
    private readonly string[] _organizations = [.. organizations.Distinct()];
    private readonly CancellationTokenSource _stop = new();
    private volatile IReadOnlyDictionary<string, string> _current = new Dictionary<string, string>();
    private Task _loop = Task.CompletedTask;

    public async Task StartAsync()
    {
        _current = await platform.TokensAsync(_organizations, CancellationToken.None);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(Every, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                if (!_stop.IsCancellationRequested)
                {
                    _current = await platform.TokensAsync(_organizations, CancellationToken.None);
                }
            }
        });
    }

    public string this[string key] => _current[key];

    public IEnumerable<string> Keys => _current.Keys;

    public IEnumerable<string> Values => _current.Values;

    public int Count => _current.Count;

    public bool ContainsKey(string key) => _current.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) => _current.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _current.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>A group as the request bodies need it.</summary>
public sealed record GroupTarget(string Code, string Holder, string Target, IReadOnlyList<Guid> Members);

/// <summary>The surge's tables, printed by <c>bench surge</c> and the summary.</summary>
public static class SurgeTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Print(SurgeResult r)
    {
        var text = new StringBuilder();
        var nationalities = r.Cohort.Count(c => c.People > 0);
        text.AppendLine(Invariant, $"surge: {r.People} people of {nationalities} nationalities; batches of {r.BatchSize} ({r.BatchesAtOnce} at a time), {r.ScreeningWorkers} screening calls at a time, {r.GroupsAtOnce} group operation(s) at a time; the usual mix at {r.Connections} connections throughout");
        text.AppendLine("  " + string.Join(", ", r.Cohort.Where(c => c.People > 0).Select(c =>
            string.Create(Invariant, $"{c.Nationality} {c.People}{(c.Groups.Count > 0 ? $" ({c.Groups.Count}×{(c.Groups.Min() == c.Groups.Max() ? c.Groups[0].ToString(Invariant) : $"{c.Groups.Min()}–{c.Groups.Max()}")})" : "")}"))));
        text.AppendLine(Invariant, $"  {"step",-36} {"seconds",8} {"people",7} {"people/s",9} {"calls",7} {"p50 ms",9} {"p99 ms",9} {"errors",7}");
        foreach (var s in r.Steps)
        {
            var kinds = s.ErrorsByKind.Count == 0 ? "" : "  (" + string.Join(", ", s.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}")) + ")";
            text.AppendLine(Invariant, $"  {s.Name,-36} {s.Seconds,8:0.0} {s.People,7} {s.PeoplePerSecond,9:0.0} {s.Calls,7} {s.P50Ms,9:0.0} {s.P99Ms,9:0.0} {s.Errors,7}{kinds}");
        }

        text.AppendLine(Invariant, $"  {"surge, end to end",-36} {r.SurgeSeconds,8:0.0} {r.Steps[^1].People,7} {r.Steps[^1].People / Math.Max(r.SurgeSeconds, 0.001),9:0.0}");
        text.AppendLine("  (calls: a batch for the import, a screening or consent call, a group's operation from its POST to its end)");
        text.AppendLine();
        text.AppendLine(Invariant, $"the usual mix, {r.Connections} connections:");
        text.AppendLine(Invariant, $"  {"window",-22} {"seconds",8} {"req/s",8} {"p50 ms",8} {"p99 ms",8} {"× quiet",8} {"changes p99",12} {"errors",7}  platform CPU / machine busy (cores)");
        foreach (var p in r.During.Prepend(r.Quiet))
        {
            var ratio = r.Quiet.Mix.P99Ms > 0 ? p.Mix.P99Ms / r.Quiet.Mix.P99Ms : 0;
            text.AppendLine(Invariant,
                $"  {p.Name,-22} {p.Seconds,8:0.0} {p.Mix.RequestsPerSecond,8:0} {p.Mix.P50Ms,8:0.0} {p.Mix.P99Ms,8:0.0} {ratio,8:0.00} {p.StateChanges.P99Ms,12:0.0} {p.Mix.Errors,7}  {p.Resources.PlatformCpuCores:0.00} / {p.Resources.MachineBusyCores:0.00} of {p.Resources.Cores}");
        }

        if (r.During.FirstOrDefault(p => p.Name == "during import") is { } import && r.Quiet.Mix.P99Ms > 0)
        {
            var ratio = import.Mix.P99Ms / r.Quiet.Mix.P99Ms;
            var reached = ratio <= SurgeResult.GoalRatio && r.Steps.All(s => s.Errors == 0);
            text.AppendLine();
            text.AppendLine(Invariant,
                $"goal (issue 17): {(reached ? "reached    " : "NOT reached")}  the usual mix's p99 during the import ≤ {SurgeResult.GoalRatio:0} × quiet, every person returned; measured {import.Mix.P99Ms:0.0} ms / {r.Quiet.Mix.P99Ms:0.0} ms = {ratio:0.00} ×, {r.Steps[^1].People} of {r.People} returned");
        }

        return text.ToString();
    }
}
