using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Matching;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards;

/// <summary>How a country filter applies to a table.</summary>
public enum CountryScope
{
    /// <summary>The table has a filter axis "country of identification": the caller's country picks its table.</summary>
    Identification,

    /// <summary>Rows and columns are countries: the caller's country keeps the cells of its row and its column.</summary>
    RowsAndColumns,
}

/// <summary>Which cells of a table count the referrals identified (in a period, country, main form) that every such table shares.</summary>
public enum SharedTotal
{
    None,

    /// <summary>The grand total.</summary>
    GrandTotal,

    /// <summary>
    /// The table that decides: its grand total and its rows' totals (rows are countries of identification) are what
    /// the others publish. It is the one with the most structure around these counts (<c>corridors</c>), so the
    /// witnesses its protection chooses for them exist in the finer tables too.
    /// </summary>
    Decides,

    /// <summary>Every row's total (each row splits all referrals in two).</summary>
    EveryRow,

    /// <summary>The row "identified".</summary>
    IdentifiedRow,
}

/// <summary>The raw counts of one table for a year, and value distributions behind its statistics (leaf → value → how many).</summary>
public sealed record TableData(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyList<CubeLeaf> Leaves, IReadOnlyList<(CubeLeaf Leaf, int Value)> Values);

/// <summary>A table of a dashboard: what it counts, its filter axes (country of identification, main form), how to load it.</summary>
public sealed record TableSpec(
    string Name,
    string Rows,
    string Columns,
    CountryScope Scope,
    bool FormAxis,
    Func<PlatformDbContext, int, CancellationToken, Task<TableData>> Load,
    SharedTotal Shared = SharedTotal.None,
    SharedCount? Follows = null);

/// <summary>
/// Another count this table shares with a table of another dashboard, protected there first: <see cref="Map"/> gives,
/// for a cell of this table, the cell of that table that counts the same referrals (or null).
/// </summary>
public sealed record SharedCount(string Dashboard, string Table, Func<ProtectedCube, Period, string?[], string?, string?, Cell?> Map);

/// <summary>The dashboards of DESIGN §8 and their tables. Every table is protected as one family per year (<see cref="ProtectedCube"/>).</summary>
public static class DashboardCatalog
{
    public const string Total = "total";

