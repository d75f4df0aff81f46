using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Referrals.ReadModel;

/// <summary>
/// Builds the referral list, its access rows and the handoff inbox from the referral events, once per
/// event (idempotent on referral id and number). Events can arrive out of order: single-valued fields
/// take the newest event's values; sets only grow.
/// </summary>
public sealed class ReferralListProjection(PlatformDbContext db) : ReferralEventProjection
{
    public override string Name => "referral-list";

    public override async Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken)
    {
        var row = e is ReferralIdentified identified
            ? db.Referrals.Add(new ReferralListRow
            {
                Id = e.ReferralId, Stage = e.Stage, Holder = e.Holder, IdentifiedIn = identified.IdentifiedIn, Nationality = identified.Nationality,
                IdentifiedAt = identified.IdentifiedAt, UpdatedAt = identified.OccurredAt, Version = e.Number,
            }).Entity
            : await db.Referrals.SingleOrDefaultAsync(r => r.Id == e.ReferralId, cancellationToken)
                // Ahead of its ReferralIdentified: the retry policy brings it back once that one is in.
                ?? throw new EventAheadException(e, "the referral");

        if (e.Number > row.Version)
        {
            if (e is SubjectCorrected corrected)
            {
                row.Nationality = corrected.Nationality;
            }

            row.Stage = e.Stage;
            row.Holder = e.Holder;
            row.UpdatedAt = e.OccurredAt;
            row.Version = e.Number;
        }

        await GrantAsync(e.ReferralId, e.Holder, cancellationToken);
        switch (e)
        {
            case HandoffOffered offered:
                await UpsertInboxAsync(offered.HandoffId, offered, HandoffStatus.Offered, cancellationToken);
                break;
            case HandoffAccepted accepted:
                await GrantAsync(e.ReferralId, accepted.ToOrganizationId, cancellationToken);
                await UpsertInboxAsync(accepted.HandoffId, null, HandoffStatus.Accepted, cancellationToken);
                break;
            case HandoffDeclined declined:
                await UpsertInboxAsync(declined.HandoffId, null, HandoffStatus.Declined, cancellationToken);
                break;
            case ReferralLinked linked:
                await GrantAsync(e.ReferralId, linked.FocalPointId, cancellationToken);
                break;
            case HandoffWithdrawn withdrawn:
                await UpsertInboxAsync(withdrawn.HandoffId, null, HandoffStatus.Withdrawn, cancellationToken);
                break;
            case HandoffExpired expired:
                await UpsertInboxAsync(expired.HandoffId, null, HandoffStatus.Expired, cancellationToken);
                break;
        }
    }

    private async Task GrantAsync(Guid referralId, string organizationId, CancellationToken cancellationToken)
    {
        if (db.ReferralAccess.Local.Any(a => a.ReferralId == referralId && a.OrganizationId == organizationId)
            || await db.ReferralAccess.AnyAsync(a => a.ReferralId == referralId && a.OrganizationId == organizationId, cancellationToken))
        {
            return;
        }

        db.ReferralAccess.Add(new ReferralAccessRow { ReferralId = referralId, OrganizationId = organizationId });
    }

    /// <summary>An answered offer leaves the inbox whatever order its events arrive in: a resolution is never overwritten by the offer.</summary>
    private async Task UpsertInboxAsync(Guid handoffId, HandoffOffered? offered, HandoffStatus status, CancellationToken cancellationToken)
    {
        var row = await db.Inbox.SingleOrDefaultAsync(i => i.HandoffId == handoffId, cancellationToken);
        if (row is null)
        {
            row = db.Inbox.Add(new InboxRow { HandoffId = handoffId, Status = status }).Entity;
        }
        else if (status != HandoffStatus.Offered)
        {
            row.Status = status;
        }

        if (offered is not null)
        {
            row.ReferralId = offered.ReferralId;
            row.Kind = offered.Kind;
            row.FromOrganizationId = offered.FromOrganizationId;
            row.ToOrganizationId = offered.ToOrganizationId;
            row.Countries = string.Join(',', offered.Countries);
            row.Stage = offered.Stage;
            row.ScreeningOutcome = offered.ScreeningOutcome;
            row.Services = string.Join(',', offered.Services);
            row.OfferedAt = offered.OccurredAt;
            row.RespondBy = offered.RespondBy;
        }
    }
}
