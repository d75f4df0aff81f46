using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;
using ReferralNetwork.Webhooks;
using StandardWebhooks;
using static ReferralNetwork.Tests.Webhooks.WebhookCalls;

namespace ReferralNetwork.Tests.Webhooks;

/// <summary>
/// What a partner's receiver sees: every delivery verifies with an independent Standard Webhooks implementation
/// (the StandardWebhooks package), the events concern its organization and come in their order, a failure is
/// retried on the configured schedule with every attempt in the log, a 410 disables, a replay keeps the webhook-id.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Every_delivery_verifies_with_an_independent_implementation_and_reaches_only_the_organizations_concerned()
    {
        await using var factory = Platform(_data.Path, clock: null);
        using var thai = await factory.ClientForAsync("th-focal-point");
        using var viet = await factory.ClientForAsync("vn-focal-point");
        using var cambodia = await factory.ClientForAsync("kh-focal-point");
        var thaiHook = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/th", "*");
        var vietHook = await SubscribeAsync(viet, $"{_receiver.BaseUrl}/vn", "handoff-offered");
        await SubscribeAsync(cambodia, $"{_receiver.BaseUrl}/kh", "*");
        Assert.StartsWith("whsec_", thaiHook.Secret);
        Assert.Equal(32, Convert.FromBase64String(thaiHook.Secret!["whsec_".Length..]).Length);

        // Thailand identifies, screens, records consents and offers the return to Viet Nam.
        var referral = await ReferralRequests.CreateAsync(thai);
        var path = $"/api/v1/referrals/{referral.Id}";
        using (await PartnerApi.PostAsync(thai, $"{path}/screening", new ScreeningRequest(["recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"]))) { }
        await PartnerApi.ChangeAsync(thai, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(thai, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Written));
        using (var offer = await PartnerApi.PostAsync(thai, $"{path}/handoffs", new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null)))
        {
            Assert.Equal(HttpStatusCode.Created, offer.StatusCode);
        }

        var thaiReceived = await Eventually.Until(() => Task.FromResult(_receiver.At("/th")), r => r.Count >= 5);
        var vietReceived = await Eventually.Until(() => Task.FromResult(_receiver.At("/vn")), r => r.Count >= 1);

        // Thailand hears all five events of its referral, in their order; Viet Nam the offer made to it; Cambodia nothing.
        Assert.Equal(["referral-identified", "referral-screened", "consent-recorded", "consent-recorded", "handoff-offered"], thaiReceived.Select(TypeOf));
        Assert.Equal([1, 2, 3, 4, 5], thaiReceived.Select(r => Data(r).GetProperty("number").GetInt32()));
        Assert.All(thaiReceived, r => Assert.Equal(referral.Id, Data(r).GetProperty("referralId").GetGuid()));
        Assert.Equal(["handoff-offered"], vietReceived.Select(TypeOf));
        Assert.Equal("vn-focal-point", Data(vietReceived[0]).GetProperty("toOrganizationId").GetString());
        Assert.Empty(_receiver.At("/kh"));

        foreach (var received in thaiReceived)
        {
            new StandardWebhook(thaiHook.Secret!).Verify(received.Body, received.Headers);
        }

        new StandardWebhook(vietHook.Secret!).Verify(vietReceived[0].Body, vietReceived[0].Headers);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => new StandardWebhook(vietHook.Secret!).Verify(thaiReceived[0].Body, thaiReceived[0].Headers));

        // After a rotation a delivery verifies under the new secret and, during the overlap, under the old one.
        using var rotated = await PartnerApi.PostAsync(thai, $"/api/v1/webhooks/{thaiHook.Id}/rotate-secret", null);
        var newSecret = (await PartnerApi.ReadAsync<WebhookView>(rotated)).Secret!;
        Assert.NotEqual(thaiHook.Secret, newSecret);
        var test = await SendTestAsync(thai, thaiHook.Id);
        var testReceived = await Eventually.Until(() => Task.FromResult(_receiver.At("/th").Where(r => r.Id == test.WebhookId).ToList()), r => r.Count == 1);
        Assert.Equal("webhook-test", TypeOf(testReceived.Single()));
        var rotation = testReceived.Single();
        new StandardWebhook(newSecret).Verify(rotation.Body, rotation.Headers);
        // StandardWebhooks 1.1.2 stops after the first signature of a list, so each is handed to it alone.
        var signatures = rotation.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        new StandardWebhook(thaiHook.Secret!).Verify(rotation.Body, WithSignature(rotation, signatures[1]));
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => new StandardWebhook(thaiHook.Secret!).Verify(rotation.Body, WithSignature(rotation, signatures[0])));

        // The secret is shown only when made: reads never carry it.
        Assert.Null((await GetAsync(thai, thaiHook.Id)).Secret);
    }

    [Fact]
    public async Task A_500_is_retried_on_the_configured_schedule_and_every_attempt_is_in_the_log()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = Platform(_data.Path, clock, new() { ["Webhooks:RetrySchedule"] = "0s, 5s, 5m, 30m" });
        _receiver.Answer = _ => (500, null);
        using var thai = await factory.ClientForAsync("th-focal-point");
        var hook = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/failing", "*");
        var sent = await SendTestAsync(thai, hook.Id);

        TimeSpan[] delays = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30)];
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var log = await DeliveryWhenAsync(thai, hook.Id, sent.Id, d => d.Attempts.Count == attempt);
            var last = log.Attempts[^1];
            Assert.Equal((500, WebhookAttemptOutcome.Failed), (last.ResponseStatus!.Value, last.Outcome));
            if (attempt < 4)
            {
                // Due exactly one step of the schedule after the failure (jitter is off in this test), and not sent before.
                Assert.Equal(WebhookDeliveryStatus.Pending, log.Status);
                Assert.Equal(last.At + delays[attempt - 1], last.NextAttemptAt);
                clock.Advance(delays[attempt - 1] - TimeSpan.FromSeconds(1));
                Assert.Equal(attempt, (await DeliveriesAsync(thai, hook.Id)).Single(d => d.Id == sent.Id).Attempts.Count);
                clock.Advance(TimeSpan.FromSeconds(1));
            }
            else
            {
                Assert.Equal(WebhookDeliveryStatus.Failed, log.Status);
                Assert.Null(last.NextAttemptAt);
            }
        }

        // Four attempts reached the receiver, all with the one webhook-id.
        var received = _receiver.At("/failing");
        Assert.Equal(4, received.Count);
        Assert.Equal([sent.WebhookId], received.Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task The_delivery_log_shows_an_attempt_only_beside_the_status_it_left()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lastAttempt = new WhileTheLogIsRead();
        await using var factory = Platform(
            _data.Path, clock, new() { ["Webhooks:RetrySchedule"] = "0s, 5s" },
            services => services.ConfigureDbContext<SqlitePlatformDbContext>(o => o.AddInterceptors(lastAttempt)));
        _receiver.Answer = _ => (500, null);
        using var thai = await factory.ClientForAsync("th-focal-point");
        var hook = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/failing", "*");
        var sent = await SendTestAsync(thai, hook.Id);
        await DeliveryWhenAsync(thai, hook.Id, sent.Id, d => d.Attempts.Count == 1);

        // The sender makes its last attempt, and fails the delivery, while the log is being read.
        var platformDb = Path.Combine(_data.Path, "platform.db");
        lastAttempt.Arm(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            await Eventually.Until(() => AttemptsAsync(platformDb), count => count == 2, TimeSpan.FromSeconds(60));
        });
        var log = (await DeliveriesAsync(thai, hook.Id)).Single(d => d.Id == sent.Id);

        Assert.True(lastAttempt.Ran);
        Assert.Equal((2, WebhookDeliveryStatus.Failed), (log.Attempts.Count, log.Status));
    }

    private static async Task<long> AttemptsAsync(string database)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM WebhookAttempts";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Once armed, runs its action after the delivery log's first query has read, before the log's next read.</summary>
    private sealed class WhileTheLogIsRead : DbCommandInterceptor
    {
        private Func<Task>? _action;

        public bool Ran { get; private set; }

        public void Arm(Func<Task> action) => _action = action;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains(OrganizationWebhooks.DeliveryLogTag, StringComparison.Ordinal) && Interlocked.Exchange(ref _action, null) is { } action)
            {
                await action();
                Ran = true;
            }

            return result;
        }
    }

    [Fact]
    public async Task A_410_disables_the_subscription_and_the_organization_is_told()
    {
        await using var factory = Platform(_data.Path, clock: null);
        _receiver.Answer = r => (r.Path == "/gone" ? 410 : 200, null);
        using var thai = await factory.ClientForAsync("th-focal-point");
        var gone = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/gone", "*");
        var watcher = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/watcher", "webhook-disabled");

        var sent = await SendTestAsync(thai, gone.Id);
        var log = await DeliveryWhenAsync(thai, gone.Id, sent.Id, d => d.Status == WebhookDeliveryStatus.Failed);
        Assert.Equal((410, WebhookAttemptOutcome.Gone), (log.Attempts.Single().ResponseStatus!.Value, log.Attempts.Single().Outcome));
        var disabled = await GetAsync(thai, gone.Id);
        Assert.Equal((WebhookStatus.Disabled, WebhookDisabledReason.Gone), (disabled.Status, disabled.DisabledReason));

        var told = await Eventually.Until(() => Task.FromResult(_receiver.At("/watcher")), r => r.Count >= 1);
        Assert.Equal("webhook-disabled", TypeOf(told.Single()));
        Assert.Equal(gone.Id, Data(told.Single()).GetProperty("subscriptionId").GetGuid());
        Assert.Equal("gone", Data(told.Single()).GetProperty("reason").GetString());
        new StandardWebhook(watcher.Secret!).Verify(told.Single().Body, told.Single().Headers);

        // Nothing more goes to a disabled subscription until it is enabled again.
        _receiver.Answer = _ => (200, null);
        var held = await SendTestAsync(thai, gone.Id);
        using (var enable = await PartnerApi.PostAsync(thai, $"/api/v1/webhooks/{gone.Id}/enable", null))
        {
            Assert.Equal(WebhookStatus.Active, (await PartnerApi.ReadAsync<WebhookView>(enable)).Status);
        }

        await DeliveryWhenAsync(thai, gone.Id, held.Id, d => d.Status == WebhookDeliveryStatus.Delivered);
        Assert.Equal(2, _receiver.At("/gone").Count);
    }

    [Fact]
    public async Task Five_days_of_failures_disable_the_subscription()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = Platform(_data.Path, clock, new() { ["Webhooks:RetrySchedule"] = "0s, 2d, 2d, 2d, 2d" });
        _receiver.Answer = _ => (503, null);
        using var thai = await factory.ClientForAsync("th-focal-point");
        var hook = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/down", "*");
        var sent = await SendTestAsync(thai, hook.Id);

        // Failures at day 0, 2 and 4 leave it active; the one at day 6 is past the five days.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await DeliveryWhenAsync(thai, hook.Id, sent.Id, d => d.Attempts.Count == attempt);
            Assert.Equal(WebhookStatus.Active, (await GetAsync(thai, hook.Id)).Status);
            clock.Advance(TimeSpan.FromDays(2));
        }

        await DeliveryWhenAsync(thai, hook.Id, sent.Id, d => d.Attempts.Count == 4);
        var disabled = await GetAsync(thai, hook.Id);
        Assert.Equal((WebhookStatus.Disabled, WebhookDisabledReason.Failing), (disabled.Status, disabled.DisabledReason));
        Assert.NotNull(disabled.FailingSince);
    }

    [Fact]
    public async Task Retry_After_of_a_429_decides_the_next_try()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = Platform(_data.Path, clock);
        _receiver.Answer = _ => (429, 120);
        using var thai = await factory.ClientForAsync("th-focal-point");
        var hook = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/busy", "*");
        var sent = await SendTestAsync(thai, hook.Id);
        var log = await DeliveryWhenAsync(thai, hook.Id, sent.Id, d => d.Attempts.Count == 1);
        Assert.Equal(log.Attempts[0].At + TimeSpan.FromSeconds(120), log.Attempts[0].NextAttemptAt);
    }

    [Fact]
    public async Task A_replay_sends_the_delivery_again_with_the_same_webhook_id()
    {
        await using var factory = Platform(_data.Path, clock: null);
        using var thai = await factory.ClientForAsync("th-focal-point");
        var hook = await SubscribeAsync(thai, $"{_receiver.BaseUrl}/replay", "*");
        var sent = await SendTestAsync(thai, hook.Id);
        await DeliveryWhenAsync(thai, hook.Id, sent.Id, d => d.Status == WebhookDeliveryStatus.Delivered);

        using (var replay = await PartnerApi.PostAsync(thai, $"/api/v1/webhooks/{hook.Id}/deliveries/{sent.Id}/replay", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        }

        var log = await DeliveryWhenAsync(thai, hook.Id, sent.Id, d => d.Attempts.Count == 2 && d.Status == WebhookDeliveryStatus.Delivered);
        Assert.Equal([1, 2], log.Attempts.Select(a => a.Number));
        var received = _receiver.At("/replay");
        Assert.Equal(2, received.Count);
        Assert.Equal([sent.WebhookId, sent.WebhookId], received.Select(r => r.Id));
        Assert.Equal(received[0].Body, received[1].Body);
        foreach (var r in received)
        {
            new StandardWebhook(hook.Secret!).Verify(r.Body, r.Headers);
        }
    }

    private static HeaderDictionary WithSignature(ReceivedWebhook received, string signature) =>
        new(received.Headers.ToDictionary(h => h.Key, h => h.Key == "webhook-signature" ? new StringValues(signature) : h.Value));

    private static string TypeOf(ReceivedWebhook received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("type").GetString()!;

    private static JsonElement Data(ReceivedWebhook received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("data").Clone();
}
