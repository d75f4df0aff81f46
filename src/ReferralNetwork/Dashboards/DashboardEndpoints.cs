using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.Dashboards;

public static partial class DashboardEndpoints
{
    public const string CsvType = "text/csv";
    private const int MaxName = 32;
    private const string PeriodText = @"^(?<year>\d{4})(-(?:(?<month>0[1-9]|1[0-2])|Q(?<quarter>[1-4])))?$";

    public static IEndpointRouteBuilder MapDashboardsApi(this IEndpointRouteBuilder app)
    {
        var dashboards = app.MapApiGroup("dashboard", "Dashboards");
        dashboards.MapGet("/surge/days", SurgeDaysAsync)
            .RequireAuthorization(Scopes.DashboardRead, Scopes.ReferralsRead)
            .WithName("SurgeDays")
            .WithSummary("A focal point's own figures per day: of its organization's referrals, how many reached each step on each of the last days (1–31, default 14). Exact counts; not for the secretariat.")
            .ProducesValidationProblem();
        dashboards.MapGet("/{name}", DashboardAsync)
            .RequireAuthorization(Scopes.DashboardRead)
            .WithName("Dashboard")
            .WithSummary("Aggregates for a whole month (2026-11), quarter (2026-Q4) or year (2026): small counts suppressed. Accept: text/csv for CSV.")
            .Produces<string>(StatusCodes.Status200OK, CsvType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapApiGroup("exports", "Dashboards")
            .MapGet("/cases", CasesAsync)
            .RequireAuthorization(Scopes.DashboardRead)
            .WithName("CaseExport")
            .WithSummary("De-identified, k-anonymous case records (secretariat only). Accept: text/csv for CSV.")
            .Produces<string>(StatusCodes.Status200OK, CsvType)
            .ProducesValidationProblem();
        return app;
    }

    private static async Task<Results<Ok<DashboardView>, ContentHttpResult>> DashboardAsync(
        [MaxLength(MaxName)] string name,
        [MaxLength(7), RegularExpression(PeriodText)] string? period,
        [MaxLength(Limits.CountryCode)] string? country,
        [OneOf(typeof(ExploitationForm))] string? exploitation,
        HttpContext http,
        DashboardService dashboards,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(http.User);
        var scope = ScopeOf(caller, country);
        if (!DashboardCatalog.Dashboards.TryGetValue(name, out var specs))
        {
            throw new ProblemException(ProblemKind.NotFound, $"No dashboard '{name}'. Dashboards: {string.Join(", ", DashboardCatalog.Dashboards.Keys)}.");
        }

        var form = ApiGroups.ParseQuery<ExploitationForm>(exploitation, "exploitation");
        if (form is not null && !specs.Any(s => s.FormAxis))
        {
            throw ProblemException.Invalid("exploitation", $"The {name} dashboard has no exploitation filter; it is offered on {string.Join(", ", DashboardCatalog.Dashboards.Where(d => d.Value.Any(s => s.FormAxis)).Select(d => d.Key))}.");
        }

        var view = await dashboards.AnswerAsync(new DashboardQuery(name, ParsePeriod(period), scope, form), cancellationToken);
        return WantsCsv(http) ? TypedResults.Text(ToCsv(view), CsvType, Encoding.UTF8) : TypedResults.Ok(view);
    }

    private static async Task<Ok<SurgeDaysView>> SurgeDaysAsync(
        [Range(1, SurgeDays.MaxDays)] int? days,
        [MaxLength(Limits.CountryCode)] string? nationality,
        HttpContext http,
        SurgeDays surge,
        CancellationToken cancellationToken)
    {
        var asked = string.IsNullOrWhiteSpace(nationality) ? null : nationality.Trim().ToUpperInvariant();
        if (asked is not null && !CountryCode().IsMatch(asked))
        {
            throw ProblemException.Invalid("nationality", "A country code of two letters (ISO 3166-1 alpha-2).");
        }

        return TypedResults.Ok(await surge.AnswerAsync(Caller.From(http.User), days, asked, cancellationToken));
    }

    private static async Task<Results<Ok<CaseExport>, ContentHttpResult>> CasesAsync(
        [Range(1900, 9999)] int? year, HttpContext http, CaseExportService exports, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http.User);
        if (caller.Country != Country.Regional)
        {
            throw ProblemException.OnlyMay(RefusalCode.OnlySecretariatExports, "Only the secretariat receives the case export.");
        }

        var export = await exports.ExportAsync(year, cancellationToken);
        return WantsCsv(http) ? TypedResults.Text(ToCsv(export), CsvType, Encoding.UTF8) : TypedResults.Ok(export);
    }

