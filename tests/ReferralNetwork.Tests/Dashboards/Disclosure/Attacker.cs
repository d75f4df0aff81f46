using System.Globalization;
using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards.Disclosure;

/// <summary>
/// What the attacker learned about one suppressed cell: the range linear programming leaves it. When not
/// <see cref="Exact"/>, Min and Max are two values already seen in solutions, so the true range is at least that.
/// </summary>
internal sealed record Finding(string Where, double Min, double Max, bool Exact = true)
{
    /// <summary>
    /// Counts are whole numbers, so the attacker rounds the range inwards; the cell is pinned when a single
    /// whole number is left.
    /// </summary>
    public bool Pinned => Math.Ceiling(Min - 1e-6) >= Math.Floor(Max + 1e-6);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Where} ∈ [{Min:0.###}, {Max:0.###}]");
}

/// <summary>
/// An attacker who reads everything published and knows how it fits together: each table's row, column and
/// grand totals, a period = the sum of its sub-periods, all countries = the sum of the countries. Every
/// suppressed cell becomes a variable bounded by its mark ("&lt;T": 1..T−1, "≥T": at least T; zeros are
/// published so no suppressed cell is 0), every published cell a constant, every relation an equality; then
/// for each suppressed cell it minimizes and maximizes that cell by linear programming. It never sees the
/// true counts and knows nothing of how the cells were chosen, only what the marks say.
/// </summary>
internal sealed class Attacker
{
    private readonly int _threshold;
    private readonly List<string> _names = [];
    private readonly List<double> _lower = [];
    private readonly List<double> _upper = [];
    private readonly List<LinearEquality> _equalities = [];

    public Attacker(int threshold = SmallCellProtection.DefaultThreshold) => _threshold = threshold;

    /// <summary>A published cell seen by the attacker: a known count, or the index of an unknown.</summary>
    public readonly record struct Term(int Variable, int Known);

    /// <summary>A table's terms: [row, column] with the totals at index RowKeys.Count / ColumnKeys.Count.</summary>
    public sealed record TableTerms(Term[,] Terms);

    public int SuppressedCells => _names.Count;

    public TableTerms Read(CountTable table, string name)
    {
        var rows = table.RowKeys.Count;
        var columns = table.ColumnKeys.Count;
        var terms = new Term[rows + 1, columns + 1];
        for (var r = 0; r <= rows; r++)
        {
            for (var c = 0; c <= columns; c++)
            {
                var cell = r < rows && c < columns ? table.Cells[r][c]
                    : r < rows ? table.RowTotals[r]
                    : c < columns ? table.ColumnTotals[c]
                    : table.GrandTotal;
                var where = $"{name}[{(r < rows ? table.RowKeys[r] : "total")}, {(c < columns ? table.ColumnKeys[c] : "total")}]";
                terms[r, c] = Observe(cell, where);
            }
        }

        for (var r = 0; r <= rows; r++)
        {
            Relate(terms[r, columns], Enumerable.Range(0, columns).Select(c => terms[r, c]));
        }

        for (var c = 0; c <= columns; c++)
        {
            Relate(terms[rows, c], Enumerable.Range(0, rows).Select(r => terms[r, c]));
        }

        return new TableTerms(terms);
    }

    /// <summary>The parent table is, cell by cell and total by total, the sum of the children.</summary>
    public void Sum(TableTerms parent, IReadOnlyList<TableTerms> children)
    {
        for (var r = 0; r < parent.Terms.GetLength(0); r++)
        {
            for (var c = 0; c < parent.Terms.GetLength(1); c++)
            {
                Relate(parent.Terms[r, c], children.Select(child => child.Terms[r, c]));
            }
        }
    }

    /// <summary>
    /// Reads every table of a family and every sum that links them. A table not published yet still is the sum
    /// of its parts, so it enters as a table of unknown counts.
    /// </summary>
    public void ReadFamily(ProtectedFamily family)
    {
        var terms = family.Tables().ToDictionary(t => (t.Period, t.Country), t => Read(t.Table, $"{t.Period}/{t.Country ?? "all"}"));
        var shape = family.Tables().First().Table;
        foreach (var period in family.Span.SelfAndDescendants)
        {
            foreach (var country in family.Countries.Append(null))
            {
                if (!terms.ContainsKey((period, country)))
                {
                    var unknown = new CountTable(
                        shape.RowKeys,
                        shape.ColumnKeys,
                        [.. shape.RowKeys.Select(_ => (IReadOnlyList<Cell>)[.. shape.ColumnKeys.Select(_ => Cell.Withheld)])],
                        [.. shape.RowKeys.Select(_ => Cell.Withheld)],
                        [.. shape.ColumnKeys.Select(_ => Cell.Withheld)],
                        Cell.Withheld);
                    terms[(period, country)] = Read(unknown, $"unpublished {period}/{country ?? "all"}");
                }
            }
        }

        foreach (var period in family.Span.SelfAndDescendants)
        {
            Sum(terms[(period, null)], [.. family.Countries.Select(c => terms[(period, c)])]);
            if (period.SubPeriods.Count > 0)
            {
                foreach (var country in family.Countries.Append(null))
                {
                    Sum(terms[(period, country)], [.. period.SubPeriods.Select(s => terms[(s, country)])]);
                }
            }
        }
    }

    /// <summary>The range of every suppressed cell; exact ranges for all when asked, which takes longer.</summary>
    public IReadOnlyList<Finding> Attack(bool exact = false)
    {
        if (_names.Count == 0)
        {
            return [];
        }

        var region = new LinearRegion([.. _lower], [.. _upper], _equalities);
        var seenMin = Enumerable.Repeat(double.PositiveInfinity, _names.Count).ToArray();
        var seenMax = Enumerable.Repeat(double.NegativeInfinity, _names.Count).ToArray();
        var findings = new Finding[_names.Count];
        for (var j = 0; j < _names.Count; j++)
        {
            // Points found while optimizing other cells are real solutions too: if they already show two whole
            // numbers for this cell, its exact range can only be wider.
            if (!exact && Math.Ceiling(seenMin[j] - 1e-6) < Math.Floor(seenMax[j] + 1e-6))
            {
                findings[j] = new Finding(_names[j], seenMin[j], seenMax[j], Exact: false);
                continue;
            }

            var (min, max, atMin, atMax) = region.Range(j);
            foreach (var point in new[] { atMin, atMax })
            {
                if (point is null)
                {
                    continue;
                }

                for (var i = 0; i < point.Length; i++)
                {
                    seenMin[i] = Math.Min(seenMin[i], point[i]);
                    seenMax[i] = Math.Max(seenMax[i], point[i]);
                }
            }

            findings[j] = new Finding(_names[j], min, max);
        }

        return findings;
    }

    private Term Observe(Cell cell, string where)
    {
        if (cell.Count is { } known)
        {
            return new Term(-1, known);
        }

        var (lower, upper) = cell.Display switch
        {
            var d when d == $"<{_threshold}" => (1.0, _threshold - 1.0),
            var d when d == $"≥{_threshold}" => (_threshold, double.PositiveInfinity),
            Cell.WithheldDisplay => (0.0, double.PositiveInfinity),
            var d => throw new InvalidOperationException($"Unexpected mark '{d}' on {where}."),
        };
        _names.Add(where);
        _lower.Add(lower);
        _upper.Add(upper);
        return new Term(_names.Count - 1, 0);
    }

    /// <summary>total = Σ parts, with the known counts moved to the right-hand side.</summary>
    private void Relate(Term total, IEnumerable<Term> parts)
    {
        var variables = new List<int>();
        var coefficients = new List<double>();
        var rhs = 0.0;
        void Add(Term t, double sign)
        {
            if (t.Variable < 0)
            {
                rhs -= sign * t.Known;
            }
            else
            {
                variables.Add(t.Variable);
                coefficients.Add(sign);
            }
        }

        Add(total, 1);
        foreach (var part in parts)
        {
            Add(part, -1);
        }

        if (variables.Count == 0)
        {
            if (rhs != 0)
            {
                throw new InvalidOperationException("Published counts do not add up.");
            }

            return;
        }

        _equalities.Add(new LinearEquality([.. variables], [.. coefficients], rhs));
    }
}
