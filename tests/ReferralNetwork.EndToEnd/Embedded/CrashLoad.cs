using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;

namespace ReferralNetwork.EndToEnd.Embedded;

/// <summary>
/// Write load from several partner systems at once, all as the Thai focal point: each client creates a referral
/// with an Idempotency-Key, then makes two to four changes to it (consent to services, consent to share with the
/// Bangkok shelter, a service offer to that shelter, a screening) before it moves on to a new one. Every change
/// carries If-Match with the version the client knows, so an acknowledged change is known to have made exactly
/// the next version (each rule records one event). The ledger holds what the API acknowledged; a call that failed
/// or was cut off by a kill is not acknowledged, and the platform owes it nothing.
/// </summary>
internal sealed class CrashLoad
{
    public const string FocalPoint = "th-focal-point";
    public const string Shelter = "th-shelter-bangkok";

    /// <summary>What the warm-up has acknowledged once it is done: its create and every change.</summary>
    public const int WarmUpChanges = 1 + 4;

    // Bounds that a platform which never answers cannot stretch: the loops end by themselves.
    private const int MaxReferralsPerClient = 500;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] Indicators = ["recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"];

    private readonly HttpClient _http;
    private readonly string _token;
    private readonly int _seed;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private int _inFlight;
    private int _acknowledgedChanges;

    public CrashLoad(HttpClient http, string token, int seed)
    {
        _http = http;
        _token = token;
        _seed = seed;
    }

    /// <summary>Referral id → the highest version the API acknowledged for it (its creation included).</summary>
    public ConcurrentDictionary<Guid, int> Acknowledged { get; } = new();

    /// <summary>Handoff id → referral id, for every offer to the shelter the API acknowledged.</summary>
    public ConcurrentDictionary<Guid, Guid> AcknowledgedOffers { get; } = new();

    /// <summary>Every create sent, acknowledged or not, by Idempotency-Key: the body a retry must repeat exactly.</summary>
    public ConcurrentDictionary<string, CreateReferralRequest> Creates { get; } = new();

    /// <summary>Idempotency-Key → the referral id its acknowledged create answered.</summary>
    public ConcurrentDictionary<string, Guid> AcknowledgedCreates { get; } = new();

    /// <summary>Calls that got no acknowledgment, with why (expected at the kill; before it, a sign of trouble).</summary>
    public ConcurrentQueue<(TimeSpan At, string Call)> NotAcknowledged { get; } = new();

    /// <summary>Answers that contradict the ledger's arithmetic (an ETag other than the next version).</summary>
    public ConcurrentQueue<string> Anomalies { get; } = new();

    public int AcknowledgedChanges => Volatile.Read(ref _acknowledgedChanges);

    /// <summary>Requests sent and not yet answered, now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public Stopwatch Clock { get; } = new();

    public void Start(int clients)
    {
        for (var client = 0; client < clients; client++)
        {
            var id = client;
            _clients.Add(Task.Run(() => ClientAsync(id)));
        }
    }

    /// <summary>No client starts another request; those under way keep going (a kill right after cuts them off).</summary>
    public void StopSending() => _stop.Cancel();

    /// <summary>Waits until every client has ended; each request is bounded by <see cref="RequestTimeout"/>.</summary>
    public Task WhenStoppedAsync() => Task.WhenAll(_clients);

    /// <summary>
    /// One referral through every change, before the load: the first calls of a fresh process are slow (JIT,
    /// connection pools, SQLite caches), and the seconds of load before the kill are for load, not for warming up.
    /// </summary>
    public async Task WarmUpAsync()
    {
        Clock.Start();
        Assert.True(await ReferralAsync($"crash-{_seed}-warm-up", "Warm-up referral.", changes: WarmUpChanges - 1), $"The warm-up referral was refused:\n{string.Join("\n", NotAcknowledged)}");
    }

    private async Task ClientAsync(int client)
    {
        // Per client, so that the number of changes per referral follows from the seed whatever the interleaving.
        var random = new Random(unchecked((_seed * 397) ^ client));
        for (var n = 0; n < MaxReferralsPerClient && !_stop.IsCancellationRequested; n++)
        {
            await ReferralAsync($"crash-{_seed}-{client}-{n}", $"Load client {client}, referral {n}.", random.Next(2, 5));
        }
    }

    /// <summary>Creates a referral, then makes the first <paramref name="changes"/> changes to it; answers whether all were acknowledged.</summary>
    private async Task<bool> ReferralAsync(string key, string summary, int changes)
    {
        var body = ReferralRequests.VietnameseWoman(summary: summary);
        Creates[key] = body;
        if (await SendAsync<ReferralView>("/api/v1/referrals", body, ifMatch: null, key) is not { } created)
        {
            return false;
        }

        var id = created.Body.Id;
        var version = created.Body.Version;
        AcknowledgedCreates[key] = id;
        Acknowledge(id, version);
        for (var step = 1; step <= changes; step++)
        {
            if (_stop.IsCancellationRequested)
            {
                return false;
            }

            var (route, request) = Change(step);
            if (await SendAsync<JsonElement>($"/api/v1/referrals/{id}/{route}", request, version, idempotencyKey: null) is not { } done)
            {
                return false;
            }

            // If-Match held, so the change was made on top of the version we knew: it is the next one.
            version++;
            if (done.Version is { } etag && etag != version)
            {
                Anomalies.Enqueue($"POST {route} of {id} with If-Match {version - 1} answered ETag {etag}");
            }

            Acknowledge(id, version);
            if (route == "handoffs")
            {
                AcknowledgedOffers[done.Body.GetProperty("id").GetGuid()] = id;
            }
        }

        return true;
    }

    private static (string Route, object Body) Change(int step) => step switch
    {
        1 => ("consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written)),
        2 => ("consents", new ConsentRequest(ConsentPurpose.Share, Shelter, true, ConsentMethod.Written)),
        3 => ("handoffs", new HandoffRequest(Shelter, HandoffKind.Service, [ServiceKind.Shelter], "Needs a bed tonight.", null, null)),
        _ => ("screening", new ScreeningRequest(Indicators)),
    };

    private void Acknowledge(Guid id, int version)
    {
        Acknowledged.AddOrUpdate(id, version, (_, known) => Math.Max(known, version));
        Interlocked.Increment(ref _acknowledgedChanges);
    }

    /// <summary>The answer if the API acknowledged the call (2xx, body read in full); null otherwise, noted with why.</summary>
    private async Task<(T Body, int? Version)?> SendAsync<T>(string path, object body, int? ifMatch, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, body.GetType(), options: Json.Options),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (ifMatch is { } expected)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{expected}\"");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        // Not the stop token: a request under way at the kill must be cut off by the kill, not by the test.
        using var timeout = new CancellationTokenSource(RequestTimeout);
        Interlocked.Increment(ref _inFlight);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                NotAcknowledged.Enqueue((Clock.Elapsed, $"POST {path}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}"));
                return null;
            }

            var version = response.Headers.ETag?.Tag is { } tag && int.TryParse(tag.Trim('"'), out var v) ? v : (int?)null;
            return (JsonSerializer.Deserialize<T>(text, Json.Options)!, version);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            NotAcknowledged.Enqueue((Clock.Elapsed, $"POST {path}: {e.GetType().Name}: {e.Message}"));
            return null;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
