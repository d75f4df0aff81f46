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

    /// <summary>
    /// The stage the referral is in now (its newest event's), the UTC day it entered it (as <see cref="IdentifiedDay"/>),
    /// and that event's number: how long a queue has held each person (the surge board's <c>waiting-now</c>). Events
    /// applied out of order can leave <see cref="StageSinceDay"/> at a later event of the same stage, never at another stage's.
    /// </summary>
    public Stage CurrentStage { get; set; }

    public int? StageSinceDay { get; set; }

    public int StageVersion { get; set; }

    /// <summary>
    /// The UTC day (year × 10000 + month × 100 + day) each step was first reached, for a focal point's own figures per
    /// day (<see cref="SurgeDays"/>). Days are never published to the secretariat: its periods are whole months.
    /// </summary>
    public int IdentifiedDay { get; set; }

    public int? ScreenedDay { get; set; }

    public int? PresumedVictimDay { get; set; }

    public int? CustodyOfferedDay { get; set; }

    public int? VerifiedDay { get; set; }

    public int? PlannedDay { get; set; }

    public int? ReturnedDay { get; set; }

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

    public static int DayOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return (utc.Year * 10000) + (utc.Month * 100) + utc.Day;
    }

    /// <summary>The date of a day number of <see cref="DayOf"/>.</summary>
    public static DateTime DateOf(int day) => new(day / 10000, day / 100 % 100, day % 100, 0, 0, 0, DateTimeKind.Utc);

    public static int Bit(ExploitationForm form) => 1 << (int)form;

    public static int Bit(PalermoElement element) => 1 << (int)element;

    /// <summary>The earlier of a step's day so far and another event's (events may arrive out of order).</summary>
    private static int First(int? day, DateTimeOffset at) => Math.Min(day ?? int.MaxValue, DayOf(at));

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
        CurrentStage = e.Stage,
        StageSinceDay = DayOf(e.IdentifiedAt < e.OccurredAt ? e.IdentifiedAt : e.OccurredAt),
        StageVersion = e.Number,
        IdentifiedDay = DayOf(e.IdentifiedAt),
        SubjectVersion = e.Number,
    };

    /// <summary>Applies an event after its <see cref="ReferralIdentified"/>; any order otherwise, each event once.</summary>
    public void Apply(IReferralEvent e)
    {
        if (e.Stage != Stage.Closed && e.Stage > FurthestStage)
        {
            FurthestStage = e.Stage;
        }

        if (e.Number > StageVersion)
        {
            if (e.Stage != CurrentStage || StageSinceDay is null)
            {
                CurrentStage = e.Stage;
                StageSinceDay = DayOf(e.OccurredAt);
            }

            StageVersion = e.Number;
        }

        switch (e)
        {
            case ReferralScreened screened:
                ScreenedDay = First(ScreenedDay, screened.OccurredAt);
                if (screened.Outcome == ScreeningOutcome.PresumedVictim)
                {
                    PresumedVictimDay = First(PresumedVictimDay, screened.OccurredAt);
                }

                break;
            case HandoffOffered { Kind: HandoffKind.Custody } offered:
                CustodyOfferedDay = First(CustodyOfferedDay, offered.OccurredAt);
                break;
            case NationalityVerified verified:
                VerifiedDay = First(VerifiedDay, verified.OccurredAt);
                break;
            case ReturnPlanned planned:
                PlannedDay = First(PlannedDay, planned.OccurredAt);
                break;
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
                ReturnedDay = DayOf(returned.HandedOverAt);
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
        // Two events of one referral applied at once (consumers across silos, or a redelivery): the one that read the
        // row before the other saved it is refused and retried, instead of writing its older stage over the newer one.
        e.Property(c => c.StageVersion).IsConcurrencyToken();
        e.Property(c => c.IdentifiedIn).HasMaxLength(16);
        e.Property(c => c.Nationality).HasMaxLength(16);
        e.Property(c => c.Indicators).HasMaxLength(2000);
        e.Property(c => c.Sex).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.AgeBand).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.MainForm).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.FurthestStage).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.Outcome).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.ClosureReason).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.CurrentStage).HasConversion<string>().HasMaxLength(32);
        // Each dashboard reads one year of one date column, grouped; these make that a range scan.
        e.HasIndex(c => new { c.IdentifiedMonth, c.IdentifiedIn });
        e.HasIndex(c => c.ReturnedMonth);
        e.HasIndex(c => c.ClosedMonth);
        // The open referrals' queues (waiting-now), and each step's days (a focal point's figures per day).
        e.HasIndex(c => new { c.ClosedMonth, c.CurrentStage });
        e.HasIndex(c => c.IdentifiedDay);
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
