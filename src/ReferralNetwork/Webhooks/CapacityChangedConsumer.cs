using MassTransit;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Webhooks;

/// <summary>
/// A capacity change reaches the subscriptions of the organization that reported it (its own systems keep their
/// copy of the directory in step). Not a referral event, so no projection marker: the change's id is the delivery's
/// event key, and a change seen again (published at least once) adds nothing.
/// </summary>
public sealed class CapacityChangedConsumer(PlatformDbContext db, WebhookClock clock, WebhookOptions options, WebhookSignal signal) : IConsumer<CapacityChanged>
{
    public async Task Consume(ConsumeContext<CapacityChanged> context)
    {
        var change = context.Message;
        var type = WebhookEventTypes.Of(typeof(CapacityChanged));
        var key = $"{type}/{change.ChangeId:N}";
        var subscriptions = await db.WebhookSubscriptions
            .Where(s => s.OrganizationId == change.OrganizationId && s.Status == WebhookStatus.Active)
            .Where(s => !db.Set<WebhookDelivery>().Any(d => d.SubscriptionId == s.Id && d.EventKey == key))
            .ToListAsync(context.CancellationToken);
        var body = WebhookMessage.Body(type, change.OccurredAt, change);
        foreach (var subscription in subscriptions.Where(s => s.Wants(type)))
        {
            db.WebhookDeliveries.Add(WebhookMessage.NewDelivery(subscription.Id, key, type, body, clock.Now, options));
        }

        await db.SaveChangesAsync(context.CancellationToken);
        signal.Wake();
    }
}

public sealed class CapacityChangedConsumerDefinition : ConsumerDefinition<CapacityChangedConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<CapacityChangedConsumer> consumerConfigurator, IRegistrationContext context) =>
        ReferralProjectionsDefinition.RetryInPlace(consumerConfigurator);
}
