using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Referrals;

/// <summary>The referral list read model: one row per referral, built from events, no personal data.</summary>
public sealed class ReferralRow
{
    public Guid Id { get; init; }
    public Stage Stage { get; set; }
    public required string Holder { get; set; }
    public required string IdentifiedIn { get; init; }
    public required string Nationality { get; init; }
    public DateTimeOffset IdentifiedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Number of the newest event applied to the row's single-valued fields (events may arrive out of order).</summary>
    public int Version { get; set; }

    public ReferralSummary ToSummary() => new(Id, Stage, Holder, IdentifiedIn, Nationality, IdentifiedAt, UpdatedAt, Version);

    internal static void Configure(ModelBuilder model)
    {
        model.Entity<ReferralRow>(e =>
        {
            e.ToTable("ReferralList");
            e.Property(r => r.Stage).HasConversion<string>().HasMaxLength(32);
            e.HasIndex(r => r.Stage);
            // Consumers on several silos apply events of one referral concurrently: an update made from a
            // row another consumer has moved on since fails and is retried, instead of overwriting newer values.
            e.Property(r => r.Version).IsConcurrencyToken();
        });
        model.Entity<ReferralAccessRow>(e =>
        {
            e.HasKey(a => new { a.OrganizationId, a.ReferralId });
            e.HasIndex(a => a.ReferralId);
        });
        model.Entity<ProcessedEvent>(e => e.HasKey(p => new { p.ReferralId, p.Number }));
    }
}

/// <summary>An organization that may see a referral (its holder or a participant).</summary>
public sealed class ReferralAccessRow
{
    public required string OrganizationId { get; init; }
    public Guid ReferralId { get; init; }
}

/// <summary>Events already applied to the read models: consumers are idempotent on (referral id, number).</summary>
public sealed class ProcessedEvent
{
    public Guid ReferralId { get; init; }
    public int Number { get; init; }
}
