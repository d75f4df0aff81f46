using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Referrals.ReadModel;

/// <summary>The referral list read model: one row per referral, built from events, no personal data.</summary>
public sealed class ReferralListRow
{
    public Guid Id { get; init; }
    public Stage Stage { get; set; }
    public required string Holder { get; set; }
    public required string IdentifiedIn { get; init; }
    public required string Nationality { get; set; }
    public DateTimeOffset IdentifiedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Number of the newest event applied to the row's single-valued fields (events may arrive out of order).</summary>
    public int Version { get; set; }

    public ReferralSummary ToSummary() => new(Id, Stage, Holder, IdentifiedIn, Nationality, IdentifiedAt, UpdatedAt, Version);
}

/// <summary>An organization that may see a referral (its holder or a participant).</summary>
public sealed class ReferralAccessRow
{
    public required string OrganizationId { get; init; }
    public Guid ReferralId { get; init; }
}

internal sealed class ReferralListRowConfiguration : IEntityTypeConfiguration<ReferralListRow>, IEntityTypeConfiguration<ReferralAccessRow>
{
    public void Configure(EntityTypeBuilder<ReferralListRow> e)
    {
        e.ToTable("ReferralList");
        e.Property(r => r.Stage).HasConversion<string>().HasMaxLength(32);
        e.HasIndex(r => r.Stage);
        // Consumers on several silos apply events of one referral concurrently: an update made from a
        // row another consumer has moved on since fails and is retried, instead of overwriting newer values.
        e.Property(r => r.Version).IsConcurrencyToken();
    }

    public void Configure(EntityTypeBuilder<ReferralAccessRow> e)
    {
        e.ToTable("ReferralAccess");
        e.HasKey(a => new { a.OrganizationId, a.ReferralId });
        e.HasIndex(a => a.ReferralId);
    }
}

/// <summary>The read-model tables of referrals, as sets of the platform database.</summary>
public static class ReferralReadModel
{
    extension(PlatformDbContext db)
    {
        public DbSet<ReferralListRow> Referrals => db.Set<ReferralListRow>();

        public DbSet<ReferralAccessRow> ReferralAccess => db.Set<ReferralAccessRow>();

        public DbSet<InboxRow> Inbox => db.Set<InboxRow>();
    }
}