    public static readonly IReadOnlyList<string> Sexes = [.. Enum.GetValues<Sex>().Select(Name)];
    public static readonly IReadOnlyList<string> Forms = [.. Enum.GetValues<ExploitationForm>().Select(Name)];
    public static readonly IReadOnlyList<string> FunnelStages = [.. Enum.GetValues<Stage>().Where(s => s != Stage.Closed).Select(Name)];

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<TableSpec>> Dashboards = new Dictionary<string, IReadOnlyList<TableSpec>>(StringComparer.Ordinal)
    {
        ["corridors"] =
        [
            new("identified", "country of identification", "nationality", CountryScope.RowsAndColumns, true, CorridorsAsync, SharedTotal.Decides),
            new("custody-handoffs", "country of the offering organization", "country of the receiving organization", CountryScope.RowsAndColumns, false, CustodyPairsAsync),
        ],
        ["funnel"] = [new("furthest-stage", "furthest stage reached", "open or closed", CountryScope.Identification, false, FunnelAsync, SharedTotal.GrandTotal)],
        ["time-to-return"] = [new("returns", "country of identification", "nationality", CountryScope.RowsAndColumns, true, ReturnsAsync)],
        ["handoffs"] =
        [
            new("by-country-pair", "country of the offering organization", "country of the receiving organization", CountryScope.RowsAndColumns, false, HandoffPairsAsync),
            new("by-kind-and-status", "kind", "status", CountryScope.Identification, false, HandoffStatusAsync),
        ],
        ["screening"] =
        [
            new("outcomes", "latest screening outcome", "age group", CountryScope.Identification, false, OutcomesAsync, SharedTotal.GrandTotal),
            // Each indicator's row total is the presumed victims, which outcomes publishes.
            new("indicators", "indicator", "presumed victims showing it or not", CountryScope.Identification, false, IndicatorsAsync,
                Follows: new("screening", "outcomes", (outcomes, period, filters, row, column) =>
                    row is not null && column is null && (filters[0] is null || outcomes.Knows(0, filters[0]!))
                        ? outcomes.Table(period, filters).RowTotal(Name(ScreeningOutcome.PresumedVictim))
                        : null)),
        ],
        ["exploitation"] = [new("forms", "form of exploitation", "recorded or not", CountryScope.Identification, false, FormsAsync, SharedTotal.EveryRow)],
        ["demographics"] = [new("age-and-sex", "age band", "sex", CountryScope.Identification, false, DemographicsAsync, SharedTotal.GrandTotal)],
        // Returns per month and country are the row totals of time-to-return.
        ["trends"] = [new("monthly", "measure", "month", CountryScope.Identification, false, TrendsAsync, SharedTotal.IdentifiedRow,
            new("time-to-return", "returns", (returns, period, filters, row, _) =>
                row != "returned" ? null
                : filters[0] is null ? returns.Table(period, [null]).GrandTotal
                : returns.RowKeys.Contains(filters[0]!, StringComparer.Ordinal) ? returns.Table(period, [null]).RowTotal(filters[0]!)
                : null))],
        // Matches both focal points confirmed (docs/matching.md), counted in the month the second confirmed. Counts only:
        // neither a match nor a referral id leaves the loader. Matches count no referral the other tables count, so they share no total.
        ["re-identifications"] =
        [
            new("re-identified", "country where identified first", "country where identified again", CountryScope.RowsAndColumns, false, ReIdentifiedAsync),
            new("confirmed-matches", "country where identified first", "country where identified again", CountryScope.RowsAndColumns, false, ConfirmedMatchesAsync),
        ],
        // A surge (a mass release at a border) as it moves: the people identified in a country, by the furthest step each
        // has reached (screened, in protection, custody accepted, verified, planned, returned) and nationality. Each
        // nationality's total is a cell of corridors (country of identification × nationality), protected there first.
        ["surge"] = [new("by-nationality", "furthest stage reached", "nationality", CountryScope.Identification, false, SurgeAsync, SharedTotal.GrandTotal,
            new("corridors", "identified", (corridors, period, filters, row, column) =>
                row is not null || column is null || !corridors.ColumnKeys.Contains(column, StringComparer.Ordinal) ? null
                : filters[0] is null ? corridors.Table(period, [null]).ColumnTotal(column)
                : corridors.RowKeys.Contains(filters[0]!, StringComparer.Ordinal) ? corridors.Table(period, [null])[filters[0]!, column]
                : null))],
    };

    /// <summary>The table whose protection of the referral counts every other table follows.</summary>
    public static TableSpec Deciding => Dashboards["corridors"][0];

    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static string AgeBandName(AgeBand band) => band switch
    {
        AgeBand.Under12 => "0-11",
        AgeBand.From12To17 => "12-17",
        AgeBand.From18To24 => "18-24",
        AgeBand.From25To34 => "25-34",
        AgeBand.From35To49 => "35-49",
        AgeBand.From50 => "50+",
        _ => "unknown",
    };

    private static (int From, int To) Months(int year) => ((year * 100) + 1, (year * 100) + 12);

