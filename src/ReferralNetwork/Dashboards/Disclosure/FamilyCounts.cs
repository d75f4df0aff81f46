namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>
/// The raw counts behind a family of related tables: one row × column table for each month of
/// <see cref="Span"/> and each country. The family publishes every period nested in the span (the year, its
/// quarters, its months; or a quarter and its months) for all countries together and for each country, and
/// those are exactly the tables an attacker can set against each other, so they are protected together.
/// </summary>
public sealed class FamilyCounts
{
    private readonly Dictionary<Period, int> _month;
    private readonly Dictionary<string, int> _country;
    private readonly Dictionary<string, int> _row;
    private readonly Dictionary<string, int> _column;

    public FamilyCounts(Period span, IReadOnlyList<string> countries, IReadOnlyList<string> rowKeys, IReadOnlyList<string> columnKeys)
    {
        ArgumentNullException.ThrowIfNull(span);
        CountMatrix.CheckKeys(countries, nameof(countries));
        CountMatrix.CheckKeys(rowKeys, nameof(rowKeys));
        CountMatrix.CheckKeys(columnKeys, nameof(columnKeys));
        Span = span;
        Countries = [.. countries];
        RowKeys = [.. rowKeys];
        ColumnKeys = [.. columnKeys];
        _month = Span.Months.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        _country = Index(Countries);
        _row = Index(RowKeys);
        _column = Index(ColumnKeys);
        Counts = new int[_month.Count, Countries.Count, RowKeys.Count, ColumnKeys.Count];
    }

    public Period Span { get; }

    public IReadOnlyList<string> Countries { get; }

    public IReadOnlyList<string> RowKeys { get; }

    public IReadOnlyList<string> ColumnKeys { get; }

    /// <summary>[month within the span, country, row, column].</summary>
    internal int[,,,] Counts { get; }

    public void Add(Period month, string country, string row, string column, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ref var cell = ref Counts[MonthIndex(month), Find(_country, country), Find(_row, row), Find(_column, column)];
        cell = checked(cell + count);
    }

    public int this[Period month, string country, string row, string column] =>
        Counts[MonthIndex(month), Find(_country, country), Find(_row, row), Find(_column, column)];

    private int MonthIndex(Period month) =>
        month.Kind == PeriodKind.Month && _month.TryGetValue(month, out var i)
            ? i
            : throw new ArgumentException($"{month} is not a month of {Span}.", nameof(month));

    private static Dictionary<string, int> Index(IReadOnlyList<string> keys) =>
        keys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);

    private static int Find(Dictionary<string, int> index, string key) =>
        index.TryGetValue(key, out var i) ? i : throw new KeyNotFoundException($"Unknown key '{key}'.");
}

/// <summary>
/// The published tables of one family, all from one coordinated suppression. Serve every table of the span
/// from the same instance: a table protected on its own, or in another family, is not protected against this
/// family's tables.
/// </summary>
public sealed class ProtectedFamily
{
    private readonly Dictionary<(Period Period, string? Country), CountTable> _tables;

    internal ProtectedFamily(Period span, IReadOnlyList<string> countries, int threshold, IReadOnlyList<(Period Period, string? Country)> withheldTables, Dictionary<(Period, string?), CountTable> tables)
    {
        Span = span;
        Countries = countries;
        Threshold = threshold;
        WithheldTables = withheldTables;
        _tables = tables;
    }

    public Period Span { get; }

    public IReadOnlyList<string> Countries { get; }

    public int Threshold { get; }

    /// <summary>
    /// Rebuilds a release from its stored tables, to pass as the earlier release of the next one. The next
    /// protection checks every stored count and mark against the data, so a wrong store is refused, not trusted.
    /// </summary>
    public static ProtectedFamily Restore(
        Period span,
        IReadOnlyList<string> countries,
        int threshold,
        IEnumerable<(Period Period, string? Country, CountTable Table)> tables,
        IReadOnlyList<(Period Period, string? Country)> withheldTables)
    {
        ArgumentNullException.ThrowIfNull(span);
        ArgumentNullException.ThrowIfNull(countries);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(withheldTables);
        return new ProtectedFamily(span, [.. countries], threshold, [.. withheldTables], tables.ToDictionary(t => (t.Period, t.Country), t => t.Table));
    }

    /// <summary>
    /// Tables published with every cell withheld, because one of their cells had no witness otherwise; usually
    /// none. Country null is the all-countries table.
    /// </summary>
    public IReadOnlyList<(Period Period, string? Country)> WithheldTables { get; }

    /// <summary>The table of a period nested in the span, for one country or (null) for all countries.</summary>
    public CountTable Table(Period period, string? country = null) =>
        _tables.TryGetValue((period, country), out var table)
            ? table
            : throw new KeyNotFoundException($"No table for {period} / {country ?? "all countries"} in the family of {Span}.");

    /// <summary>Every table of the family: each period of the span, for all countries (Country null) and for each.</summary>
    public IEnumerable<(Period Period, string? Country, CountTable Table)> Tables() =>
        _tables.Select(t => (t.Key.Period, t.Key.Country, t.Value));
}
