using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Matching;

/// <summary>
/// One referral's encoding in the match index: the 1,024 keyed bits and nothing else of the person (no year of birth,
/// no sex, no name length beside them). <see cref="Country"/> is where the referral was identified, as the compartment knows it.
/// </summary>
public sealed class MatchEncodingRow
{
    public Guid ReferralId { get; init; }

    public required string Country { get; set; }

    public required string KeyId { get; set; }

    public int Scheme { get; set; }

    public required byte[] Bits { get; set; }
}

public enum MatchSideStatus
{
    Open,
    Confirmed,
    Dismissed,
}

/// <summary>
/// A pair of referrals whose encodings are similar: a possible duplicate, with a status per side. Side A is the referral
/// with the smaller id, so that a pair is one row whichever side was searched. Nothing of it enters either referral's
/// history, events, webhooks or dashboards until both sides confirm.
/// </summary>
public sealed class PossibleMatch
{
    public Guid Id { get; init; }

    public Guid ReferralA { get; init; }

    public Guid ReferralB { get; init; }

    /// <summary>Where each referral was identified: its focal point's country until the read model names the holder's (custody may move at a return).</summary>
    public required string CountryA { get; init; }

    public required string CountryB { get; init; }

    public MatchSimilarity Similarity { get; set; }

    public MatchSideStatus StatusA { get; set; }

    public MatchSideStatus StatusB { get; set; }

    public DateTimeOffset FoundAt { get; init; }

    /// <summary>When both sides had confirmed and each focal point became a participant of the other referral.</summary>
    public DateTimeOffset? LinkedAt { get; set; }

    /// <summary>
    /// Set when both sides confirmed and either referral was then returned (or later) or closed: a person identified
    /// again after an earlier case ended. Decided once, at linking, from the two referrals' stages in the referral list.
    /// </summary>
    public bool ReIdentification { get; set; }

    public bool Dismissed => StatusA == MatchSideStatus.Dismissed || StatusB == MatchSideStatus.Dismissed;

    public bool Confirmed => StatusA == MatchSideStatus.Confirmed && StatusB == MatchSideStatus.Confirmed;

    public Guid Other(Guid referralId) => referralId == ReferralA ? ReferralB : ReferralA;

    public MatchSideStatus StatusOf(Guid referralId) => referralId == ReferralA ? StatusA : StatusB;

    public void Set(Guid referralId, MatchSideStatus status)
    {
        if (referralId == ReferralA)
        {
            StatusA = status;
        }
        else
        {
            StatusB = status;
        }
    }

    public MatchStatus StatusFor(Guid ownReferralId) =>
        Dismissed ? MatchStatus.Dismissed
        : Confirmed ? MatchStatus.Confirmed
        : StatusOf(ownReferralId) == MatchSideStatus.Confirmed ? MatchStatus.ConfirmedByYou
        : MatchStatus.Open;
}

/// <summary>The match's own audit: who saw, confirmed or dismissed it, and when; readable by the two focal points only.</summary>
public sealed class MatchAuditRow
{
    public long Id { get; init; }

    public Guid MatchId { get; init; }

    public MatchAuditAction Action { get; init; }

    public string? OrganizationId { get; init; }

    public string? Person { get; init; }

    public DateTimeOffset At { get; init; }

    public MatchAuditEntry ToEntry() => new(Action, OrganizationId, Person, At);
}

internal sealed class MatchRecordsConfiguration :
    IEntityTypeConfiguration<MatchEncodingRow>, IEntityTypeConfiguration<PossibleMatch>, IEntityTypeConfiguration<MatchAuditRow>
{
    public void Configure(EntityTypeBuilder<MatchEncodingRow> e)
    {
        e.ToTable("MatchEncodings");
        e.HasKey(r => r.ReferralId);
        e.Property(r => r.Country).HasMaxLength(16);
        e.Property(r => r.KeyId).HasMaxLength(64);
        e.Property(r => r.Bits).HasMaxLength(Encoding.Clk1024.Bytes);
    }

    public void Configure(EntityTypeBuilder<PossibleMatch> e)
    {
        e.ToTable("PossibleMatches");
        e.HasIndex(m => new { m.ReferralA, m.ReferralB }).IsUnique();
        e.HasIndex(m => m.ReferralB);
        e.Property(m => m.CountryA).HasMaxLength(16);
        e.Property(m => m.CountryB).HasMaxLength(16);
        e.Property(m => m.Similarity).HasConversion<string>().HasMaxLength(16);
        e.Property(m => m.StatusA).HasConversion<string>().HasMaxLength(16);
        e.Property(m => m.StatusB).HasConversion<string>().HasMaxLength(16);
        e.Ignore(m => m.Dismissed);
        e.Ignore(m => m.Confirmed);
    }

    public void Configure(EntityTypeBuilder<MatchAuditRow> e)
    {
        e.ToTable("MatchAudit");
        e.HasIndex(a => a.MatchId);
        e.Property(a => a.Action).HasConversion<string>().HasMaxLength(16);
        e.Property(a => a.OrganizationId).HasMaxLength(100);
        e.Property(a => a.Person).HasMaxLength(100);
    }
}

/// <summary>The match index's tables, as sets of the platform database.</summary>
public static class MatchTables
{
    extension(PlatformDbContext db)
    {
        public DbSet<MatchEncodingRow> MatchEncodings => db.Set<MatchEncodingRow>();

        public DbSet<PossibleMatch> PossibleMatches => db.Set<PossibleMatch>();

        public DbSet<MatchAuditRow> MatchAudit => db.Set<MatchAuditRow>();
    }
}
