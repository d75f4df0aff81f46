using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Benchmarks;

/// <summary>An organization that identifies people and the organization of the same country it asks for services.</summary>
public sealed record CasePair(string Holder, string Country, string Target, ServiceKind Service);

/// <summary>A referral the benchmark created, and the organization that holds it (and so may read it).</summary>
public sealed record CreatedReferral(Guid Id, string Holder);

/// <summary>The demo organizations (DESIGN §5) that the scenarios act as.</summary>
public static class DemoCases
{
    public static readonly IReadOnlyList<CasePair> Pairs =
    [
        new("th-focal-point", "TH", "th-shelter-bangkok", ServiceKind.Shelter),
        new("vn-focal-point", "VN", "vn-shelter-hanoi", ServiceKind.Shelter),
        new("kh-focal-point", "KH", "kh-shelter-phnom-penh", ServiceKind.Shelter),
        new("vn-focal-point", "VN", "vn-ngo-reintegration", ServiceKind.Psychosocial),
    ];

    public static IEnumerable<string> Organizations => Pairs.SelectMany(p => new[] { p.Holder, p.Target }).Distinct();

    private static readonly string[] GivenNames =
        ["Lan", "Hoa", "Mai", "Thu", "Huong", "Linh", "Trang", "Ngoc", "Anh", "Phuong", "Yen", "Thao", "Dung", "Hanh", "Vy", "Nhung", "Quynh", "Thuy", "Ha", "Giang", "Oanh", "Tam", "Loan"];

    private static readonly string[] FamilyNames =
        ["Nguyen Thi", "Tran Thi", "Le Thi", "Pham Thi", "Hoang Thi", "Phan Thi", "Vu Thi", "Dang Thi", "Bui Thi", "Do Thi", "Ho Thi", "Ngo Thi", "Duong Thi", "Ly Thi", "Dinh Thi", "Mai Thi", "Trinh Thi", "Luong Thi", "Cao Thi"];

    private static int _people;

    /// <summary>
    /// A Vietnamese woman identified in <paramref name="country"/> after escaping a scam compound: a different one each
    /// time (name and date of birth), as a surge's people are. Until 2026-12-07 every referral of the benchmark was the
    /// same person, so every create after the first matched 20 earlier ones, and the match index searched a pile of
    /// identical encodings: a cost of that pathological case, not of the workflow (matching has its own benchmark).
    /// </summary>
    public static CreateReferralRequest Person(string country)
    {
        var i = Interlocked.Increment(ref _people);
        return new(
            new SubjectInput(GivenNames[i % GivenNames.Length], FamilyNames[i / GivenNames.Length % FamilyNames.Length], Sex.Female,
                new DateOnly(1980, 1, 1).AddDays(i * 37 % 9000), "VN", ["vi", "en"]),
            country,
            DateTimeOffset.UtcNow.AddHours(-2),
            [ExploitationForm.ForcedCriminality],
            "Escaped a compound near the border; passport held by the compound.");
    }

    public static async Task<IReadOnlyList<string>> PresumedVictimIndicatorsAsync(HttpClient client, string token)
    {
        var reply = await PlatformClient.SendAsync(client, HttpMethod.Get, "/api/v1/indicators", token, keepBody: true);
        if (!reply.IsSuccess)
        {
            throw new InvalidOperationException($"GET /api/v1/indicators answered {reply.ErrorKey}");
        }

        var indicators = JsonSerializer.Deserialize<List<IndicatorView>>(reply.Body!, PlatformClient.Json)!;

        // One act, one means and one purpose: the Palermo rule makes her a presumed victim.
        return [.. new[] { PalermoElement.Act, PalermoElement.Means, PalermoElement.Purpose }.Select(e => indicators.First(i => i.Element == e).Code)];
    }

    public static Guid IdFromLocation(string? location) =>
        location is null ? throw new InvalidOperationException("A create answered without a Location.") : Guid.Parse(location[(location.LastIndexOf('/') + 1)..]);
}

