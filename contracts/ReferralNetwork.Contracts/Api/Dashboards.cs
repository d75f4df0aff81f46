using System.Text.Json.Serialization;

namespace ReferralNetwork.Contracts.Api;

/// <summary>
/// One published count. <see cref="Count"/> is null when the cell is suppressed; <see cref="Display"/> is what to show:
/// "25", "0", "&lt;10" (a small count, 1–9), "≥10" (hidden so that a small one cannot be worked out) or "withheld".
/// Row or column "total" is the total over that dimension.
/// </summary>
public sealed record DashboardCell(string Row, string Column, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Count, string Display);

/// <summary>A figure derived from counts (a median, a percentage); null when the group it describes is suppressed or too small.</summary>
public sealed record DashboardStatistic(string Name, string Row, string Column, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value);

/// <summary>One table of a dashboard: what its rows and columns are, its cells with their totals, and derived figures.</summary>
public sealed record DashboardTable(string Name, string Rows, string Columns, IReadOnlyList<DashboardCell> Cells, IReadOnlyList<DashboardStatistic> Statistics);

/// <summary>
/// A dashboard for a whole month, quarter or year. <see cref="Scope"/> is "all" (the secretariat, no country filter) or
/// the country whose referrals are counted. No referral id, no organization, nothing about a person.
/// </summary>
public sealed record DashboardView(string Dashboard, string Period, string Scope, string? Exploitation, int Threshold, IReadOnlyList<DashboardTable> Tables);

/// <summary>A de-identified case of the export, its quasi-identifiers possibly generalized (a quarter or year, a wider age band, any sex).</summary>
public sealed record ExportedCase(
    string Period,
    string IdentificationCountry,
    string Nationality,
    string AgeBand,
    string Sex,
    IReadOnlyList<string> ExploitationForms,
    IReadOnlyList<string> PalermoElements,
    string FurthestStage,
    string? ClosureReason);

/// <summary>The k-anonymous case export: every combination of period, countries, age band and sex occurs at least <see cref="K"/> times; <see cref="Withheld"/> cases could not be and are left out.</summary>
public sealed record CaseExport(int K, int Released, int Withheld, IReadOnlyList<ExportedCase> Cases);

/// <summary>
/// A focal point's own surge figures per day (<c>GET /api/v1/dashboard/surge/days</c>): of the referrals its organization
/// holds or takes part in, how many reached each step on each UTC day from <see cref="From"/> to <see cref="To"/>, as
/// exact counts (each of them it may open anyway). Rows are the steps, columns the days (2026-12-06) and each step's
/// total over them; there is no total per day, as one person can reach two steps on one day.
/// </summary>
public sealed record SurgeDaysView(string Organization, string From, string To, string? Nationality, DashboardTable Table);
