using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Webhooks;

/// <summary>
/// The webhook subscriptions of the caller's organization, for the API and the console's admin pages alike (a person
/// needs the organization-admin role). Another organization's subscription does not exist to the caller: not found.
/// </summary>
public sealed class OrganizationWebhooks(
    PlatformDbContext db, EnvelopeProtector protector, WebhookTargets targets, WebhookClock clock, WebhookOptions options, WebhookSignal signal)
{
    public const int MaxDeliveriesListed = 200;

    /// <summary>The comment on the delivery log's first query (in the SQL, so in a database's own logs too).</summary>
    public const string DeliveryLogTag = "webhook delivery log";

    /// <summary>A new subscription; the answer holds its signing secret, shown only this once.</summary>
    public async Task<WebhookView> CreateAsync(Caller caller, WebhookRequest request, CancellationToken cancellationToken)
    {
        Authorize(caller);
        var events = await ValidateAsync(request, cancellationToken);
        var count = await db.WebhookSubscriptions.CountAsync(s => s.OrganizationId == caller.OrganizationId, cancellationToken);
        if (count >= options.MaxSubscriptionsPerOrganization)
        {
            throw ProblemException.NotNow(RefusalCode.TooManyWebhooks, $"An organization has at most {options.MaxSubscriptionsPerOrganization} webhook subscriptions; delete one first.");
        }

        var now = clock.Now;
        var (subscription, secret) = WebhookSubscription.Create(protector, caller.OrganizationId, request.Url, events, request.Description, now);
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return subscription.ToView(protector, now, secret);
    }

    public async Task<List<WebhookView>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        Authorize(caller);
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.OrganizationId == caller.OrganizationId).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        return [.. subscriptions.Select(s => s.ToView(protector, clock.Now))];
    }

    public async Task<WebhookView> GetAsync(Caller caller, Guid id, CancellationToken cancellationToken) =>
        (await FindAsync(caller, id, cancellationToken)).ToView(protector, clock.Now);

    /// <summary>Unsubscribes; pending deliveries are dropped with the log.</summary>
    public async Task DeleteAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(caller, id, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deliveries = db.WebhookDeliveries.Where(d => d.SubscriptionId == subscription.Id);
        await db.WebhookAttempts.Where(a => deliveries.Any(d => d.Id == a.DeliveryId)).ExecuteDeleteAsync(cancellationToken);
        await deliveries.ExecuteDeleteAsync(cancellationToken);
        await db.WebhookSubscriptions.Where(s => s.Id == subscription.Id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A new secret, shown once; deliveries carry signatures under both for the rotation overlap.</summary>
    public async Task<WebhookView> RotateSecretAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(caller, id, cancellationToken);
        var now = clock.Now;
        var secret = subscription.RotateSecret(protector, now + options.RotationOverlap);
        await db.SaveChangesAsync(cancellationToken);
        return subscription.ToView(protector, now, secret);
    }

    /// <summary>Resumes a disabled subscription; its pending deliveries go out again.</summary>
    public async Task<WebhookView> EnableAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(caller, id, cancellationToken);
        subscription.Status = WebhookStatus.Active;
        subscription.DisabledAt = null;
        subscription.DisabledReason = null;
        subscription.DisabledAnnounced = false;
        subscription.FailingSince = null;
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        return subscription.ToView(protector, clock.Now);
    }

    /// <summary>A webhook-test event to the subscription, to check the receiver and its signature check.</summary>
    public async Task<WebhookDeliveryView> TestAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(caller, id, cancellationToken);
        var now = clock.Now;
        var delivery = WebhookMessage.NewDelivery(
            subscription.Id, $"{WebhookEventTypes.Test}/{Guid.NewGuid():N}", WebhookEventTypes.Test,
            WebhookMessage.Body(WebhookEventTypes.Test, now, new WebhookTest(subscription.Id, caller.OrganizationId, now)), now, options);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        return delivery.ToView([]);
    }

    /// <summary>The delivery log, newest first, each with every attempt.</summary>
    public async Task<List<WebhookDeliveryView>> DeliveriesAsync(Caller caller, Guid id, int limit, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(caller, id, cancellationToken);
        var ids = await db.WebhookDeliveries.AsNoTracking()
            .TagWith(DeliveryLogTag)
            .Where(d => d.SubscriptionId == subscription.Id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(Math.Clamp(limit, 1, MaxDeliveriesListed))
            .Select(d => d.Id)
            .ToListAsync(cancellationToken);

        // Each delivery with its attempts in one statement, so from one snapshot: the sender commits an attempt and the
        // delivery's new status together, and two reads could show the attempt beside the status of before it.
        var rows = (await db.WebhookDeliveries.AsNoTracking()
            .Where(d => ids.Contains(d.Id))
            .SelectMany(d => db.Set<WebhookAttempt>().AsNoTracking().Where(a => a.DeliveryId == d.Id).DefaultIfEmpty(), (d, a) => new { Delivery = d, Attempt = a })
            .ToListAsync(cancellationToken)).ToLookup(r => r.Delivery.Id);
        return [.. ids.Where(rows.Contains).Select(id => rows[id].First().Delivery.ToView(rows[id].Select(r => r.Attempt).OfType<WebhookAttempt>()))];
    }

    /// <summary>Sends a delivery again, at once, with the same webhook-id, the retry schedule from its start.</summary>
    public async Task<WebhookDeliveryView> ReplayAsync(Caller caller, Guid id, Guid deliveryId, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(caller, id, cancellationToken);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == subscription.Id, cancellationToken)
            ?? throw new ProblemException(ProblemKind.NotFound, "No such delivery of this subscription.", code: RefusalCode.NotFound);

        // A replay starts the schedule again; the webhook-id stays, so a receiver that had it can tell.
        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.ScheduleStep = 0;
        delivery.NextAttemptAt = clock.Now;
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == delivery.Id).ToListAsync(cancellationToken);
        return delivery.ToView(attempts);
    }

    private static void Authorize(Caller caller) => caller.Require(CaseAction.ManageWebhooks);

    private async Task<WebhookSubscription> FindAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        Authorize(caller);
        return await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id && s.OrganizationId == caller.OrganizationId, cancellationToken)
            ?? throw new ProblemException(ProblemKind.NotFound, "No such webhook subscription.", code: RefusalCode.NotFound);
    }

    private async Task<IReadOnlyList<string>> ValidateAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var errors = FieldErrors.Of(request).Required("url", request.Url);
        if (request.Url is { Length: > 0 and <= Limits.Url } && await targets.RefusalOfAsync(request.Url, cancellationToken) is { } refusal)
        {
            errors.Add("url", refusal);
        }

        var events = (request.Events ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (events.Count == 0)
        {
            errors.Add("events", "Required: event types such as handoff-offered, or [\"*\"] for all.");
        }
        else if (events.Contains(WebhookEventTypes.All) && events.Count > 1)
        {
            errors.Add("events", "\"*\" stands alone: it means every event type.");
        }
        else
        {
            foreach (var (type, index) in events.Select((t, i) => (t, i)).Where(e => e.t != WebhookEventTypes.All && !WebhookEventTypes.Known.Contains(e.t)))
            {
                errors.Add($"events[{index}]", $"Not an event type; one of: {string.Join(", ", WebhookEventTypes.Known)}, or \"*\".");
            }
        }

        errors.ThrowIfAny();
        return events;
    }
}