/// <summary>
/// The workflow mix of issue 5: each worker plays one case after another for one pair of organizations:
/// create, read, screening, consent to services, consent to share with the target, service handoff offer,
/// the target's inbox and acceptance, read, list. Every call is expected to succeed.
/// </summary>
public sealed class MixScenario
{
    private readonly PlatformClient _platform;
    private readonly IReadOnlyDictionary<string, string> _tokens;
    private readonly IReadOnlyList<string> _indicators;
    private readonly IReadOnlyDictionary<CasePair, PairBodies> _bodies;
    private readonly byte[] _screening;
    private readonly byte[] _servicesConsent = PlatformClient.Body(new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written));

    public readonly Operation Create = new("create", true);
    public readonly Operation Get = new("get", false);
    public readonly Operation Screening = new("screening", true);
    public readonly Operation Consent = new("consent", true);
    public readonly Operation Offer = new("offer", true);
    public readonly Operation Inbox = new("inbox", false);
    public readonly Operation Accept = new("accept", true);
    public readonly Operation List = new("list", false);

    public ConcurrentQueue<CreatedReferral> Created { get; } = new();

    private MixScenario(PlatformClient platform, IReadOnlyDictionary<string, string> tokens, IReadOnlyList<string> indicators)
    {
        _platform = platform;
        _tokens = tokens;
        _indicators = indicators;
        _screening = PlatformClient.Body(new ScreeningRequest(indicators));
        _bodies = DemoCases.Pairs.ToDictionary(p => p, p => new PairBodies(
            PlatformClient.Body(DemoCases.Person(p.Country)),
            PlatformClient.Body(new ConsentRequest(ConsentPurpose.Share, p.Target, true, ConsentMethod.Written)),
            PlatformClient.Body(new HandoffRequest(p.Target, HandoffKind.Service, [p.Service], "Needs a safe place and medical care.", null, null))));
    }

    public IReadOnlyList<Operation> Operations => [Create, Get, Screening, Consent, Offer, Inbox, Accept, List];

    public static async Task<MixScenario> PrepareAsync(PlatformClient platform, CancellationToken cancellationToken) =>
        await PrepareAsync(platform, await platform.TokensAsync(DemoCases.Organizations, cancellationToken));

    /// <param name="tokens">A token per organization of <see cref="DemoCases.Organizations"/>, read at each case (they may be renewed).</param>
    public static async Task<MixScenario> PrepareAsync(PlatformClient platform, IReadOnlyDictionary<string, string> tokens)
    {
        var indicators = await DemoCases.PresumedVictimIndicatorsAsync(platform.For(0), tokens[DemoCases.Pairs[0].Holder]);
        return new MixScenario(platform, tokens, indicators);
    }

    /// <summary>The same mix with its counters at zero (an operation's latencies belong to one phase), and the same tokens.</summary>
    public MixScenario Fresh() => new(_platform, _tokens, _indicators);

    public async Task WorkerAsync(int worker, LoadRun run)
    {
        var pair = DemoCases.Pairs[worker % DemoCases.Pairs.Count];
        var client = _platform.For(worker);
        var bodies = _bodies[pair];
        while (!run.Stopping)
        {
            // Per case: a long phase (the surge's) outlives an access token, and its tokens are renewed meanwhile.
            await CaseAsync(client, run, pair, _tokens[pair.Holder], _tokens[pair.Target], bodies);
        }
    }

    /// <summary>One case; the first unexpected answer ends it (counted as an error) and the worker starts the next.</summary>
    private async Task CaseAsync(HttpClient client, LoadRun run, CasePair pair, string holder, string target, PairBodies bodies)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await PlatformClient.SendAsync(client, HttpMethod.Post, "/api/v1/referrals", holder, bodies.Create, idempotencyKey: Guid.NewGuid().ToString("N"));
        if (!run.Record(Create, started, reply) || run.Stopping)
        {
            return;
        }

        var id = DemoCases.IdFromLocation(reply.Location);
        Created.Enqueue(new CreatedReferral(id, pair.Holder));
        var referral = $"/api/v1/referrals/{id}";

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Get, referral, holder);
        if (!run.Record(Get, started, reply))
        {
            return;
        }

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Post, referral + "/screening", holder, _screening, ifMatch: reply.ETag);
        if (!run.Record(Screening, started, reply))
        {
            return;
        }

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Post, referral + "/consents", holder, _servicesConsent, ifMatch: reply.ETag);
        if (!run.Record(Consent, started, reply))
        {
            return;
        }

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Post, referral + "/consents", holder, bodies.ShareConsent, ifMatch: reply.ETag);
        if (!run.Record(Consent, started, reply))
        {
            return;
        }

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Post, referral + "/handoffs", holder, bodies.Offer, ifMatch: reply.ETag, keepBody: true);
        if (!run.Record(Offer, started, reply))
        {
            return;
        }

        var handoff = JsonSerializer.Deserialize<HandoffView>(reply.Body!, PlatformClient.Json)!.Id;

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Get, "/api/v1/inbox", target);
        if (!run.Record(Inbox, started, reply))
        {
            return;
        }

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Post, $"{referral}/handoffs/{handoff}/accept", target);
        if (!run.Record(Accept, started, reply))
        {
            return;
        }

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Get, referral, holder);
        if (!run.Record(Get, started, reply))
        {
            return;
        }

        started = Stopwatch.GetTimestamp();
        reply = await PlatformClient.SendAsync(client, HttpMethod.Get, "/api/v1/referrals", holder);
        run.Record(List, started, reply);
    }

    private sealed record PairBodies(byte[] Create, byte[] ShareConsent, byte[] Offer);
}