    /// <summary>
    /// Whose referrals the caller may count: the secretariat every country's (or one it names), a focal point its own
    /// country's only; anyone else nothing (deny by default, whatever scope its token carries).
    /// </summary>
    public static string? ScopeOf(Caller caller, string? country)
    {
        var asked = string.IsNullOrWhiteSpace(country) ? null : country.Trim().ToUpperInvariant();
        if (asked is not null && !CountryCode().IsMatch(asked))
        {
            throw ProblemException.Invalid("country", "A country code of two letters (ISO 3166-1 alpha-2).");
        }

        if (caller.Country == Country.Regional)
        {
            return asked;
        }

        if (caller.Kind != OrganizationKind.FocalPoint)
        {
            throw ProblemException.OnlyMay(RefusalCode.DashboardsNotForThisKind, "Dashboards are for the secretariat and the national focal points.");
        }

        return asked is null || asked == caller.Country
            ? caller.Country
            : throw ProblemException.OnlyMay(RefusalCode.DashboardsOwnCountryOnly, "A focal point sees the dashboards of its own country only.");
    }

    /// <summary>A whole month (2026-11), quarter (2026-Q4) or year (2026); nothing else, so that no two answers differ by a few days.</summary>
    public static Period ParsePeriod(string? text)
    {
        var match = PeriodPattern().Match(text?.Trim() ?? "");
        if (!match.Success)
        {
            throw ProblemException.Invalid("period", "A whole month (2026-11), quarter (2026-Q4) or year (2026).");
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        return match.Groups["month"].Success ? Period.Month(year, int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture))
            : match.Groups["quarter"].Success ? Period.Quarter(year, int.Parse(match.Groups["quarter"].Value, CultureInfo.InvariantCulture))
            : Period.WholeYear(year);
    }

    private static bool WantsCsv(HttpContext http) =>
        MediaTypeHeaderValue.ParseList(http.Request.Headers.Accept).Any(a => a.MediaType.Equals(CsvType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every cell and figure of the JSON answer, one a line; suppressed cells as they display ("&lt;10").</summary>
    public static string ToCsv(DashboardView view)
    {
        var csv = new StringBuilder("dashboard,period,scope,table,row,column,measure,value\n");
        foreach (var table in view.Tables)
        {
            foreach (var cell in table.Cells)
            {
                Line(csv, view.Dashboard, view.Period, view.Scope, table.Name, cell.Row, cell.Column, "count", cell.Display);
            }

            foreach (var statistic in table.Statistics)
            {
                Line(csv, view.Dashboard, view.Period, view.Scope, table.Name, statistic.Row, statistic.Column, statistic.Name,
                    statistic.Value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "suppressed");
            }
        }

        return csv.ToString();
    }

    public static string ToCsv(CaseExport export)
    {
        var csv = new StringBuilder("period,identification_country,nationality,age_band,sex,exploitation_forms,palermo_elements,furthest_stage,closure_reason\n");
        foreach (var c in export.Cases)
        {
            Line(csv, c.Period, c.IdentificationCountry, c.Nationality, c.AgeBand, c.Sex, string.Join(';', c.ExploitationForms), string.Join(';', c.PalermoElements), c.FurthestStage, c.ClosureReason ?? "");
        }

        return csv.ToString();
    }

    private static void Line(StringBuilder csv, params string[] fields)
    {
        csv.AppendJoin(',', fields.Select(Escape)).Append('\n');
    }

    // Values are codes and numbers; quoting still guards against a formula or a comma reaching a spreadsheet.
    private static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 || field.StartsWith('=') || field.StartsWith('+') || field.StartsWith('@')
            ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : field;

    [GeneratedRegex(PeriodText, RegexOptions.CultureInvariant)]
    private static partial Regex PeriodPattern();

    [GeneratedRegex("^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CountryCode();
}
