using System.Globalization;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.WebConsole.Pages.Work.Dashboards;

/// <summary>One line of a line chart: a measure's published count per month (null where none was published).</summary>
public sealed record LineSeries(string Label, IReadOnlyList<DashboardCell?> Points);

/// <summary>Monthly counts as lines: the months along the bottom, one line per measure.</summary>
public sealed record LineChartModel(string Title, IReadOnlyList<string> Months, IReadOnlyList<LineSeries> Series);

/// <summary>One bar per row of a table (its total), with the row's words.</summary>
public sealed record BarChartModel(string Title, IReadOnlyList<(string Label, DashboardCell? Cell)> Bars);

/// <summary>
/// The geometry of the console's charts, drawn on the server as SVG: nothing runs in the browser, and a suppressed count
/// is never drawn as a value (its point or bar is left out and reads <c>&lt;10</c>, as in the table beside it).
/// </summary>
public static class Charts
{
    public const int PlotTop = 16;
    public const int PlotHeight = 160;
    public const int AxisWidth = 48;
    public const int MonthWidth = 56;
    public const int BarLabelWidth = 200;
    public const int BarLength = 360;
    public const int BarHeight = 28;

    /// <summary>Colours with a dash pattern each, so that lines stay apart without colour too.</summary>
    public static readonly IReadOnlyList<(string Colour, string Dash)> Styles =
        [("#0a4d8c", ""), ("#a34700", "7 4"), ("#2e6b30", "2 4"), ("#6a1b9a", "10 4 2 4")];

    /// <summary>The top of the scale: the largest published value rounded up to 1, 2 or 5 times a power of ten.</summary>
    public static int ScaleTop(IEnumerable<DashboardCell?> cells)
    {
        var max = cells.Select(c => c?.Count ?? 0).DefaultIfEmpty(0).Max();
        if (max <= 0)
        {
            return 10;
        }

        var power = (int)Math.Pow(10, Math.Floor(Math.Log10(max)));
        return new[] { 1, 2, 5, 10 }.Select(step => step * power).First(top => top >= max);
    }

    /// <summary>The height in the plot of a count, on a scale of <paramref name="top"/>.</summary>
    public static double Y(int count, int top) => PlotTop + PlotHeight - ((double)count * PlotHeight / top);

    public static int X(int month) => AxisWidth + (month * MonthWidth) + (MonthWidth / 2);

    /// <summary>The runs of published points of a line, each drawn as one polyline ("x,y x,y …").</summary>
    public static IEnumerable<string> Segments(LineSeries series, int top)
    {
        var run = new List<string>();
        for (var m = 0; m <= series.Points.Count; m++)
        {
            if (m < series.Points.Count && series.Points[m]?.Count is { } count)
            {
                run.Add(string.Create(CultureInfo.InvariantCulture, $"{X(m)},{Y(count, top):0.#}"));
                continue;
            }

            if (run.Count > 1)
            {
                yield return string.Join(' ', run);
            }

            run.Clear();
        }
    }

    /// <summary>A month's short name in the person's language ("Mar", "มี.ค.", …).</summary>
    public static string MonthName(Period month) =>
        CultureInfo.CurrentCulture.DateTimeFormat.GetAbbreviatedMonthName(month.Number);

    public static int BarWidth(int count, int top) => (int)Math.Round((double)count * BarLength / top);

    /// <summary>The rows of a table with their totals (the bar of each), totals row left out.</summary>
    public static IReadOnlyList<(string Row, DashboardCell? Cell)> RowTotals(DashboardTable table) =>
        [.. HeatMap.Rows(table, withTotal: false).Select(row => (row, HeatMap.Cell(table, row, DashboardCatalog.Total)))];
}
