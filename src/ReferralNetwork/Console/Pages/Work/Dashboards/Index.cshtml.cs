using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

namespace ReferralNetwork.WebConsole.Pages.Work.Dashboards;

/// <summary>
/// The dashboards of the secretariat (every country) and of a focal point (its own country), from the same
/// <see cref="DashboardService"/> as the API: every count cell as published (<c>&lt;10</c> where small), each table
/// beside a heat map drawn on the server (SVG: nothing runs in the browser), whole periods only, and the CSV.
/// </summary>
public sealed class IndexModel(DashboardService dashboards, SurgeDays surgeDays) : WorkPage
{
    [BindProperty(SupportsGet = true, Name = "name")]
    public string Dashboard { get; set; } = "corridors";

    [BindProperty(SupportsGet = true)]
    public string? Period { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Country { get; set; }

    [BindProperty(SupportsGet = true)]
    public ExploitationForm? Exploitation { get; set; }

    public DashboardView View { get; private set; } = null!;

    /// <summary>On the surge board, a focal point's own figures per day (<see cref="SurgeDays"/>), above the protected tables.</summary>
    public SurgeDaysView? Days { get; private set; }

    private string? _scope;

    public bool HasFormFilter => DashboardCatalog.Dashboards.TryGetValue(Dashboard, out var specs) && specs.Any(s => s.FormAxis);

    public bool IsSecretariat => Caller.Country == ReferralNetwork.Organizations.Country.Regional;

    /// <summary>The periods to choose from: this year and last, their quarters, and the months so far (newest first).</summary>
    public IReadOnlyList<string> Periods { get; private set; } = [];

    /// <summary>The measures a line is drawn for: identified and returned (the closures by reason stay in the table).</summary>
    public static readonly IReadOnlyList<string> Lined = ["identified", "returned"];

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is { } refused ? refused : Page();

    /// <summary>A table whose columns are the months of the period (the trends) as lines, one per measure in <see cref="Lined"/>.</summary>
    public static LineChartModel Lines(DashboardTable table, string title, IStringLocalizer<ConsoleText> text)
    {
        var months = HeatMap.Columns(table, withTotal: false);
        return new(
            title,
            [.. months.Select(m => Charts.MonthName(DashboardEndpoints.ParsePeriod(m)))],
            [.. Lined.Select(row => new LineSeries(HeatMap.Label(text, row), [.. months.Select(m => HeatMap.Cell(table, row, m))]))]);
    }

    /// <summary>The same answer as CSV, to download (<c>&lt;10</c> where small).</summary>
    public async Task<IActionResult> OnGetCsvAsync()
    {
        if (await LoadAsync() is { } refused)
        {
            return refused;
        }

        var name = $"{View.Dashboard}-{View.Period}-{View.Scope}.csv";
        return File(Encoding.UTF8.GetBytes(DashboardEndpoints.ToCsv(View)), DashboardEndpoints.CsvType, name);
    }

    /// <summary>The address of this dashboard with other filters.</summary>
    public string Link(string? name = null, string? csv = null) => QueryString.Create(new Dictionary<string, string?>
    {
        ["name"] = name ?? Dashboard,
        ["period"] = View.Period,
        ["country"] = IsSecretariat ? Country : null,
        ["exploitation"] = name is null && Exploitation is { } form ? form.ToString() : null,
        ["handler"] = csv,
    }.Where(p => p.Value is not null)).ToUriComponent();

    private async Task<IActionResult?> LoadAsync()
    {
        if (!Caller.Has(Scopes.DashboardRead) || !DashboardCatalog.Dashboards.ContainsKey(Dashboard))
        {
            return Caller.Has(Scopes.DashboardRead) ? NotFoundPage() : Refused(RefusalCode.DashboardsNotForThisKind, StatusCodes.Status403Forbidden);
        }

        var now = Now;
        Periods = [.. new[] { now.Year, now.Year - 1 }.SelectMany(year => new[] { $"{year}" }
            .Concat(Enumerable.Range(1, 4).Reverse().Where(q => year < now.Year || q <= ((now.Month - 1) / 3) + 1).Select(q => $"{year}-Q{q}"))
            .Concat(Enumerable.Range(1, 12).Reverse().Where(m => year < now.Year || m <= now.Month).Select(m => string.Create(CultureInfo.InvariantCulture, $"{year}-{m:00}"))))];
        Period ??= $"{now.Year}";
        try
        {
            _scope = DashboardEndpoints.ScopeOf(Caller, IsSecretariat ? Country : null);
            var period = DashboardEndpoints.ParsePeriod(Period);
            View = await dashboards.AnswerAsync(new DashboardQuery(Dashboard, period, _scope, HasFormFilter ? Exploitation : null), HttpContext.RequestAborted);
            if (Dashboard == "surge" && Caller.Kind == OrganizationKind.FocalPoint && Caller.Has(Scopes.ReferralsRead))
            {
                Days = await surgeDays.AnswerAsync(Caller, null, null, HttpContext.RequestAborted);
            }

            return null;
        }
        catch (ProblemException problem)
        {
            return Refused(problem.Code ?? "kind-validation", Problems.StatusOf(problem.Kind));
        }
    }
}
