using System.Collections.Concurrent;
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
/// Webhooks are at least once through a crash: the embedded platform is killed with SIGKILL while a partner's
/// receiver is slow and failing and deliveries are pending, stored, in flight or not yet made; after the restart on
/// the same data folder, every event of every change the API acknowledged reaches the receiver, with one
/// <c>webhook-id</c> per event however often it came.
/// </summary>
public sealed class WebhookCrashTests(ITestOutputHelper output) : IAsyncDisposable
{
    private const string Holder = "th-focal-point";
    private static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(90);

    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-webhook-crash");
    private SiloProcess? _platform;
    private WebhookReceiver? _receiver;

    [Fact]
    public async Task Kill_9_with_deliveries_pending_loses_none()
    {
        var receiver = _receiver = await WebhookReceiver.StartAsync();
        var accepted = new ConcurrentDictionary<(Guid Referral, int Number), ConcurrentBag<string>>();
        var failing = true;
        receiver.Answer = received =>
        {
            // Before the kill: slow, and every other delivery refused, so the kill finds some delivered, some
            // waiting for a retry and some in flight. After it: the receiver is well again.
            if (Volatile.Read(ref failing))
            {
                Thread.Sleep(200);
                if (Random.Shared.Next(2) == 0)
                {
                    return (500, null);
                }
            }

            using var body = JsonDocument.Parse(received.Body);
            var data = body.RootElement.GetProperty("data");
            if (data.TryGetProperty("referralId", out var referral))
            {
                accepted.GetOrAdd((referral.GetGuid(), data.GetProperty("number").GetInt32()), _ => []).Add(received.Id);
            }

            return (200, null);
        };

        var settings = EmbeddedPlatform.Settings(Path.Combine(_folder.Path, "data"), "hook-crash");
        settings["Webhooks__RetrySchedule"] = "0s, 1s, 1s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s";
        settings["Webhooks__LeaseDuration"] = "00:00:05";
        var platform = _platform = new SiloProcess("embedded", settings, _folder.Path);
        await platform.StartAsync();
        var token = await new TokenClient(() => platform.Http).AccessTokenAsync(Holder, EmbeddedPlatform.DemoSecret);
        using var http = new HttpClient { BaseAddress = platform.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var subscribed = await http.PostAsJsonAsync("/api/v1/webhooks", new WebhookRequest($"{receiver.BaseUrl}/hook", ["*"]), Json.Options))
        {
            Assert.True(subscribed.IsSuccessStatusCode, await subscribed.Content.ReadAsStringAsync());
        }

        // Four partner systems create referrals and record consents; every acknowledged change is one event for the holder.
        var acknowledged = new ConcurrentDictionary<Guid, int>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var referral = await ReferralRequests.CreateAsync(http);
                    acknowledged[referral.Id] = referral.Version;
                    for (var i = 0; i < 3 && !stop.IsCancellationRequested; i++)
                    {
                        using var response = await PartnerApi.PostAsync(http, $"/api/v1/referrals/{referral.Id}/consents",
                            new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Verbal));
                        if (!response.IsSuccessStatusCode)
                        {
                            break;
                        }

                        var view = (await response.Content.ReadFromJsonAsync<ReferralView>(Json.Options))!;
                        acknowledged.AddOrUpdate(referral.Id, view.Version, (_, known) => Math.Max(known, view.Version));
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return; // the kill
                }
            }
        })).ToList();

        await Eventually.Until(() => Task.FromResult(acknowledged.Values.Sum()), n => n >= 40, TimeSpan.FromSeconds(60));
        await platform.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var expected = acknowledged.SelectMany(a => Enumerable.Range(1, a.Value).Select(n => (a.Key, n))).ToHashSet();
        var before = accepted.Count;
        output.WriteLine($"killed with {expected.Count} acknowledged events on {acknowledged.Count} referrals; {before} accepted by the receiver before the kill");
        Assert.True(before < expected.Count, "Every delivery was made before the kill: the test proved nothing.");

        Volatile.Write(ref failing, false);
        await platform.StartAsync();
        var missing = await Eventually.Until(
            () => Task.FromResult(expected.Where(e => !accepted.ContainsKey(e)).ToList()), m => m.Count == 0, ConvergenceBound);
        Assert.True(missing.Count == 0,
            $"{ConvergenceBound.TotalSeconds:0} s after the restart, {missing.Count} of {expected.Count} acknowledged events never reached the receiver, e.g. " +
            $"{string.Join(", ", missing.Take(5))}\n{platform.ReadLog()}");

        // However often an event came (retries, a lease run out with the process), it came under one webhook-id.
        Assert.All(expected, e => Assert.Single(accepted[e].Distinct()));
        output.WriteLine($"all delivered; {accepted.Values.Sum(v => v.Count) - accepted.Count} duplicates, deduplicable by webhook-id");
    }

    public async ValueTask DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        _folder.Dispose();
    }
}