/// <summary>Reads of one referral (GET /api/v1/referrals/{id}) chosen at random among referrals already active in the silo.</summary>
public sealed class ReadScenario
{
    private readonly PlatformClient _platform;
    private readonly IReadOnlyList<(string Path, string Token)> _targets;

    public readonly Operation Get = new("get", false);

    private ReadScenario(PlatformClient platform, IReadOnlyList<(string Path, string Token)> targets)
    {
        _platform = platform;
        _targets = targets;
    }

    public IReadOnlyList<Operation> Operations => [Get];

    /// <summary>Creates <paramref name="count"/> referrals, spread over the holders, to read afterwards.</summary>
    public static async Task<ReadScenario> PrepareAsync(PlatformClient platform, int count, CancellationToken cancellationToken)
    {
        var holders = DemoCases.Pairs.Select(p => (p.Holder, p.Country)).Distinct().ToList();
        var tokens = await platform.TokensAsync(holders.Select(h => h.Holder), cancellationToken);
        var targets = new ConcurrentBag<(string, string)>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, _) =>
        {
            var (holder, country) = holders[i % holders.Count];
            var reply = await PlatformClient.SendAsync(platform.For(i), HttpMethod.Post, "/api/v1/referrals", tokens[holder], PlatformClient.Body(DemoCases.Person(country)));
            if (!reply.IsSuccess)
            {
                throw new InvalidOperationException($"Creating the referrals to read failed: {reply.ErrorKey}");
            }

            targets.Add(($"/api/v1/referrals/{DemoCases.IdFromLocation(reply.Location)}", tokens[holder]));
        });
        return new ReadScenario(platform, [.. targets]);
    }

    public async Task WorkerAsync(int worker, LoadRun run)
    {
        var client = _platform.For(worker);
        var random = new Random(worker);
        while (!run.Stopping)
        {
            var (path, token) = _targets[random.Next(_targets.Count)];
            var started = Stopwatch.GetTimestamp();
            var reply = await PlatformClient.SendAsync(client, HttpMethod.Get, path, token);
            run.Record(Get, started, reply);
        }
    }
}
