using System.Globalization;
using Microsoft.Extensions.Localization;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards;

namespace ReferralNetwork.WebConsole.Pages.Work.Dashboards;

/// <summary>A table to draw, and its title (the name of the region that holds the drawing).</summary>
public sealed record HeatMapModel(DashboardTable Table, string Title);

/// <summary>A dashboard table as a grid: its rows and columns in order (totals last), its cells, and their words.</summary>
public static class HeatMap
{
    public const int CellWidth = 72;
    public const int CellHeight = 36;
    public const int LabelWidth = 168;

    /// <summary>
    /// Room for the rows' labels: at least <see cref="LabelWidth"/>, more for long ones (a stage's name in Burmese), so that
    /// none is cut at the left edge. Estimated from the labels' characters as a reader sees them (grapheme clusters).
    /// </summary>
    public static int LabelWidthFor(IEnumerable<string> labels) =>
        Math.Clamp((labels.Select(l => new StringInfo(l).LengthInTextElements).DefaultIfEmpty(0).Max() * 12) + 16, LabelWidth, 480);

    public static IReadOnlyList<string> Rows(DashboardTable table, bool withTotal) => Keys(table.Cells.Select(c => c.Row), withTotal);

    public static IReadOnlyList<string> Columns(DashboardTable table, bool withTotal) => Keys(table.Cells.Select(c => c.Column), withTotal);

    public static DashboardCell? Cell(DashboardTable table, string row, string column) => table.Cells.FirstOrDefault(c => c.Row == row && c.Column == column);

    /// <summary>The largest published inner count: the darkest colour.</summary>
    public static int Max(DashboardTable table) =>
        table.Cells.Where(c => c.Row != DashboardCatalog.Total && c.Column != DashboardCatalog.Total).Select(c => c.Count ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>A published count's colour, from pale to the accent blue; a suppressed cell is grey (its text says <c>&lt;10</c>).</summary>
    public static string Fill(DashboardCell? cell, int max)
    {
        if (cell?.Count is not { } count)
        {
            return cell is null ? "#ffffff" : "#d9d9d9";
        }

        var share = max == 0 ? 0 : (double)count / max;
        static int Mix(int from, int to, double share) => (int)Math.Round(from + ((to - from) * share));
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(0xee, 0x0a, share):x2}{Mix(0xf3, 0x4d, share):x2}{Mix(0xfa, 0x8c, share):x2}");
    }

    /// <summary>Text on a cell: white on the darker half of the scale.</summary>
    public static string Ink(DashboardCell? cell, int max) => cell?.Count is { } count && max > 0 && count * 2 > max ? "#ffffff" : "#1b1b1b";

    /// <summary>
    /// An SVG <c>text</c> element (Razor keeps <c>&lt;text&gt;</c> for itself, so it is written here), its content encoded.
    /// </summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent Text(int x, int y, string anchor, string content, string? cssClass = null, string? fill = null)
    {
        var attributes = string.Create(CultureInfo.InvariantCulture, $"x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\"")
            + (cssClass is null ? "" : $" class=\"{cssClass}\"")
            + (fill is null ? "" : $" fill=\"{fill}\"");
        return new Microsoft.AspNetCore.Html.HtmlString($"<text {attributes}>{System.Net.WebUtility.HtmlEncode(content)}</text>");
    }

    /// <summary>A row or column key in the person's words: a country, a stage, a sex, a form, a day… or the key itself (a month, an age band).</summary>
    public static string Label(IStringLocalizer<ConsoleText> text, string key)
    {
        if (key == DashboardCatalog.Total)
        {
            return text["Dashboards.Total"];
        }

        if (key.StartsWith("closed:", StringComparison.Ordinal))
        {
            return $"{text["Stage.closed"].Value}: {Label(text, "ClosureReason." + key["closed:".Length..], key)}";
        }

        if (DateOnly.TryParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day.ToString("d MMM", CultureInfo.CurrentCulture);
        }

        if (ReferralNetwork.Contracts.IndicatorCatalog.Find(key) is { } indicator)
        {
            var language = (ConsoleLanguages.Of(CultureInfo.CurrentUICulture.Name) ?? ConsoleLanguages.English).Code;
            return indicator.Labels.GetValueOrDefault(language) ?? indicator.Labels[ReferralNetwork.Contracts.IndicatorCatalog.FallbackLanguage];
        }

        foreach (var prefix in Prefixes)
        {
            var label = text[prefix + key];
            if (!label.ResourceNotFound)
            {
                return label.Value;
            }
        }

        return key;
    }

    private static string Label(IStringLocalizer<ConsoleText> text, string resource, string fallback) =>
        text[resource] is { ResourceNotFound: false } label ? label.Value : fallback;

    private static readonly string[] Prefixes =
    [
        "Country.", "Stage.", "Sex.", "ExploitationForm.", "ScreeningOutcome.", "HandoffStatus.", "HandoffKind.", "Dashboards.Key.",
    ];

    private static IReadOnlyList<string> Keys(IEnumerable<string> keys, bool withTotal)
    {
        var distinct = keys.Distinct(StringComparer.Ordinal).ToList();
        var inner = distinct.Where(k => k != DashboardCatalog.Total).ToList();
        return withTotal && distinct.Contains(DashboardCatalog.Total) ? [.. inner, DashboardCatalog.Total] : inner;
    }
}
