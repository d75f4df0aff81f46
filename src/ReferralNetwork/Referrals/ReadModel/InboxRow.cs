using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Referrals.ReadModel;

/// <summary>An offer as its target sees it before answering: countries, stage, screening outcome, services. No person.</summary>
public sealed class InboxRow
{
    public Guid HandoffId { get; init; }
    public Guid ReferralId { get; set; }
    public HandoffStatus Status { get; set; }
    public HandoffKind Kind { get; set; }
    public string FromOrganizationId { get; set; } = "";
    public string ToOrganizationId { get; set; } = "";
    public string Countries { get; set; } = "";
    public Stage Stage { get; set; }
    public ScreeningOutcome? ScreeningOutcome { get; set; }
    public string Services { get; set; } = "";
    public DateTimeOffset OfferedAt { get; set; }
    public DateTimeOffset RespondBy { get; set; }

    public InboxItem ToItem() => new(
        HandoffId, ReferralId, Kind, FromOrganizationId, Countries.Split(',', StringSplitOptions.RemoveEmptyEntries), Stage, ScreeningOutcome,
        [.. Services.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<ServiceKind>)], OfferedAt, RespondBy);
}

internal sealed class InboxRowConfiguration : IEntityTypeConfiguration<InboxRow>
{
    public void Configure(EntityTypeBuilder<InboxRow> e)
    {
        e.ToTable("Inbox");
        e.HasKey(i => i.HandoffId);
        e.HasIndex(i => new { i.ToOrganizationId, i.Status });
        e.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(i => i.Stage).HasConversion<string>().HasMaxLength(32);
        e.Property(i => i.ScreeningOutcome).HasConversion<string>().HasMaxLength(32);
    }
}