    private static IReadOnlyList<string> Keys(IEnumerable<string> keys) => [.. keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static IReadOnlyList<string> Countries(IEnumerable<CubeLeaf> leaves) => Keys(leaves.SelectMany(l => new[] { l.Row, l.Column }).DefaultIfEmpty("none"));

    private static async Task<TableData> CorridorsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to)
            .GroupBy(c => new { c.IdentifiedMonth, c.MainForm, c.IdentifiedIn, c.Nationality })
            .Select(g => new { g.Key.IdentifiedMonth, g.Key.MainForm, g.Key.IdentifiedIn, g.Key.Nationality, Count = g.Count() })
            .ToListAsync(cancellationToken);
        List<CubeLeaf> leaves = [.. groups.Select(g => new CubeLeaf(g.IdentifiedMonth % 100, [Name(g.MainForm)], g.IdentifiedIn, g.Nationality, g.Count))];
        var countries = Countries(leaves);
        return new TableData(countries, countries, leaves, []);
    }

    private static async Task<TableData> ReturnsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardCases.AsNoTracking()
            .Where(c => c.ReturnedMonth >= from && c.ReturnedMonth <= to)
            .GroupBy(c => new { ReturnedMonth = c.ReturnedMonth!.Value, c.MainForm, c.IdentifiedIn, c.Nationality, Days = c.DaysToReturn!.Value })
            .Select(g => new { g.Key.ReturnedMonth, g.Key.MainForm, g.Key.IdentifiedIn, g.Key.Nationality, g.Key.Days, Count = g.Count() })
            .ToListAsync(cancellationToken);
        List<(CubeLeaf Leaf, int Value)> values = [.. groups.Select(g => (new CubeLeaf(g.ReturnedMonth % 100, [Name(g.MainForm)], g.IdentifiedIn, g.Nationality, g.Count), g.Days))];
        List<CubeLeaf> leaves = [.. values.Select(v => v.Leaf)];
        var countries = Countries(leaves);
        return new TableData(countries, countries, leaves, values);
    }

    private static Task<TableData> ReIdentifiedAsync(PlatformDbContext db, int year, CancellationToken cancellationToken) =>
        ConfirmedPairsAsync(db, year, reIdentifiedOnly: true, cancellationToken);

    private static Task<TableData> ConfirmedMatchesAsync(PlatformDbContext db, int year, CancellationToken cancellationToken) =>
        ConfirmedPairsAsync(db, year, reIdentifiedOnly: false, cancellationToken);

    /// <summary>
    /// Confirmed matches by the countries where their two referrals were identified, the earlier identification first
    /// (a match itself has no direction; a tie goes to the match's first side). A match inside one country is on the diagonal.
    /// </summary>
    private static async Task<TableData> ConfirmedPairsAsync(PlatformDbContext db, int year, bool reIdentifiedOnly, CancellationToken cancellationToken)
    {
        var from = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddYears(1);
        var linked = await db.PossibleMatches.AsNoTracking()
            .Where(m => m.LinkedAt >= from && m.LinkedAt < to && (!reIdentifiedOnly || m.ReIdentification))
            .Join(db.Referrals, m => m.ReferralA, r => r.Id, (m, a) => new { m.ReferralB, m.LinkedAt, AIn = a.IdentifiedIn, AAt = a.IdentifiedAt })
            .Join(db.Referrals, x => x.ReferralB, r => r.Id, (x, b) => new { x.LinkedAt, x.AIn, x.AAt, BIn = b.IdentifiedIn, BAt = b.IdentifiedAt })
            .ToListAsync(cancellationToken);
        List<CubeLeaf> leaves = [.. linked
            .Select(m => (Month: DashboardCase.MonthOf(m.LinkedAt!.Value) % 100, Pair: m.BAt < m.AAt ? (m.BIn, m.AIn) : (m.AIn, m.BIn)))
            .GroupBy(m => m)
            .Select(g => new CubeLeaf(g.Key.Month, [], g.Key.Pair.Item1, g.Key.Pair.Item2, g.Count()))];
        var countries = Countries(leaves);
        return new TableData(countries, countries, leaves, []);
    }

    private static async Task<TableData> CustodyPairsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken) =>
        await HandoffPairsAsync(db, year, HandoffKind.Custody, cancellationToken);

    private static async Task<TableData> HandoffPairsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken) =>
        await HandoffPairsAsync(db, year, null, cancellationToken);

    private static async Task<TableData> HandoffPairsAsync(PlatformDbContext db, int year, HandoffKind? kind, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardHandoffs.AsNoTracking()
            .Where(h => h.Offered && h.OfferedMonth >= from && h.OfferedMonth <= to && (kind == null || h.Kind == kind))
            .GroupBy(h => new { h.OfferedMonth, h.FromCountry, h.ToCountry })
            .Select(g => new { g.Key.OfferedMonth, g.Key.FromCountry, g.Key.ToCountry, Count = g.Count() })
            .ToListAsync(cancellationToken);
        List<CubeLeaf> leaves = [.. groups.Select(g => new CubeLeaf(g.OfferedMonth % 100, [], g.FromCountry, g.ToCountry, g.Count))];
        var countries = Countries(leaves);
        return new TableData(countries, countries, leaves, []);
    }

    private static async Task<TableData> HandoffStatusAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardHandoffs.AsNoTracking()
            .Where(h => h.Offered && h.OfferedMonth >= from && h.OfferedMonth <= to)
            .GroupBy(h => new { h.OfferedMonth, h.FromCountry, h.Kind, h.Status, h.HoursToAnswer })
            .Select(g => new { g.Key.OfferedMonth, g.Key.FromCountry, g.Key.Kind, g.Key.Status, g.Key.HoursToAnswer, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var leaves = groups.Select(g => new CubeLeaf(g.OfferedMonth % 100, [g.FromCountry], Name(g.Kind), Name(g.Status), g.Count)).ToList();
        List<(CubeLeaf, int)> values = [.. groups.Where(g => g.HoursToAnswer is not null)
            .Select(g => (new CubeLeaf(g.OfferedMonth % 100, [g.FromCountry], Name(g.Kind), Name(g.Status), g.Count), g.HoursToAnswer!.Value))];
        return new TableData([.. Enum.GetValues<HandoffKind>().Select(Name)], [.. Enum.GetValues<HandoffStatus>().Select(Name)], leaves, values);
    }

    private static async Task<TableData> FunnelAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to)
            .GroupBy(c => new { c.IdentifiedMonth, c.IdentifiedIn, c.FurthestStage, Closed = c.ClosedMonth != null })
            .Select(g => new { g.Key.IdentifiedMonth, g.Key.IdentifiedIn, g.Key.FurthestStage, g.Key.Closed, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return new TableData(FunnelStages, ["open", "closed"],
            [.. groups.Select(g => new CubeLeaf(g.IdentifiedMonth % 100, [g.IdentifiedIn], Name(g.FurthestStage), g.Closed ? "closed" : "open", g.Count))], []);
    }

    private static async Task<TableData> SurgeAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to)
            .GroupBy(c => new { c.IdentifiedMonth, c.IdentifiedIn, c.Nationality, c.FurthestStage })
            .Select(g => new { g.Key.IdentifiedMonth, g.Key.IdentifiedIn, g.Key.Nationality, g.Key.FurthestStage, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return new TableData(
            FunnelStages, Keys(groups.Select(g => g.Nationality).DefaultIfEmpty("none")),
            [.. groups.Select(g => new CubeLeaf(g.IdentifiedMonth % 100, [g.IdentifiedIn], Name(g.FurthestStage), g.Nationality, g.Count))], []);
    }

    private static async Task<TableData> OutcomesAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to)
            .GroupBy(c => new { c.IdentifiedMonth, c.IdentifiedIn, c.Outcome, c.AgeBand })
            .Select(g => new { g.Key.IdentifiedMonth, g.Key.IdentifiedIn, g.Key.Outcome, g.Key.AgeBand, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return new TableData(
            [.. Enum.GetValues<ScreeningOutcome>().Select(Name), "not-screened"],
            ["child", "adult", "unknown-age"],
            [.. groups.Select(g => new CubeLeaf(
                g.IdentifiedMonth % 100, [g.IdentifiedIn], g.Outcome is { } o ? Name(o) : "not-screened",
                g.AgeBand == AgeBand.Unknown ? "unknown-age" : g.AgeBand.IsChild() ? "child" : "adult", g.Count))],
            []);
    }

    private static async Task<TableData> IndicatorsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        List<string> codes = [.. IndicatorCatalog.All.Select(i => i.Code)];
        var index = codes.Select((code, i) => (code, i)).ToDictionary(x => x.code, x => x.i, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        // A presumed victim's set of indicators is nearly unique, so grouping by it in the database gave about a group per
        // referral, and a leaf per group and indicator (3.5 million a year at a million referrals, held with the family):
        // the sets are tallied per month, country and indicator as they stream instead.
        var tallies = new Dictionary<(int Month, string Country), IndicatorTally>();
        var row = 0;
        await foreach (var c in db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to && c.Outcome == ScreeningOutcome.PresumedVictim)
            .Select(c => new { c.IdentifiedMonth, c.IdentifiedIn, c.Indicators })
            .AsAsyncEnumerable()
            .WithCancellation(cancellationToken))
        {
            var key = (c.IdentifiedMonth % 100, c.IdentifiedIn);
            if (!tallies.TryGetValue(key, out var tally))
            {
                tallies[key] = tally = new IndicatorTally(codes.Count);
            }

            tally.Referrals++;
            row++;
            var indicators = c.Indicators.AsSpan();
            foreach (var range in indicators.Split(','))
            {
                // Codes outside the catalog are not counted; a code listed twice counts once (a referral is shown or not).
                if (index.TryGetValue(indicators[range], out var i) && tally.LastRow[i] != row)
                {
                    tally.LastRow[i] = row;
                    tally.Shown[i]++;
                }
            }
        }

        // Each indicator's row splits the same presumed victims in two, so "shown" and its complement are protected together.
        List<CubeLeaf> leaves = [];
        foreach (var ((month, country), tally) in tallies)
        {
            for (var i = 0; i < codes.Count; i++)
            {
                if (tally.Shown[i] > 0)
                {
                    leaves.Add(new CubeLeaf(month, [country], codes[i], "shown", tally.Shown[i]));
                }

                if (tally.Referrals - tally.Shown[i] > 0)
                {
                    leaves.Add(new CubeLeaf(month, [country], codes[i], "not-shown", tally.Referrals - tally.Shown[i]));
                }
            }
        }

        return new TableData(codes, ["shown", "not-shown"], leaves, []);
    }

    private sealed class IndicatorTally(int codes)
    {
        public int Referrals;

        public int[] Shown { get; } = new int[codes];

        /// <summary>The last row that counted each indicator.</summary>
        public int[] LastRow { get; } = new int[codes];
    }

    private static async Task<TableData> FormsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to)
            .GroupBy(c => new { c.IdentifiedMonth, c.IdentifiedIn, c.Forms })
            .Select(g => new { g.Key.IdentifiedMonth, g.Key.IdentifiedIn, g.Key.Forms, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var leaves = groups.SelectMany(g => Enum.GetValues<ExploitationForm>().Select(form => new CubeLeaf(
            g.IdentifiedMonth % 100, [g.IdentifiedIn], Name(form), (g.Forms & DashboardCase.Bit(form)) != 0 ? "recorded" : "not-recorded", g.Count))).ToList();
        return new TableData(Forms, ["recorded", "not-recorded"], leaves, []);
    }

    private static async Task<TableData> DemographicsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var groups = await db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to)
            .GroupBy(c => new { c.IdentifiedMonth, c.IdentifiedIn, c.AgeBand, c.Sex })
            .Select(g => new { g.Key.IdentifiedMonth, g.Key.IdentifiedIn, g.Key.AgeBand, g.Key.Sex, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return new TableData(KAnonymizer.AgeBands, Sexes,
            [.. groups.Select(g => new CubeLeaf(g.IdentifiedMonth % 100, [g.IdentifiedIn], AgeBandName(g.AgeBand), Name(g.Sex), g.Count))], []);
    }

    /// <summary>Identified, returned and closed (by reason) per month: each counted in the month it happened, by country of identification.</summary>
    private static async Task<TableData> TrendsAsync(PlatformDbContext db, int year, CancellationToken cancellationToken)
    {
        var (from, to) = Months(year);
        var cases = db.DashboardCases.AsNoTracking();
        var identified = await cases.Where(c => c.IdentifiedMonth >= from && c.IdentifiedMonth <= to)
            .GroupBy(c => new { Month = c.IdentifiedMonth, c.IdentifiedIn }).Select(g => new { g.Key.Month, g.Key.IdentifiedIn, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var returned = await cases.Where(c => c.ReturnedMonth >= from && c.ReturnedMonth <= to)
            .GroupBy(c => new { Month = c.ReturnedMonth!.Value, c.IdentifiedIn }).Select(g => new { g.Key.Month, g.Key.IdentifiedIn, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var closed = await cases.Where(c => c.ClosedMonth >= from && c.ClosedMonth <= to)
            .GroupBy(c => new { Month = c.ClosedMonth!.Value, c.IdentifiedIn, Reason = c.ClosureReason!.Value })
            .Select(g => new { g.Key.Month, g.Key.IdentifiedIn, g.Key.Reason, Count = g.Count() })
            .ToListAsync(cancellationToken);
        List<CubeLeaf> leaves =
        [
            .. identified.Select(g => new CubeLeaf(g.Month % 100, [g.IdentifiedIn], "identified", "count", g.Count)),
            .. returned.Select(g => new CubeLeaf(g.Month % 100, [g.IdentifiedIn], "returned", "count", g.Count)),
            .. closed.Select(g => new CubeLeaf(g.Month % 100, [g.IdentifiedIn], $"closed:{Name(g.Reason)}", "count", g.Count)),
        ];
        return new TableData(["identified", "returned", .. Enum.GetValues<ClosureReason>().Select(r => $"closed:{Name(r)}")], ["count"], leaves, []);
    }
}
