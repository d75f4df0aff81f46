using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Storage;

/// <summary>
/// A read model built from referral events into the platform database. Each event is applied once per
/// projection: the marker (projection, referral, number) is saved in the same transaction as the change,
/// so any number of projections consume the same events independently, and a redelivered event is skipped.
/// The write goes through the <see cref="PlatformWriter"/>, which on SQLite commits many projections' events together.
/// </summary>
public abstract class ReferralEventProjection(PlatformDbContext db, EventDelivery delivery, PlatformWriter writer)
{
    /// <summary>Part of every marker: renaming a projection rebuilds it.</summary>
    public abstract string Name { get; }

    protected PlatformDbContext Db => db;

    protected async Task ApplyOnceAsync(IReferralEvent @event, Func<Task> apply, CancellationToken cancellationToken)
    {
        var markers = db.Set<ProcessedEvent>();
        if (!await markers.AnyAsync(p => p.Projection == Name && p.ReferralId == @event.ReferralId && p.Number == @event.Number, cancellationToken))
        {
            markers.Add(new ProcessedEvent { Projection = Name, ReferralId = @event.ReferralId, Number = @event.Number });
            await apply();
            // Should the same event be applied twice at once, the marker's key refuses the second save, which is retried.
            await writer.SaveChangesAsync(db, cancellationToken);
        }

        delivery.Applied(GetType(), @event);
    }
}

/// <summary>An event a projection has applied.</summary>
public sealed class ProcessedEvent
{
    public required string Projection { get; init; }

    public Guid ReferralId { get; init; }

    public int Number { get; init; }
}

internal sealed class ProcessedEventConfiguration : IEntityTypeConfiguration<ProcessedEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedEvent> e)
    {
        e.ToTable("ProcessedEvents");
        e.HasKey(p => new { p.Projection, p.ReferralId, p.Number });
        e.Property(p => p.Projection).HasMaxLength(64);
    }
}
