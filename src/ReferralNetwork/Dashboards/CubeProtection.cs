using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Dashboards;

/// <summary>A count of the raw data: a month of the year, one key per filter axis, a row and a column.</summary>
public readonly record struct CubeLeaf(int Month, string[] Filters, string Row, string Column, int Count);

/// <summary>
/// Where a cell of this family counts exactly what a cell of another, already protected family counts (a period,
/// filter keys with null for "all", a row and a column with null for the total): that cell's published form, or null.
/// </summary>
public delegate Cell? CubeAnchor(Period period, string?[] filters, string? row, string? column);

/// <summary>
/// One dashboard table protected as one family (docs/disclosure-control.md): every period of a year (the year, its
/// quarters, its months) × every value of each filter axis and their total (country of identification, main form of
/// exploitation) × rows × columns, with every total. It generalizes <see cref="SmallCellProtection.ProtectFamily"/>
/// to any number of filter axes with the same <c>SuppressionEngine</c>, so that no difference between the tables a
/// caller can ask for (a quarter minus its months, all countries minus the others, all forms minus one) pins a
/// suppressed cell. Every table of the family is served from one instance.
/// </summary>
public sealed class ProtectedCube
{
    private readonly SuppressionEngine _engine;
    private readonly Dictionary<Period, int> _periods;
    private readonly IReadOnlyList<IReadOnlyList<string>> _axes;
    private readonly int _threshold;

    private ProtectedCube(int year, SuppressionEngine engine, Dictionary<Period, int> periods, IReadOnlyList<IReadOnlyList<string>> axes, IReadOnlyList<string> rows, IReadOnlyList<string> columns, int threshold)
    {
        Year = year;
        _engine = engine;
        _periods = periods;
        _axes = axes;
        RowKeys = rows;
        ColumnKeys = columns;
        _threshold = threshold;
    }

    public int Year { get; }

    public IReadOnlyList<string> RowKeys { get; }

    public IReadOnlyList<string> ColumnKeys { get; }

    public static ProtectedCube Protect(
        int year,
        IReadOnlyList<IReadOnlyList<string>> axes,
        IReadOnlyList<string> rows,
        IReadOnlyList<string> columns,
        IEnumerable<CubeLeaf> leaves,
        int threshold,
        CubeAnchor? anchor = null)
    {
        var span = Period.WholeYear(year);
        var periods = span.SelfAndDescendants;
        var node = periods.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        var time = Hierarchy.FromParents([.. periods.Select(p => p == span ? -1 : node[p.Parent!])]);
        List<Hierarchy> dims = [time, .. axes.Select(a => Hierarchy.Flat(a.Count)), Hierarchy.Flat(rows.Count), Hierarchy.Flat(columns.Count)];
        var engine = new SuppressionEngine([.. dims], threshold);

        var axisIndex = axes.Select(a => a.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal)).ToArray();
        var rowIndex = rows.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        var columnIndex = columns.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        var counts = new Dictionary<int, int>();
        var at = new int[dims.Count];
        foreach (var leaf in leaves)
        {
            at[0] = node[Period.Month(year, leaf.Month)];
            for (var a = 0; a < axes.Count; a++)
            {
                at[a + 1] = axisIndex[a][leaf.Filters[a]];
            }

            at[^2] = rowIndex[leaf.Row];
            at[^1] = columnIndex[leaf.Column];
            var index = engine.Index(at);
            counts[index] = counts.GetValueOrDefault(index) + leaf.Count;
        }

        foreach (var (index, count) in counts)
        {
            for (var k = 0; k < dims.Count; k++)
            {
                at[k] = engine.Node(index, k);
            }

            engine.SetLeafCount(at, count);
        }

        if (anchor is not null)
        {
            Anchor(engine, anchor, periods, axes, rows, columns, threshold);
        }

