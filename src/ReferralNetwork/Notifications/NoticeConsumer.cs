using MassTransit;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Notifications;

/// <summary>
/// Tells the people of an organization by e-mail, where SMTP is configured, that work waits for them in the console: a
/// new offer to answer, an offer of theirs that expired unanswered, a planned return whose handover they confirm.
/// Once per event (a marker per referral and event number); see <see cref="NoticeSender"/> for what a notice holds.
/// </summary>
public sealed class NoticeConsumer(PlatformDbContext db, NoticeSender notices) : IConsumer<HandoffOffered>, IConsumer<HandoffExpired>, IConsumer<ReturnPlanned>
{
    private const string Name = "notices";

    /// <summary>
    /// Sends once per event: the marker is saved after the mail is handed over, in a transaction of its own (sending waits
    /// on the network: not inside the platform writer's shared transaction). Without SMTP there is nothing to send, and no
    /// marker is worth a write on the event path.
    /// </summary>
    private async Task ApplyOnceAsync(IReferralEvent e, Func<Task> send, CancellationToken cancellationToken)
    {
        if (!notices.IsConfigured || (await ReferralProjections.AppliedAsync(db, e, [Name], cancellationToken)).Count > 0)
        {
            return;
        }

        db.Set<ProcessedEvent>().Add(new ProcessedEvent { Projection = Name, ReferralId = e.ReferralId, Number = e.Number });
        await send();
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task Consume(ConsumeContext<HandoffOffered> context) => ApplyOnceAsync(context.Message,
        () => notices.SendAsync([context.Message.ToOrganizationId], Notice.Offer, $"console/offers/{context.Message.HandoffId}",
            (names, time) => [names(context.Message.FromOrganizationId), time.DateAndTime(context.Message.RespondBy)], context.CancellationToken),
        context.CancellationToken);

    public Task Consume(ConsumeContext<HandoffExpired> context) => ApplyOnceAsync(context.Message,
        () => notices.SendAsync([context.Message.FromOrganizationId], Notice.Expired, $"console/referrals/{context.Message.ReferralId}",
            (names, _) => [names(context.Message.ToOrganizationId)], context.CancellationToken),
        context.CancellationToken);

    /// <summary>
    /// Both sides confirm the handover; the one that did not plan it hears of the plan: a focal point of the countries
    /// involved, or the embassy that accepted the return (of a country without a focal point).
    /// </summary>
    public Task Consume(ConsumeContext<ReturnPlanned> context) => ApplyOnceAsync(context.Message, async () =>
    {
        var e = context.Message;
        var access = db.ReferralAccess;
        var focalPoints = await db.Organizations.AsNoTracking()
            .Where(o => o.Id != e.ActingOrganizationId && (o.Kind == OrganizationKind.FocalPoint && e.Countries.Contains(o.Country)
                || o.Kind == OrganizationKind.Embassy && access.Any(a => a.ReferralId == e.ReferralId && a.OrganizationId == o.Id)))
            .Select(o => o.Id).ToListAsync(context.CancellationToken);
        await notices.SendAsync(focalPoints, Notice.Return, $"console/referrals/{e.ReferralId}", (_, time) => [time.Date(e.PlannedFor)], context.CancellationToken);
    }, context.CancellationToken);
}

public sealed class NoticeConsumerDefinition : ConsumerDefinition<NoticeConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<NoticeConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)));
}
