using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards.ReadModel;

/// <summary>
/// One referral as the dashboards count it: countries, month of identification, age band, sex, forms of exploitation,
/// the latest screening, the furthest stage reached, return and closure. No name, no date of birth, no free text; the
/// referral id is the key only and never leaves the database. Built by <see cref="DashboardProjection"/> from events
/// through <see cref="Apply"/>, a pure fold that the synthetic seed uses as well.
/// </summary>
public sealed class DashboardCase
{
    public Guid ReferralId { get; init; }

    public string IdentifiedIn { get; set; } = "";

    public string Nationality { get; set; } = "";

    /// <summary>Year × 100 + month of identification (202611): whole months are the finest period published.</summary>
    public int IdentifiedMonth { get; set; }

    public DateTimeOffset IdentifiedAt { get; set; }

    public Sex Sex { get; set; }

    public AgeBand AgeBand { get; set; }

    /// <summary>The forms of exploitation as a bit set of <see cref="ExploitationForm"/>.</summary>
    public int Forms { get; set; }

    /// <summary>The first form recorded: the partition the exploitation filter uses (a case is in exactly one).</summary>
    public ExploitationForm MainForm { get; set; }

    /// <summary>The furthest stage of the workflow reached before closing (stages can move back; this never does).</summary>
    public Stage FurthestStage { get; set; }

    public ScreeningOutcome? Outcome { get; set; }

    /// <summary>Palermo elements of the latest screening as a bit set of <see cref="PalermoElement"/>.</summary>
    public int Elements { get; set; }

    /// <summary>Indicator codes of the latest screening, sorted, comma-separated (codes of the catalog, never free text).</summary>
    public string Indicators { get; set; } = "";

    public int? ReturnedMonth { get; set; }

    /// <summary>Whole days from identification to the completed handover.</summary>
    public int? DaysToReturn { get; set; }

    public int? ClosedMonth { get; set; }

    public ClosureReason? ClosureReason { get; set; }

    /// <summary>Number of the event that set the identification facts, the screening, the subject's derived facts (events may arrive out of order).</summary>
    public int ScreeningVersion { get; set; }

    public int SubjectVersion { get; set; }

    public static int MonthOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return (utc.Year * 100) + utc.Month;
    }

    public static int Bit(ExploitationForm form) => 1 << (int)form;

    public static int Bit(PalermoElement element) => 1 << (int)element;

    public static DashboardCase Identify(ReferralIdentified e) => new()
    {
        ReferralId = e.ReferralId,
        IdentifiedIn = e.IdentifiedIn,
        Nationality = e.Nationality,
        IdentifiedAt = e.IdentifiedAt,
        IdentifiedMonth = MonthOf(e.IdentifiedAt),
        Sex = e.Sex,
        AgeBand = e.AgeBand,
        Forms = e.Exploitation.Aggregate(0, (bits, f) => bits | Bit(f)),
        MainForm = e.Exploitation.Count > 0 ? e.Exploitation[0] : ExploitationForm.Other,
        FurthestStage = e.Stage,
        SubjectVersion = e.Number,
    };

    /// <summary>Applies an event after its <see cref="ReferralIdentified"/>; any order otherwise, each event once.</summary>
    public void Apply(IReferralEvent e)
    {
        if (e.Stage != Stage.Closed && e.Stage > FurthestStage)
        {
            FurthestStage = e.Stage;
        }

        switch (e)
        {
            case ReferralScreened screened when screened.Number > ScreeningVersion:
                ScreeningVersion = screened.Number;
                Outcome = screened.Outcome;
                Elements = (screened.Act ? Bit(PalermoElement.Act) : 0) | (screened.Means ? Bit(PalermoElement.Means) : 0) | (screened.Purpose ? Bit(PalermoElement.Purpose) : 0);
                Indicators = string.Join(',', screened.Indicators.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
                break;
            case ReturnConfirmed { Completed: true } returned:
                ReturnedMonth = MonthOf(returned.HandedOverAt);
                DaysToReturn = Math.Max(0, (int)(returned.HandedOverAt - IdentifiedAt).TotalDays);
                break;
            case ReferralClosed closed:
                ClosedMonth = MonthOf(closed.OccurredAt);
                ClosureReason = closed.Reason;
                break;
            case SubjectCorrected corrected when corrected.Number > SubjectVersion:
                SubjectVersion = corrected.Number;
                Nationality = corrected.Nationality;
                Sex = corrected.Sex;
                AgeBand = corrected.AgeBand;
                break;
        }
    }
}

