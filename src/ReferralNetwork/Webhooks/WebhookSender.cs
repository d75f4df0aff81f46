using System.Net;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Webhooks;

/// <summary>
/// Posts due deliveries, on every silo. A silo claims a delivery by a conditional update (its lease ran out, or it
/// has none), so two silos never send one at the same time, and one that dies with a claim frees it when the lease
/// runs out (at least once: receivers deduplicate on <c>webhook-id</c>). Only the oldest pending delivery of each
/// subscription and referral is due, so one referral's events arrive in their order.
/// </summary>
public sealed class WebhookSender(
    IServiceScopeFactory scopes, IHttpClientFactory http, IBus bus, EnvelopeProtector protector, WebhookClock clock, WebhookOptions options,
    WebhookSignal signal, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int BatchSize = 16;

    private readonly string _owner = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly IReadOnlyList<TimeSpan> _schedule = options.Schedule();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                await AnnounceDisabledAsync(stoppingToken);
                sent = await SendDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Webhook sender pass failed; trying again");
            }

            if (sent < BatchSize)
            {
                try
                {
                    await signal.WaitAsync(options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and sends what is due now; answers how many it claimed.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(cancellationToken);
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (id, ct) => await SendAsync(id, ct));
        return claimed.Count;
    }

    private async Task<List<Guid>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var now = clock.Now;
        var candidates = await db.WebhookDeliveries
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
            .Where(d => db.Set<WebhookSubscription>().Any(s => s.Id == d.SubscriptionId && s.Status == WebhookStatus.Active))
            .Where(d => d.ReferralId == null || !db.Set<WebhookDelivery>().Any(earlier =>
                earlier.SubscriptionId == d.SubscriptionId && earlier.ReferralId == d.ReferralId
                && earlier.EventNumber < d.EventNumber && earlier.Status == WebhookDeliveryStatus.Pending))
            .OrderBy(d => d.NextAttemptAt)
            .Select(d => d.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);

        var claimed = new List<Guid>();
        foreach (var id in candidates)
        {
            var leaseUntil = now + options.LeaseDuration;
            var rows = await db.WebhookDeliveries
                .Where(d => d.Id == id && d.Status == WebhookDeliveryStatus.Pending && (d.LeaseUntil == null || d.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, _owner).SetProperty(d => d.LeaseUntil, leaseUntil), cancellationToken);
            if (rows == 1)
            {
                claimed.Add(id);
            }
        }

        return claimed;
    }

    private async Task SendAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == id && d.LeaseOwner == _owner, cancellationToken);
        var subscription = delivery is null ? null : await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
        if (delivery is null || subscription is null)
        {
            return; // deleted meanwhile, or the lease went to another silo
        }

        var started = clock.Now;
        var startedTicks = clock.Time.GetTimestamp();
        var opened = subscription.Open(protector, started);
        var (outcome, status, retryAfter) = await PostAsync(delivery, opened, started, cancellationToken);
        var duration = clock.Time.GetElapsedTime(startedTicks);
        var finished = clock.Now;

        delivery.Attempts++;
        delivery.ScheduleStep++;
        delivery.LeaseOwner = null;
        delivery.LeaseUntil = null;
        if (outcome == WebhookAttemptOutcome.Delivered)
        {
            delivery.Status = WebhookDeliveryStatus.Delivered;
            delivery.NextAttemptAt = null;
            subscription.FailingSince = null;
        }
        else
        {
            subscription.FailingSince ??= started;
            if (outcome == WebhookAttemptOutcome.Gone)
            {
                subscription.Disable(WebhookDisabledReason.Gone, finished);
            }
            else if (finished - subscription.FailingSince >= options.DisableAfter)
            {
                subscription.Disable(WebhookDisabledReason.Failing, finished);
            }

            if (outcome == WebhookAttemptOutcome.Gone || delivery.ScheduleStep >= _schedule.Count)
            {
                delivery.Status = WebhookDeliveryStatus.Failed;
                delivery.NextAttemptAt = null;
            }
            else
            {
                var delay = retryAfter is { } asked ? Min(asked, options.MaxRetryAfter) : Jittered(_schedule[delivery.ScheduleStep]);
                delivery.NextAttemptAt = finished + delay;
            }
        }

        db.WebhookAttempts.Add(new WebhookAttempt
        {
            DeliveryId = delivery.Id,
            Number = delivery.Attempts,
            At = started,
            DurationMs = (int)Math.Min(int.MaxValue, duration.TotalMilliseconds),
            ResponseStatus = status,
            Outcome = outcome,
            NextAttemptAt = delivery.NextAttemptAt,
        });
        await db.SaveChangesAsync(cancellationToken);
        if (subscription.Status == WebhookStatus.Disabled)
        {
            await AnnounceDisabledAsync(cancellationToken);
        }
    }

    private async Task<(WebhookAttemptOutcome Outcome, int? Status, TimeSpan? RetryAfter)> PostAsync(
        WebhookDelivery delivery, WebhookSubscription.Opened target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.WebhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Header(delivery.WebhookId, timestamp, delivery.Body, target.Secrets));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (WebhookAttemptOutcome.Delivered, status, null);
            }

            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return (WebhookAttemptOutcome.Gone, status, null);
            }

            TimeSpan? retryAfter = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                ? response.Headers.RetryAfter switch
                {
                    { Delta: { } delta } => delta,
                    { Date: { } date } => date - now > TimeSpan.Zero ? date - now : TimeSpan.Zero,
                    _ => null,
                }
                : null;
            return (WebhookAttemptOutcome.Failed, status, retryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (WebhookAttemptOutcome.Timeout, null, null);
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookTargetRefusedException)
        {
            logger.LogWarning("Webhook delivery {WebhookId} refused: {Reason}", delivery.WebhookId, e.InnerException.Message);
            return (WebhookAttemptOutcome.TargetRefused, null, null);
        }
        catch (HttpRequestException)
        {
            return (WebhookAttemptOutcome.Unreachable, null, null);
        }
    }

    /// <summary>Publishes <see cref="WebhookDisabled"/> for each disabled subscription not yet announced (again after a crash: consumers deduplicate).</summary>
    private async Task AnnounceDisabledAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var unannounced = await db.WebhookSubscriptions.Where(s => s.Status == WebhookStatus.Disabled && !s.DisabledAnnounced).ToListAsync(cancellationToken);
        foreach (var subscription in unannounced)
        {
            await bus.Publish(new WebhookDisabled(
                subscription.Id, subscription.OrganizationId, subscription.DisabledAt ?? clock.Now, subscription.DisabledReason ?? WebhookDisabledReason.Failing,
                subscription.FailingSince), cancellationToken);
            subscription.DisabledAnnounced = true;
            await db.SaveChangesAsync(cancellationToken);
            logger.LogWarning("Webhook subscription {Subscription} of {Organization} disabled ({Reason})",
                subscription.Id, subscription.OrganizationId, subscription.DisabledReason);
        }
    }

    private TimeSpan Jittered(TimeSpan delay) =>
        options.Jitter <= 0 || delay == TimeSpan.Zero ? delay : delay * (1 + ((Random.Shared.NextDouble() * 2) - 1) * options.Jitter);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
