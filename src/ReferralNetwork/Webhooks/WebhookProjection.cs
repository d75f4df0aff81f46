using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Webhooks;

/// <summary>
/// Turns each referral event into deliveries for the subscriptions of the organizations it concerns: the holder and
/// the participants (as the events made them), both sides of an offer, and those an outcome is reported to. The
/// deliveries are saved with the projection's marker, in one transaction, before the sender sees them; on the
/// embedded bus the event counts as published only then, so a crash loses none.
/// </summary>
public sealed class WebhookProjection(PlatformDbContext db, WebhookClock clock, WebhookOptions options, WebhookSignal signal) : ReferralEventProjection
{
    public override string Name => "webhooks";

    /// <summary>Whether this scope queued a delivery since its last save: only then is the sender woken.</summary>
    private bool _queued;

    public override async Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        await RequireInOrderAsync(e, cancellationToken);
        var concerned = await LearnPartiesAsync(e, cancellationToken);
        concerned.UnionWith(Concerned(e));
        var type = WebhookEventTypes.Of(e.GetType());
        var subscriptions = await db.WebhookSubscriptions
            .Where(s => concerned.Contains(s.OrganizationId) && s.Status == WebhookStatus.Active)
            .ToListAsync(cancellationToken);
        string? body = null; // most events concern no subscription: serialized only for one that wants it
        foreach (var subscription in subscriptions.Where(s => s.Wants(type)))
        {
            body ??= WebhookMessage.Body(type, e.OccurredAt, e);
            db.WebhookDeliveries.Add(WebhookMessage.NewDelivery(
                subscription.Id, $"{e.ReferralId:N}/{e.Number}", type, body, clock.Now, options, e.ReferralId, e.Number));
            _queued = true;
        }
    }

    /// <summary>
    /// Wakes the sender when the save holds a delivery. Most events concern no subscription, and waking the sender for
    /// each of them made it query for due deliveries after every event (4 % of the platform's CPU under the benchmark's
    /// load, where no organization subscribes); its poll still finds anything a wake did not announce.
    /// </summary>
    public override void Saved(IReferralEvent e)
    {
        if (_queued)
        {
            _queued = false;
            signal.Wake();
        }
    }

    /// <summary>
    /// Deliveries of one referral go out in the order of their events: an event that overtook the one before it is
    /// retried until that one is in. A referral first seen mid-history (its earlier events came before this
    /// projection existed) starts where it is.
    /// </summary>
    private async Task RequireInOrderAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        if (e.Number <= 1)
        {
            return;
        }

        // The event before it is in (one lookup of the key), or none of the referral's are.
        var markers = db.Set<ProcessedEvent>().Where(p => p.Projection == Name && p.ReferralId == e.ReferralId);
        if (!await markers.AnyAsync(p => p.Number == e.Number - 1, cancellationToken) && await markers.AnyAsync(cancellationToken))
        {
            throw new EventAheadException(e, $"event {e.Number - 1}");
        }
    }

    /// <summary>The referral's holders and participants so far, this event's included (they only grow, like the access it gives).</summary>
    private async Task<HashSet<string>> LearnPartiesAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        var parties = (await db.WebhookParties.Where(p => p.ReferralId == e.ReferralId).Select(p => p.OrganizationId).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        string?[] joined = [e.Holder, (e as HandoffAccepted)?.ToOrganizationId];
        foreach (var organization in joined.OfType<string>().Where(parties.Add))
        {
            db.WebhookParties.Add(new WebhookParty { ReferralId = e.ReferralId, OrganizationId = organization });
        }

        return parties;
    }

    private static IEnumerable<string> Concerned(IReferralEvent e)
    {
        yield return e.ActingOrganizationId;
        var (from, to) = e switch
        {
            HandoffOffered h => (h.FromOrganizationId, h.ToOrganizationId),
            HandoffAccepted h => (h.FromOrganizationId, h.ToOrganizationId),
            HandoffDeclined h => (h.FromOrganizationId, h.ToOrganizationId),
            HandoffWithdrawn h => (h.FromOrganizationId, h.ToOrganizationId),
            HandoffExpired h => (h.FromOrganizationId, h.ToOrganizationId),
            _ => (null, null),
        };
        if (from is not null && to is not null)
        {
            yield return from;
            yield return to;
        }

        if (e is IReportedOutcome outcome)
        {
            foreach (var organization in outcome.ReportTo)
            {
                yield return organization;
            }
        }
    }
}

/// <summary>A disabled subscription's organization is told through its other subscriptions that ask for <c>webhook-disabled</c>.</summary>
public sealed class WebhookDisabledConsumer(PlatformDbContext db, WebhookClock clock, WebhookOptions options, WebhookSignal signal) : IConsumer<WebhookDisabled>
{
    public async Task Consume(ConsumeContext<WebhookDisabled> context)
    {
        var disabled = context.Message;
        var type = WebhookEventTypes.Of(typeof(WebhookDisabled));
        var key = $"{type}/{disabled.SubscriptionId:N}";
        var subscriptions = await db.WebhookSubscriptions
            .Where(s => s.OrganizationId == disabled.OrganizationId && s.Status == WebhookStatus.Active && s.Id != disabled.SubscriptionId)
            .Where(s => !db.Set<WebhookDelivery>().Any(d => d.SubscriptionId == s.Id && d.EventKey == key))
            .ToListAsync(context.CancellationToken);
        var body = WebhookMessage.Body(type, disabled.OccurredAt, disabled);
        foreach (var subscription in subscriptions.Where(s => s.Wants(type)))
        {
            db.WebhookDeliveries.Add(WebhookMessage.NewDelivery(subscription.Id, key, type, body, clock.Now, options));
        }

        await db.SaveChangesAsync(context.CancellationToken);
        signal.Wake();
    }
}

public sealed class WebhookDisabledConsumerDefinition : ConsumerDefinition<WebhookDisabledConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<WebhookDisabledConsumer> consumerConfigurator, IRegistrationContext context) =>
        ReferralProjectionsDefinition.RetryInPlace(consumerConfigurator);
}

/// <summary>What a delivery posts: <c>{"type", "timestamp", "data"}</c>, data being the event as published.</summary>
public static class WebhookMessage
{
    public static string Body(string type, DateTimeOffset timestamp, object data) =>
        JsonSerializer.Serialize(new Envelope(type, timestamp.ToUniversalTime(), data), Json.Options);

    public static WebhookDelivery NewDelivery(
        Guid subscriptionId, string eventKey, string type, string body, DateTimeOffset now, WebhookOptions options, Guid? referralId = null, int? number = null) => new()
    {
        Id = Guid.CreateVersion7(now),
        SubscriptionId = subscriptionId,
        EventKey = eventKey,
        Type = type,
        ReferralId = referralId,
        EventNumber = number,
        Body = body,
        CreatedAt = now,
        Status = WebhookDeliveryStatus.Pending,
        NextAttemptAt = now + options.Schedule()[0],
    };

    // Serialized as object so that the event's own type (not a base) decides its fields.
    private sealed record Envelope(string Type, DateTimeOffset Timestamp, object Data);
}
