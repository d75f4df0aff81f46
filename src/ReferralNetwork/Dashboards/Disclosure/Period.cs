using System.Globalization;

namespace ReferralNetwork.Dashboards.Disclosure;

public enum PeriodKind
{
    Month,
    Quarter,
    Year,
}

/// <summary>
/// A whole calendar month, quarter or year. Dashboards publish only these, never arbitrary date ranges: with
/// free ranges an attacker could ask for [1 March, 31 March] and [2 March, 31 March] and difference out one day.
/// Whole periods nest (months in quarters in years), so every relation between published tables is a sum that
/// the protection of a family (<see cref="SmallCellProtection.ProtectFamily"/>) knows about.
/// </summary>
public sealed record Period
{
    private Period(PeriodKind kind, int year, int number)
    {
        Kind = kind;
        Year = year;
        Number = number;
    }

    public PeriodKind Kind { get; }

    public int Year { get; }

    /// <summary>The month (1–12) or quarter (1–4) within <see cref="Year"/>; 0 for a year.</summary>
    public int Number { get; }

    public static Period Month(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        return new Period(PeriodKind.Month, year, month);
    }

    public static Period Quarter(int year, int quarter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quarter, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quarter, 4);
        return new Period(PeriodKind.Quarter, year, quarter);
    }

    public static Period WholeYear(int year) => new(PeriodKind.Year, year, 0);

    public static Period MonthOf(DateOnly date) => Month(date.Year, date.Month);

    /// <summary>The quarter a month lies in, the year a quarter lies in; null for a year.</summary>
    public Period? Parent => Kind switch
    {
        PeriodKind.Month => Quarter(Year, ((Number - 1) / 3) + 1),
        PeriodKind.Quarter => WholeYear(Year),
        _ => null,
    };

    /// <summary>The quarters of a year, the months of a quarter; none for a month.</summary>
    public IReadOnlyList<Period> SubPeriods => Kind switch
    {
        PeriodKind.Year => [.. Enumerable.Range(1, 4).Select(q => Quarter(Year, q))],
        PeriodKind.Quarter => [.. Enumerable.Range(((Number - 1) * 3) + 1, 3).Select(m => Month(Year, m))],
        _ => [],
    };

    /// <summary>The months this period is made of, in order.</summary>
    public IReadOnlyList<Period> Months => Kind switch
    {
        PeriodKind.Month => [this],
        _ => [.. SubPeriods.SelectMany(p => p.Months)],
    };

    /// <summary>This period and every period nested in it, coarsest first.</summary>
    public IReadOnlyList<Period> SelfAndDescendants => [this, .. SubPeriods.SelectMany(p => p.SelfAndDescendants)];

    public bool Contains(Period other) => other == this || (other.Parent is { } parent && Contains(parent));

    /// <summary>"2025-03", "2025-Q1" or "2025".</summary>
    public override string ToString() => Kind switch
    {
        PeriodKind.Month => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Number:D2}"),
        PeriodKind.Quarter => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-Q{Number}"),
        _ => Year.ToString("D4", CultureInfo.InvariantCulture),
    };
}
