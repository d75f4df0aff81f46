using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards.ReadModel;

/// <summary>
/// Builds the dashboards' fact tables (<see cref="DashboardCase"/>, <see cref="DashboardHandoff"/>) from the published
/// referral events only, once per event (its marker). Never reads a grain or the subject compartment.
/// Events may arrive out of order: an event ahead of its <see cref="ReferralIdentified"/> is retried until that one is
/// in; single-valued facts keep the newest event's values, the furthest stage only grows.
/// </summary>
public sealed class DashboardProjection(PlatformDbContext db) : ReferralEventProjection
{
    public const string ProjectionName = "dashboards";

    /// <summary>Consents, documents, links and emergency access say nothing the dashboards count.</summary>
    private static readonly HashSet<Type> Counted =
    [
        typeof(ReferralIdentified), typeof(ReferralScreened), typeof(HandoffOffered), typeof(HandoffAccepted), typeof(HandoffDeclined),
        typeof(HandoffWithdrawn), typeof(HandoffExpired), typeof(NationalityVerified), typeof(NationalityRejected), typeof(ReturnPlanned),
        typeof(ReturnConfirmed), typeof(ServiceRecorded), typeof(ReferralClosed), typeof(SubjectCorrected),
    ];

    public override string Name => ProjectionName;

    public override bool Applies(IReferralEvent e) => Counted.Contains(e.GetType());

    public override async Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        var row = e is ReferralIdentified identified
            ? db.DashboardCases.Add(DashboardCase.Identify(identified)).Entity
            : await db.DashboardCases.SingleOrDefaultAsync(c => c.ReferralId == e.ReferralId, cancellationToken);
        if (row is null)
        {
            // Its ReferralIdentified was applied by the projections there were then (their markers) but not by this one: a
            // referral identified before the dashboards existed. Passed over (it must not hold up the other projections,
            // which apply the event in the same save), it is counted by `rebuild-dashboards`. Otherwise the event is
            // ahead of its ReferralIdentified (possible across silos): the retry policy brings it back.
            if (await db.Set<ProcessedEvent>().AnyAsync(p => p.ReferralId == e.ReferralId && p.Number == 1, cancellationToken))
            {
                return;
            }

            throw new EventAheadException(e, "the referral");
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
        await db.DashboardHandoffs.SingleOrDefaultAsync(h => h.HandoffId == handoffId, cancellationToken)
        ?? db.DashboardHandoffs.Add(new DashboardHandoff { HandoffId = handoffId, Status = HandoffStatus.Offered }).Entity;

    /// <summary>Only the country of an organization reaches the dashboards.</summary>
    private async Task<string> CountryOfAsync(string organizationId, CancellationToken cancellationToken) =>
        await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Country).SingleOrDefaultAsync(cancellationToken) ?? "unknown";
}
