using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// Partner traffic spread over the silos that are up: a few workers, each creating a referral and then
/// changing it (consents, a service handoff offered with a deadline in the caller's own time zone,
/// repeated screenings) before moving on to a new one. Every change the API acknowledged is written in
/// the ledger as the referral's version at that moment, so that what is read back later can be checked
/// against it. A failed call is only counted: the client does not know whether it was applied.
/// </summary>
public sealed class ClusterTraffic : IAsyncDisposable
{
    private const string Organization = "th-focal-point";
    private const int ChangesPerReferral = 8;
    private static readonly string[] Indicators = ["recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"];
    private static readonly TimeSpan Bangkok = TimeSpan.FromHours(7);

    private readonly ProductionCluster _cluster;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private readonly ConcurrentQueue<string> _failures = new();
    private int _silo;

    public ClusterTraffic(ProductionCluster cluster, int workers = 4)
    {
        _cluster = cluster;
        for (var i = 0; i < workers; i++)
        {
            _workers.Add(Task.Run(WorkAsync));
        }
    }

    /// <summary>Referral id → the highest version the API acknowledged for it.</summary>
    public ConcurrentDictionary<Guid, int> Acknowledged { get; } = new();

    /// <summary>Acknowledged calls, per silo name.</summary>
    public ConcurrentDictionary<string, int> AcknowledgedBySilo { get; } = new();

    /// <summary>Acknowledged changes (creations included), all silos.</summary>
    public int AcknowledgedChanges => AcknowledgedBySilo.Values.Sum();

    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>When each acknowledged change was answered, for measuring a disruption.</summary>
    public ConcurrentQueue<(TimeSpan At, Guid Referral, string Silo)> Timeline { get; } = new();

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>Waits until <paramref name="count"/> more changes have been acknowledged (or fails after a minute).</summary>
    public async Task AcknowledgeAtLeastAsync(int count, string? silo = null)
    {
        int Current() => silo is null ? AcknowledgedChanges : AcknowledgedBySilo.GetValueOrDefault(silo);
        var target = Current() + count;
        var deadline = Stopwatch.StartNew();
        while (Current() < target)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1),
                $"Traffic acknowledged {Current()} of {target} changes{(silo is null ? "" : $" through {silo}")} within a minute; failures: {string.Join("\n", _failures.TakeLast(10))}");
            await Task.Delay(50);
        }
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Guid? referral = null;
            for (var step = 0; step <= ChangesPerReferral && !_stop.IsCancellationRequested; step++)
            {
                var silo = NextSilo();
                if (silo is null)
                {
                    await Task.Delay(50);
                    continue;
                }

                try
                {
                    if (referral is null)
                    {
                        referral = await CreateAsync(silo);
                    }
                    else
                    {
                        await ChangeAsync(silo, referral.Value, step);
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    // Stopped while a call was under way: neither acknowledged nor failed.
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    _failures.Enqueue($"{Clock.Elapsed.TotalSeconds:0.0}s {silo.Name}: {e.GetType().Name}: {e.Message}");
                    await Task.Delay(20);
                }
            }
        }
    }

    private SiloProcess? NextSilo()
    {
        var running = _cluster.Silos.Where(s => s.IsRunning).ToList();
        return running.Count == 0 ? null : running[Interlocked.Increment(ref _silo) % running.Count];
    }

    private async Task<Guid?> CreateAsync(SiloProcess silo)
    {
        using var request = await _cluster.RequestAsync(HttpMethod.Post, "/api/v1/referrals", Organization, ReferralRequests.VietnameseWoman());
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await silo.Http.SendAsync(request, _stop.Token);
        var view = await AcknowledgedAsync<ReferralView>(silo, response);
        if (view is null)
        {
            return null;
        }

        Acknowledge(silo, view.Id, view.Version);
        return view.Id;
    }

    private async Task ChangeAsync(SiloProcess silo, Guid id, int step)
    {
        var path = $"/api/v1/referrals/{id}";
        object body = step switch
        {
            1 => new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written),
            2 => new ConsentRequest(ConsentPurpose.Share, "th-shelter-bangkok", true, ConsentMethod.Written),
            // A deadline written in Bangkok time: PostgreSQL stores the instant.
            3 => new HandoffRequest("th-shelter-bangkok", HandoffKind.Service, [ServiceKind.Shelter], null, DateTimeOffset.UtcNow.AddDays(3).ToOffset(Bangkok), null),
            _ => new ScreeningRequest(Indicators),
        };
        var route = step switch { 1 or 2 => "consents", 3 => "handoffs", _ => "screening" };
        using var request = await _cluster.RequestAsync(HttpMethod.Post, $"{path}/{route}", Organization, body);
        using var response = await silo.Http.SendAsync(request, _stop.Token);
        if (await AcknowledgedAsync<JsonElement>(silo, response) is { ValueKind: JsonValueKind.Object }
            && response.Headers.ETag?.Tag is { } etag
            && int.TryParse(etag.Trim('"'), out var version))
        {
            Acknowledge(silo, id, version);
        }
        else if (response.IsSuccessStatusCode && route == "handoffs")
        {
            // An offer answers the handoff, without the referral's ETag: read the version it reached.
            using var read = await _cluster.RequestAsync(HttpMethod.Get, path, Organization);
            using var current = await silo.Http.SendAsync(read, _stop.Token);
            if (await AcknowledgedAsync<ReferralView>(silo, current) is { } view)
            {
                Acknowledge(silo, id, view.Version);
            }
        }
    }

    private void Acknowledge(SiloProcess silo, Guid id, int version)
    {
        Acknowledged.AddOrUpdate(id, version, (_, known) => Math.Max(known, version));
        AcknowledgedBySilo.AddOrUpdate(silo.Name, 1, (_, n) => n + 1);
        Timeline.Enqueue((Clock.Elapsed, id, silo.Name));
    }

    private async Task<T?> AcknowledgedAsync<T>(SiloProcess silo, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
        {
            return JsonSerializer.Deserialize<T>(text, Json.Options);
        }

        // A refusal (4xx) is an answer, not a failure of the platform; it is kept for the test output all the same.
        var kind = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout ? "failure" : "refusal";
        _failures.Enqueue($"{Clock.Elapsed.TotalSeconds:0.0}s {silo.Name}: {kind} {(int)response.StatusCode} {response.RequestMessage?.RequestUri?.PathAndQuery}: {text[..Math.Min(text.Length, 300)]}");
        return default;
    }
}