/// <summary>
/// One handoff offer as the dashboards count it: the countries of the two organizations (never the organizations),
/// kind, status, when it was offered and answered.
/// </summary>
public sealed class DashboardHandoff
{
    public Guid HandoffId { get; init; }

    public string FromCountry { get; set; } = "";

    public string ToCountry { get; set; } = "";

    public HandoffKind Kind { get; set; }

    public HandoffStatus Status { get; set; }

    /// <summary>False until the offer itself is applied (a resolution can overtake it).</summary>
    public bool Offered { get; set; }

    public int OfferedMonth { get; set; }

    public DateTimeOffset OfferedAt { get; set; }

    public DateTimeOffset RespondBy { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>Whole hours from offer to accept or decline, once both are known.</summary>
    public int? HoursToAnswer { get; set; }

    public void Offer(HandoffOffered e, string fromCountry, string toCountry)
    {
        Offered = true;
        FromCountry = fromCountry;
        ToCountry = toCountry;
        Kind = e.Kind;
        OfferedAt = e.OccurredAt;
        OfferedMonth = DashboardCase.MonthOf(e.OccurredAt);
        RespondBy = e.RespondBy;
        Settle();
    }

    public void Resolve(HandoffStatus status, DateTimeOffset at)
    {
        Status = status;
        if (status is HandoffStatus.Accepted or HandoffStatus.Declined)
        {
            AnsweredAt = at;
        }

        Settle();
    }

    private void Settle()
    {
        if (Offered && AnsweredAt is { } answered)
        {
            HoursToAnswer = Math.Max(0, (int)(answered - OfferedAt).TotalHours);
        }
    }
}

internal sealed class DashboardReadModelConfiguration : IEntityTypeConfiguration<DashboardCase>, IEntityTypeConfiguration<DashboardHandoff>
{
    public void Configure(EntityTypeBuilder<DashboardCase> e)
    {
        e.ToTable("DashboardCases");
        e.HasKey(c => c.ReferralId);
        e.Property(c => c.IdentifiedIn).HasMaxLength(16);
        e.Property(c => c.Nationality).HasMaxLength(16);
        e.Property(c => c.Indicators).HasMaxLength(2000);
        e.Property(c => c.Sex).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.AgeBand).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.MainForm).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.FurthestStage).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.Outcome).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.ClosureReason).HasConversion<string>().HasMaxLength(32);
        // Each dashboard reads one year of one date column, grouped; these make that a range scan.
        e.HasIndex(c => new { c.IdentifiedMonth, c.IdentifiedIn });
        e.HasIndex(c => c.ReturnedMonth);
        e.HasIndex(c => c.ClosedMonth);
    }

    public void Configure(EntityTypeBuilder<DashboardHandoff> e)
    {
        e.ToTable("DashboardHandoffs");
        e.HasKey(h => h.HandoffId);
        e.Property(h => h.FromCountry).HasMaxLength(16);
        e.Property(h => h.ToCountry).HasMaxLength(16);
        e.Property(h => h.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(h => h.Status).HasConversion<string>().HasMaxLength(16);
        e.HasIndex(h => h.OfferedMonth);
        e.HasIndex(h => new { h.Status, h.RespondBy });
    }
}

/// <summary>The dashboards' tables, as sets of the platform database.</summary>
public static class DashboardReadModel
{
    extension(PlatformDbContext db)
    {
        public DbSet<DashboardCase> DashboardCases => db.Set<DashboardCase>();

        public DbSet<DashboardHandoff> DashboardHandoffs => db.Set<DashboardHandoff>();
    }
}
