using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards.Disclosure;

/// <summary>Seeded random tables and families shaped like referral counts: many zeros and small cells, a few big corridors.</summary>
internal static class Samples
{
    public static readonly string[] Countries = ["TH", "KH", "VN", "LA", "MM"];

    public static int SkewedCount(Random rng, double zeros = 0.35, double small = 0.30, double medium = 0.20) =>
        rng.NextDouble() switch
        {
            var u when u < zeros => 0,
            var u when u < zeros + small => rng.Next(1, 10),
            var u when u < zeros + small + medium => rng.Next(10, 31),
            _ => rng.Next(31, 151),
        };

    public static CountMatrix Table(Random rng, int rows, int columns)
    {
        var counts = new int[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                counts[r, c] = SkewedCount(rng);
            }
        }

        return new CountMatrix(Keys("r", rows), Keys("c", columns), counts);
    }

    /// <summary>Monthly per-country counts of a span; monthly cells are smaller than a table's, as they are in life.</summary>
    public static FamilyCounts Family(Random rng, Period span, int countries, int rows, int columns)
    {
        var family = new FamilyCounts(span, Countries[..countries], Keys("r", rows), Keys("c", columns));
        foreach (var month in span.Months)
        {
            foreach (var country in family.Countries)
            {
                foreach (var row in family.RowKeys)
                {
                    foreach (var column in family.ColumnKeys)
                    {
                        var n = rng.NextDouble() switch
                        {
                            < 0.35 => 0,
                            < 0.70 => rng.Next(1, 10),
                            < 0.90 => rng.Next(10, 26),
                            _ => rng.Next(26, 61),
                        };
                        family.Add(month, country, row, column, n);
                    }
                }
            }
        }

        return family;
    }

    /// <summary>The true count of a cell of a family's table; null row or column is the total.</summary>
    public static int TrueCount(FamilyCounts family, Period period, string? country, string? row, string? column) =>
        (from month in period.Months
         from g in family.Countries
         where country is null || g == country
         from r in family.RowKeys
         where row is null || r == row
         from c in family.ColumnKeys
         where column is null || c == column
         select family[month, g, r, c]).Sum();

    /// <summary>The true count of a cell of a table; null row or column is the total.</summary>
    public static int TrueCount(CountMatrix counts, string? row, string? column) =>
        (from r in Enumerable.Range(0, counts.RowKeys.Count)
         where row is null || counts.RowKeys[r] == row
         from c in Enumerable.Range(0, counts.ColumnKeys.Count)
         where column is null || counts.ColumnKeys[c] == column
         select counts.Counts[r, c]).Sum();

    /// <summary>Publishes a table with exactly the given cells suppressed, to try out weak rules.</summary>
    public static CountTable PublishWith(CountMatrix counts, Func<string?, string?, int, bool> suppress, int threshold = SmallCellProtection.DefaultThreshold)
    {
        var rows = counts.RowKeys.Count;
        var columns = counts.ColumnKeys.Count;
        int Count(int r, int c) =>
            Enumerable.Range(0, rows).Where(i => r == rows || i == r)
                .Sum(i => Enumerable.Range(0, columns).Where(j => c == columns || j == c).Sum(j => counts.Counts[i, j]));
        Cell At(int r, int c)
        {
            var n = Count(r, c);
            return !suppress(r < rows ? counts.RowKeys[r] : null, c < columns ? counts.ColumnKeys[c] : null, n) ? Cell.Published(n)
                : n < threshold ? Cell.Small(threshold) : Cell.Complementary(threshold);
        }

        return new CountTable(
            counts.RowKeys,
            counts.ColumnKeys,
            [.. Enumerable.Range(0, rows).Select(r => (IReadOnlyList<Cell>)[.. Enumerable.Range(0, columns).Select(c => At(r, c))])],
            [.. Enumerable.Range(0, rows).Select(r => At(r, columns))],
            [.. Enumerable.Range(0, columns).Select(c => At(rows, c))],
            At(rows, columns));
    }

    /// <summary>The weakest rule: hide the small counts and nothing else.</summary>
    public static CountTable PrimaryOnly(CountMatrix counts, int threshold = SmallCellProtection.DefaultThreshold) =>
        PublishWith(counts, (_, _, n) => n > 0 && n < threshold, threshold);

    public static string[] Keys(string prefix, int n) => [.. Enumerable.Range(1, n).Select(i => $"{prefix}{i}")];

    /// <summary>
    /// The releases of a span as time passes: after each month closes, that month; after a quarter's last
    /// month, the quarter too; after the year's, the year. Each release sees only the data of closed months
    /// and is protected around the one before it.
    /// </summary>
    public static IEnumerable<(IReadOnlyList<Period> Published, FamilyCounts Counts, ProtectedFamily Release)> ReleasesOverTime(FamilyCounts full)
    {
        var published = new List<Period>();
        ProtectedFamily? earlier = null;
        foreach (var month in full.Span.Months)
        {
            published.Add(month);
            for (var p = month.Parent; p is not null && full.Span.Contains(p) && p.Months[^1] == month; p = p.Parent)
            {
                published.Add(p);
            }

            var known = new FamilyCounts(full.Span, full.Countries, full.RowKeys, full.ColumnKeys);
            foreach (var m in full.Span.Months.TakeWhile(m => m != month).Append(month))
            {
                foreach (var g in full.Countries)
                {
                    foreach (var r in full.RowKeys)
                    {
                        foreach (var c in full.ColumnKeys)
                        {
                            known.Add(m, g, r, c, full[m, g, r, c]);
                        }
                    }
                }
            }

            earlier = SmallCellProtection.ProtectFamily(known, publish: [.. published], earlier: earlier);
            yield return ([.. published], known, earlier);
        }
    }
}
