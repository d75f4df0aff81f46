namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>Raw counts of one two-way table before protection: <c>Counts[row, column]</c>, all ≥ 0.</summary>
public sealed record CountMatrix
{
    public CountMatrix(IReadOnlyList<string> rowKeys, IReadOnlyList<string> columnKeys, int[,] counts)
    {
        ArgumentNullException.ThrowIfNull(rowKeys);
        ArgumentNullException.ThrowIfNull(columnKeys);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.GetLength(0) != rowKeys.Count || counts.GetLength(1) != columnKeys.Count)
        {
            throw new ArgumentException("Counts must be rows × columns.", nameof(counts));
        }

        CheckKeys(rowKeys, nameof(rowKeys));
        CheckKeys(columnKeys, nameof(columnKeys));
        foreach (var c in counts)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(c, nameof(counts));
        }

        RowKeys = rowKeys;
        ColumnKeys = columnKeys;
        Counts = (int[,])counts.Clone();
    }

    public IReadOnlyList<string> RowKeys { get; }

    public IReadOnlyList<string> ColumnKeys { get; }

    public int[,] Counts { get; }

    internal static void CheckKeys(IReadOnlyList<string> keys, string name)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one key is needed.", name);
        }

        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            throw new ArgumentException("Keys must be distinct.", name);
        }
    }
}

/// <summary>
/// A published two-way table: every inner cell, every row total, every column total and the grand total is a
/// <see cref="Cell"/>, because a total is a count like any other and is suppressed like any other.
/// </summary>
public sealed record CountTable(
    IReadOnlyList<string> RowKeys,
    IReadOnlyList<string> ColumnKeys,
    IReadOnlyList<IReadOnlyList<Cell>> Cells,
    IReadOnlyList<Cell> RowTotals,
    IReadOnlyList<Cell> ColumnTotals,
    Cell GrandTotal)
{
    public Cell this[string row, string column] => Cells[IndexOf(RowKeys, row)][IndexOf(ColumnKeys, column)];

    public Cell RowTotal(string row) => RowTotals[IndexOf(RowKeys, row)];

    public Cell ColumnTotal(string column) => ColumnTotals[IndexOf(ColumnKeys, column)];

    /// <summary>Every cell with its position; a null row or column stands for the total over it.</summary>
    public IEnumerable<(string? Row, string? Column, Cell Cell)> AllCells()
    {
        for (var r = 0; r < RowKeys.Count; r++)
        {
            for (var c = 0; c < ColumnKeys.Count; c++)
            {
                yield return (RowKeys[r], ColumnKeys[c], Cells[r][c]);
            }

            yield return (RowKeys[r], null, RowTotals[r]);
        }

        for (var c = 0; c < ColumnKeys.Count; c++)
        {
            yield return (null, ColumnKeys[c], ColumnTotals[c]);
        }

        yield return (null, null, GrandTotal);
    }

    private static int IndexOf(IReadOnlyList<string> keys, string key)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (string.Equals(keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"No key '{key}' in this table.");
    }
}
