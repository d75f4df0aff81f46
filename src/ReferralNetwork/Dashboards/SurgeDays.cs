using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards;

/// <summary>
/// A focal point's own surge figures per day, for running a mass release as it happens: of the referrals its
/// organization holds or takes part in (its own workload, each of which it may open anyway), how many reached each step
/// on each of the last days. Exact counts, and so never for the secretariat, whose periods are whole months with small
/// counts suppressed (the surge board's other tables). From the dashboards' read model and the list's access rows only.
/// </summary>
public sealed class SurgeDays(PlatformDbContext db, TimeProvider time)
{
    public const int MaxDays = 31;

    public const int DefaultDays = 14;

    /// <summary>The steps, in the order of a return, each with the day its referral first reached it.</summary>
    public static readonly IReadOnlyList<(string Key, Expression<Func<DashboardCase, int?>> Day)> Steps =
    [
        ("identified", c => c.IdentifiedDay),
        ("screened", c => c.ScreenedDay),
        ("presumed-victim", c => c.PresumedVictimDay),
        ("custody-offered", c => c.CustodyOfferedDay),
        ("nationality-verified", c => c.VerifiedDay),
        ("return-planned", c => c.PlannedDay),
        ("returned", c => c.ReturnedDay),
    ];

    public async Task<SurgeDaysView> AnswerAsync(Caller caller, int? days, string? nationality, CancellationToken cancellationToken)
    {
        caller.Require(CaseAction.ReadReferrals);
        if (caller.Kind != OrganizationKind.FocalPoint)
        {
            throw ProblemException.OnlyMay(RefusalCode.DaysForFocalPointsOnly, "Figures per day are a focal point's own; the dashboards' periods are whole months.");
        }

        var count = days ?? DefaultDays;
        if (count is < 1 or > MaxDays)
        {
            throw ProblemException.Invalid("days", $"From 1 to {MaxDays} days.");
        }

        var today = time.GetUtcNow().UtcDateTime.Date;
        List<int> columns = [.. Enumerable.Range(0, count).Select(i => DashboardCase.DayOf(today.AddDays(i - count + 1)))];
        var from = columns[0];
        var organization = caller.OrganizationId;
        var access = db.ReferralAccess;
        var cases = db.DashboardCases.AsNoTracking()
            .Where(c => access.Any(a => a.OrganizationId == organization && a.ReferralId == c.ReferralId));
        if (nationality is not null)
        {
            cases = cases.Where(c => c.Nationality == nationality);
        }

        List<DashboardCell> cells = [];
        foreach (var (step, day) in Steps)
        {
            var perDay = await cases.Select(day).Where(d => d >= from)
                .GroupBy(d => d!.Value).Select(g => new { Day = g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Day, g => g.Count, cancellationToken);
            var stepTotal = 0;
            for (var i = 0; i < count; i++)
            {
                var n = perDay.GetValueOrDefault(columns[i]);
                stepTotal += n;
                cells.Add(Cell(step, Key(columns[i]), n));
            }

            cells.Add(Cell(step, DashboardCatalog.Total, stepTotal));
        }

        // No total per day: steps are not parts of a whole (a person screened and offered on one day is in two rows).
        return new SurgeDaysView(organization, Key(columns[0]), Key(columns[^1]), nationality,
            new DashboardTable("by-day", "step reached", "day (UTC)", cells, []));
    }

    private static DashboardCell Cell(string row, string column, int count) =>
        new(row, column, count, count.ToString(CultureInfo.InvariantCulture));

    private static string Key(int day) => DashboardCase.DateOf(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
