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
public sealed class WebhookProjection(PlatformDbContext db, EventDelivery delivery, WebhookClock clock, WebhookOptions options, WebhookSignal signal, PlatformWriter writer)
    : ReferralEventProjection(db, delivery, writer),
    IConsumer<ReferralIdentified>, IConsumer<ReferralScreened>, IConsumer<ConsentRecorded>, IConsumer<HandoffOffered>,
    IConsumer<HandoffAccepted>, IConsumer<HandoffDeclined>, IConsumer<HandoffWithdrawn>, IConsumer<HandoffExpired>,
    IConsumer<NationalityVerified>, IConsumer<NationalityRejected>, IConsumer<ReturnPlanned>, IConsumer<ReturnConfirmed>,
    IConsumer<ServiceRecorded>, IConsumer<EmergencyAccessOpened>, IConsumer<ReferralClosed>,
    IConsumer<SubjectCorrected>, IConsumer<SubjectDocumentAdded>, IConsumer<ReferralLinked>
{
    public Task Consume(ConsumeContext<ReferralIdentified> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ReferralScreened> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ConsentRecorded> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<HandoffOffered> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<HandoffAccepted> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<HandoffDeclined> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<HandoffWithdrawn> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<HandoffExpired> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<NationalityVerified> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<NationalityRejected> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ReturnPlanned> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ReturnConfirmed> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ServiceRecorded> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<EmergencyAccessOpened> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ReferralClosed> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<SubjectCorrected> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<SubjectDocumentAdded> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ReferralLinked> context) => ApplyAsync(context.Message, context.CancellationToken);

    public override string Name => "webhooks";

    private async Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        await ApplyOnceAsync(e, () => DeliverAsync(e, cancellationToken), cancellationToken);
        signal.Wake();
    }

    private async Task DeliverAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        await RequireInOrderAsync(e, cancellationToken);
        var concerned = await LearnPartiesAsync(e, cancellationToken);
        concerned.UnionWith(Concerned(e));
        var type = WebhookEventTypes.Of(e.GetType());
        var subscriptions = await Db.WebhookSubscriptions
            .Where(s => concerned.Contains(s.OrganizationId) && s.Status == WebhookStatus.Active)
            .ToListAsync(cancellationToken);
        var body = WebhookMessage.Body(type, e.OccurredAt, e);
        foreach (var subscription in subscriptions.Where(s => s.Wants(type)))
        {
            Db.WebhookDeliveries.Add(WebhookMessage.NewDelivery(
                subscription.Id, $"{e.ReferralId:N}/{e.Number}", type, body, clock.Now, options, e.ReferralId, e.Number));
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

        var markers = Db.Set<ProcessedEvent>().Where(p => p.Projection == Name && p.ReferralId == e.ReferralId);
        if (await markers.AnyAsync(cancellationToken) && !await markers.AnyAsync(p => p.Number == e.Number - 1, cancellationToken))
        {
            throw new InvalidOperationException($"Event {e.Number} of referral {e.ReferralId} arrived before event {e.Number - 1}.");
        }
    }

    /// <summary>The referral's holders and participants so far, this event's included (they only grow, like the access it gives).</summary>
    private async Task<HashSet<string>> LearnPartiesAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        var parties = (await Db.WebhookParties.Where(p => p.ReferralId == e.ReferralId).Select(p => p.OrganizationId).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        string?[] joined = [e.Holder, (e as HandoffAccepted)?.ToOrganizationId];
        foreach (var organization in joined.OfType<string>().Where(parties.Add))
        {
            Db.WebhookParties.Add(new WebhookParty { ReferralId = e.ReferralId, OrganizationId = organization });
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

/// <summary>Retried in place like the other projections (a database restart, an event that overtook the one before it).</summary>
public sealed class WebhookProjectionDefinition : ConsumerDefinition<WebhookProjection>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<WebhookProjection> consumerConfigurator, IRegistrationContext context) =>
        RetryInPlace(consumerConfigurator);

    /// <summary>About five minutes of retries in place, then the consumer's <c>_error</c> queue.</summary>
    internal static void RetryInPlace<T>(IConsumerConfigurator<T> consumer) where T : class =>
        consumer.UseMessageRetry(r =>
            r.Exponential(retryLimit: 16, minInterval: TimeSpan.FromMilliseconds(100), maxInterval: TimeSpan.FromSeconds(30), intervalDelta: TimeSpan.FromMilliseconds(200)));
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
        WebhookProjectionDefinition.RetryInPlace(consumerConfigurator);
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
