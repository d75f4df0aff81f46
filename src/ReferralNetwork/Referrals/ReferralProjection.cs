using MassTransit;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Infrastructure;

namespace ReferralNetwork.Referrals;

/// <summary>Builds the referral list and its access rows from the referral events, once per event.</summary>
public sealed class ReferralListProjection(PlatformDbContext db) : IConsumer<ReferralIdentified>
{
    public Task Consume(ConsumeContext<ReferralIdentified> context) => ApplyOnceAsync(context.Message, context.CancellationToken, async e =>
    {
        db.Referrals.Add(new ReferralRow
        {
            Id = e.ReferralId,
            Stage = Stage.Identified,
            Holder = e.ActingOrganizationId,
            IdentifiedIn = e.IdentifiedIn,
            Nationality = e.Nationality,
            IdentifiedAt = e.OccurredAt,
            UpdatedAt = e.OccurredAt,
            Version = e.Number,
        });
        await GrantAsync(e.ReferralId, e.ActingOrganizationId, context.CancellationToken);
    });

    private async Task GrantAsync(Guid referralId, string organizationId, CancellationToken cancellationToken)
    {
        if (!await db.ReferralAccess.AnyAsync(a => a.ReferralId == referralId && a.OrganizationId == organizationId, cancellationToken))
        {
            db.ReferralAccess.Add(new ReferralAccessRow { ReferralId = referralId, OrganizationId = organizationId });
        }
    }

    /// <summary>Applies an event unless it was applied before; the marker is saved in the same transaction as the change.</summary>
    private async Task ApplyOnceAsync<TEvent>(TEvent @event, CancellationToken cancellationToken, Func<TEvent, Task> apply)
        where TEvent : IReferralEvent
    {
        if (await db.ProcessedEvents.AnyAsync(p => p.ReferralId == @event.ReferralId && p.Number == @event.Number, cancellationToken))
        {
            return;
        }

        db.ProcessedEvents.Add(new ProcessedEvent { ReferralId = @event.ReferralId, Number = @event.Number });
        await apply(@event);
        await db.SaveChangesAsync(cancellationToken);
    }
}
