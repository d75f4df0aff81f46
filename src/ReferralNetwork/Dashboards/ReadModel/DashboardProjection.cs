using MassTransit;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards.ReadModel;

/// <summary>
/// Builds the dashboards' fact tables (<see cref="DashboardCase"/>, <see cref="DashboardHandoff"/>) from the published
/// referral events only, once per event (the base class's marker). Never reads a grain or the subject compartment.
/// Events may arrive out of order: an event ahead of its <see cref="ReferralIdentified"/> is retried until that one is
/// in; single-valued facts keep the newest event's values, the furthest stage only grows.
/// </summary>
public sealed class DashboardProjection(PlatformDbContext db, EventDelivery delivery, EventDeliveryOptions deliveryOptions, PlatformWriter writer)
    : ReferralEventProjection(db, delivery, writer),
    IConsumer<ReferralIdentified>, IConsumer<ReferralScreened>, IConsumer<HandoffOffered>,
    IConsumer<HandoffAccepted>, IConsumer<HandoffDeclined>, IConsumer<HandoffWithdrawn>, IConsumer<HandoffExpired>,
    IConsumer<NationalityVerified>, IConsumer<NationalityRejected>, IConsumer<ReturnPlanned>, IConsumer<ReturnConfirmed>,
    IConsumer<ServiceRecorded>, IConsumer<ReferralClosed>, IConsumer<SubjectCorrected>
{
    public const string ProjectionName = "dashboards";

    public Task Consume(ConsumeContext<ReferralIdentified> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<ReferralScreened> context) => ApplyAsync(context.Message, context.CancellationToken);
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
    public Task Consume(ConsumeContext<ReferralClosed> context) => ApplyAsync(context.Message, context.CancellationToken);
    public Task Consume(ConsumeContext<SubjectCorrected> context) => ApplyAsync(context.Message, context.CancellationToken);

    public override string Name => ProjectionName;

    /// <summary>Applies one event once; also how <c>rebuild-dashboards</c> replays the histories.</summary>
    public Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken) =>
        ApplyOnceAsync(e, () => ApplyEventAsync(e, cancellationToken), cancellationToken);

    private async Task ApplyEventAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        var row = e is ReferralIdentified identified
            ? Db.DashboardCases.Add(DashboardCase.Identify(identified)).Entity
            : await Db.DashboardCases.SingleOrDefaultAsync(c => c.ReferralId == e.ReferralId, cancellationToken);
        if (row is null)
        {
            // On the embedded bus a referral's events reach every projection in order, each only once the one before
            // was applied everywhere: an event without its referral here belongs to a referral identified before this
            // projection existed. Passed over (it must not hold up delivery), it is counted by `rebuild-dashboards`.
            // Across silos an event may only be ahead of its ReferralIdentified: the retry policy brings it back.
            if (deliveryOptions.AwaitLocalProjections)
            {
                return;
            }

            throw new InvalidOperationException($"Event {e.Number} of referral {e.ReferralId} arrived before the referral.");
        }

        row.Apply(e);

        switch (e)
        {
            case HandoffOffered offered:
                var handoff = await HandoffAsync(offered.HandoffId, cancellationToken);
                handoff.Offer(offered, await CountryOfAsync(offered.FromOrganizationId, cancellationToken), await CountryOfAsync(offered.ToOrganizationId, cancellationToken));
                break;
            case HandoffAccepted accepted:
                (await HandoffAsync(accepted.HandoffId, cancellationToken)).Resolve(HandoffStatus.Accepted, e.OccurredAt);
                break;
            case HandoffDeclined declined:
                (await HandoffAsync(declined.HandoffId, cancellationToken)).Resolve(HandoffStatus.Declined, e.OccurredAt);
                break;
            case HandoffWithdrawn withdrawn:
                (await HandoffAsync(withdrawn.HandoffId, cancellationToken)).Resolve(HandoffStatus.Withdrawn, e.OccurredAt);
                break;
            case HandoffExpired expired:
                (await HandoffAsync(expired.HandoffId, cancellationToken)).Resolve(HandoffStatus.Expired, e.OccurredAt);
                break;
        }
    }

    private async Task<DashboardHandoff> HandoffAsync(Guid handoffId, CancellationToken cancellationToken) =>
        await Db.DashboardHandoffs.SingleOrDefaultAsync(h => h.HandoffId == handoffId, cancellationToken)
        ?? Db.DashboardHandoffs.Add(new DashboardHandoff { HandoffId = handoffId, Status = HandoffStatus.Offered }).Entity;

    /// <summary>Only the country of an organization reaches the dashboards.</summary>
    private async Task<string> CountryOfAsync(string organizationId, CancellationToken cancellationToken) =>
        await Db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Country).SingleOrDefaultAsync(cancellationToken) ?? "unknown";
}

/// <summary>Retries a failing event in place (an event ahead of its referral, a database failover), as the list projection does.</summary>
public sealed class DashboardProjectionDefinition : ConsumerDefinition<DashboardProjection>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DashboardProjection> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(r =>
            r.Exponential(retryLimit: 16, minInterval: TimeSpan.FromMilliseconds(100), maxInterval: TimeSpan.FromSeconds(30), intervalDelta: TimeSpan.FromMilliseconds(200)));
}
