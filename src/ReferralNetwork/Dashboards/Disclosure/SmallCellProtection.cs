namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>
/// Small-cell protection of published counts (docs/disclosure-control.md). A count between 1 and threshold − 1
/// is suppressed (primary), and further cells are suppressed (secondary) until every suppressed cell has a
/// witness: a second set of whole, non-negative counts that publishes exactly the same tables and marks but
/// differs in that cell (<see cref="SuppressionEngine"/>). Zeros are always published.
/// </summary>
public static class SmallCellProtection
{
    public const int DefaultThreshold = 10;

    /// <summary>Protects one table with its row totals, column totals and grand total.</summary>
    public static CountTable Protect(CountMatrix counts, int threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var rows = counts.RowKeys.Count;
        var columns = counts.ColumnKeys.Count;
        var engine = new SuppressionEngine([Hierarchy.Flat(rows), Hierarchy.Flat(columns)], threshold);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                engine.SetLeafCount([r, c], counts.Counts[r, c]);
            }
        }

        if (!engine.Run())
        {
            // No witness for some cell: publish nothing rather than something that may give it away.
            for (var i = 0; i < engine.CellCount; i++)
            {
                engine.Withhold(i);
            }
        }

        return BuildTable(engine, [], counts.RowKeys, counts.ColumnKeys, threshold);
    }

    /// <summary>
    /// Protects a whole family at once: every period nested in the span (year, quarters, months; or quarter
    /// and months) for all countries together and for each country. Suppression is coordinated, so no
    /// difference between these tables (a quarter minus two of its months, all countries minus the others)
    /// pins a suppressed cell.
    /// </summary>
    public static ProtectedFamily ProtectFamily(FamilyCounts counts, int threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var periods = counts.Span.SelfAndDescendants;
        var periodNode = periods.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        var periodParent = periods.Select(p => p == counts.Span ? -1 : periodNode[p.Parent!]).ToArray();
        var time = Hierarchy.FromParents(periodParent);
        var months = counts.Span.Months;
        var countries = counts.Countries.Count;
        var rows = counts.RowKeys.Count;
        var columns = counts.ColumnKeys.Count;

        var tableKeys = periods.SelectMany(p => counts.Countries.Append(null).Select(c => (Period: p, Country: c))).ToList();
        var engine = new SuppressionEngine(
            [time, Hierarchy.Flat(countries), Hierarchy.Flat(rows), Hierarchy.Flat(columns)], threshold);
        for (var m = 0; m < months.Count; m++)
        {
            for (var g = 0; g < countries; g++)
            {
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < columns; c++)
                    {
                        engine.SetLeafCount([periodNode[months[m]], g, r, c], counts.Counts[m, g, r, c]);
                    }
                }
            }
        }

        // A table holding a cell that no witness can protect (every way of moving it runs into published zeros)
        // is withheld whole, and the family protected again: its cells are then only known to be counts, which
        // frees the witnesses around them, while its own small counts still need witnesses. Should that not be
        // enough, the whole family is withheld, where a witness always exists (add one to a single month's
        // cell and to every total above it). So this ends; the randomized attacker tests show it is rare.
        var withheld = new List<(Period Period, string? Country)>();
        while (!engine.Run())
        {
            var stuck = engine.Unprotected!.Value;
            var (p, g) = (engine.Node(stuck, 0), engine.Node(stuck, 1));
            var table = (periods[p], g < countries ? counts.Countries[g] : null);
            var everything = withheld.Contains(table);
            for (var i = 0; i < engine.CellCount; i++)
            {
                if (everything || (engine.Node(i, 0) == p && engine.Node(i, 1) == g))
                {
                    engine.Withhold(i);
                }
            }

            if (everything)
            {
                withheld.Clear();
                withheld.AddRange(tableKeys);
            }
            else
            {
                withheld.Add(table);
            }
        }

        var tables = new Dictionary<(Period, string?), CountTable>();
        var countryList = counts.Countries.ToList();
        foreach (var (period, country) in tableKeys)
        {
            var g = country is null ? countries : countryList.IndexOf(country);
            tables[(period, country)] = BuildTable(engine, [periodNode[period], g], counts.RowKeys, counts.ColumnKeys, threshold);
        }

        return new ProtectedFamily(counts.Span, counts.Countries, threshold, withheld, tables);
    }

    private static CountTable BuildTable(
        SuppressionEngine engine,
        int[] prefix,
        IReadOnlyList<string> rowKeys,
        IReadOnlyList<string> columnKeys,
        int threshold)
    {
        var rows = rowKeys.Count;
        var columns = columnKeys.Count;

        // The row and column hierarchies are flat: node n is the total over keys 0..n−1.
        Cell At(int r, int c)
        {
            var index = engine.Index([.. prefix, r, c]);
            if (engine.IsWithheld(index))
            {
                return Cell.Withheld;
            }

            var count = engine.Count(index);
            return !engine.IsSuppressed(index) ? Cell.Published(count)
                : count < threshold ? Cell.Small(threshold)
                : Cell.Complementary(threshold);
        }

        return new CountTable(
            rowKeys,
            columnKeys,
            [.. Enumerable.Range(0, rows).Select(r => (IReadOnlyList<Cell>)[.. Enumerable.Range(0, columns).Select(c => At(r, c))])],
            [.. Enumerable.Range(0, rows).Select(r => At(r, columns))],
            [.. Enumerable.Range(0, columns).Select(c => At(rows, c))],
            At(rows, columns));
    }
}