        // A cell no witness can protect (every way of moving it runs into published zeros): its table is withheld
        // whole and the family protected again, as ProtectFamily does; withholding everything always succeeds.
        var cellsPerTable = (rows.Count + 1) * (columns.Count + 1);
        var tables = new HashSet<int>();
        var attempts = 0;
        while (!engine.Run())
        {
            var stuck = engine.Unprotected!.Value;
            var table = TableOf(stuck, cellsPerTable);
            if (!tables.Add(table) || ++attempts > 64)
            {
                for (var i = 0; i < engine.CellCount; i++)
                {
                    engine.Withhold(i);
                }

                continue;
            }

            for (var i = 0; i < engine.CellCount; i++)
            {
                if (TableOf(i, cellsPerTable) == table)
                {
                    engine.Withhold(i);
                }
            }
        }

        return new ProtectedCube(year, engine, node, axes, rows, columns, threshold);
    }

    /// <summary>The table of a period of the year for one value of each filter axis (null: all of them).</summary>
    public CountTable Table(Period period, IReadOnlyList<string?> filters)
    {
        var prefix = new int[1 + _axes.Count];
        prefix[0] = _periods.TryGetValue(period, out var p) ? p : throw new ArgumentException($"{period} is not in {Year}.", nameof(period));
        for (var a = 0; a < _axes.Count; a++)
        {
            prefix[a + 1] = filters[a] is { } key ? IndexOf(_axes[a], key) : _axes[a].Count;
        }

        Cell At(int r, int c)
        {
            var index = _engine.Index([.. prefix, r, c]);
            if (_engine.IsWithheld(index))
            {
                return Cell.Withheld;
            }

            var count = _engine.Count(index);
            return !_engine.IsSuppressed(index) ? Cell.Published(count)
                : count < _threshold ? Cell.Small(_threshold)
                : Cell.Complementary(_threshold);
        }

        var rows = RowKeys.Count;
        var columns = ColumnKeys.Count;
        return new CountTable(
            RowKeys,
            ColumnKeys,
            [.. Enumerable.Range(0, rows).Select(r => (IReadOnlyList<Cell>)[.. Enumerable.Range(0, columns).Select(c => At(r, c))])],
            [.. Enumerable.Range(0, rows).Select(r => At(r, columns))],
            [.. Enumerable.Range(0, columns).Select(c => At(rows, c))],
            At(rows, columns));
    }

    /// <summary>Whether the filter axis knows the key (a country with no case in the year is all zeros).</summary>
    public bool Knows(int axis, string key) => _axes[axis].Contains(key, StringComparer.Ordinal);

    private static int IndexOf(IReadOnlyList<string> keys, string key)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (string.Equals(keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"No key '{key}'.");
    }

    /// <summary>
    /// A count another family published is published here with the same value and no witness may move it; one it
    /// suppressed stays suppressed with the same mark and needs a witness here too; one it withheld is withheld. So a
    /// total shared by two dashboards reads the same on both, and neither gives the other's hidden cells away through
    /// it. Should the data have changed between the two computations, the cell is left to this family's own choice.
    /// </summary>
    private static void Anchor(SuppressionEngine engine, CubeAnchor anchor, IReadOnlyList<Period> periods, IReadOnlyList<IReadOnlyList<string>> axes, IReadOnlyList<string> rows, IReadOnlyList<string> columns, int threshold)
    {
        var filters = new string?[axes.Count];
        for (var i = 0; i < engine.CellCount; i++)
        {
            for (var a = 0; a < axes.Count; a++)
            {
                var n = engine.Node(i, a + 1);
                filters[a] = n < axes[a].Count ? axes[a][n] : null;
            }

            var r = engine.Node(i, axes.Count + 1);
            var c = engine.Node(i, axes.Count + 2);
            if (anchor(periods[engine.Node(i, 0)], filters, r < rows.Count ? rows[r] : null, c < columns.Count ? columns[c] : null) is not { } other)
            {
                continue;
            }

            var count = engine.Count(i);
            if (other.Display == Cell.WithheldDisplay)
            {
                engine.Withhold(i);
            }
            else if (other.Count is { } published)
            {
                if (published == count)
                {
                    engine.Freeze(i);
                }
            }
            else if (count > 0 && (count < threshold) == (other.Display == Cell.Small(threshold).Display))
            {
                engine.Keep(i);
            }
        }
    }

    /// <summary>The table a cell belongs to: rows and columns are the last dimensions, so a table is a run of cells.</summary>
    private static int TableOf(int index, int cellsPerTable) => index / cellsPerTable;
}
