using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards.Disclosure;

public sealed class SmallCellProtectionTests
{
    [Fact]
    public void Zeros_are_published_small_counts_are_marked_below_the_threshold_and_nothing_else_is_changed()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            var counts = Samples.Table(rng, rng.Next(1, 7), rng.Next(1, 7));
            var table = SmallCellProtection.Protect(counts);
            foreach (var (row, column, cell) in table.AllCells())
            {
                var truth = Samples.TrueCount(counts, row, column);
                var expected = truth switch
                {
                    0 => "0",
                    < 10 => "<10",
                    _ => null,
                };
                if (expected is not null && cell.Display != Cell.WithheldDisplay)
                {
                    Assert.Equal(expected, cell.Display);
                }

                if (truth is > 0 and < 10)
                {
                    Assert.Null(cell.Count);
                }

                if (cell.Count is { } published)
                {
                    Assert.Equal(truth, published);
                    Assert.Equal(published.ToString(System.Globalization.CultureInfo.InvariantCulture), cell.Display);
                }
                else if (truth >= 10)
                {
                    Assert.Contains(cell.Display, new[] { "≥10", Cell.WithheldDisplay });
                }

                Assert.False(truth == 0 && cell.IsSuppressed, $"seed {seed}: a zero was suppressed");
            }
        }
    }

    [Fact]
    public void Every_row_and_column_with_a_suppressed_cell_hides_at_least_two_counts()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            var table = SmallCellProtection.Protect(Samples.Table(rng, rng.Next(2, 7), rng.Next(2, 7)));
            var cells = table.AllCells().ToList();
            foreach (var line in cells.GroupBy(c => c.Row).Concat(cells.GroupBy(c => c.Column)))
            {
                var hidden = line.Count(c => c.Cell.IsSuppressed);
                Assert.True(hidden is 0 or >= 2, $"seed {seed}: a line with one hidden cell is solved by its total");
            }
        }
    }

    [Fact]
    public void The_threshold_is_configurable()
    {
        int[,] counts = { { 7, 3, 12 }, { 6, 8, 0 } };
        var matrix = new CountMatrix(["TH", "KH"], ["VN", "LA", "MM"], counts);

        var five = SmallCellProtection.Protect(matrix, threshold: 5);
        var ten = SmallCellProtection.Protect(matrix);

        Assert.Equal("<5", five["TH", "LA"].Display);
        Assert.Contains(five["TH", "VN"].Display, new[] { "7", "≥5" }); // not small at 5, hidden only if needed
        Assert.Equal(new Cell(0, "0"), five["KH", "MM"]);
        Assert.Equal(12, five["TH", "MM"].Count);
        Assert.Equal("<10", ten["TH", "VN"].Display);
        var attacker = new Attacker(threshold: 5);
        attacker.Read(five, "t");
        Assert.All(attacker.Attack(), f => Assert.False(f.Pinned, f.ToString()));
    }

    [Fact]
    public void Every_published_count_of_a_family_is_the_true_count_and_tables_are_found_by_period_and_country()
    {
        var rng = new Random(7);
        var counts = Samples.Family(rng, Period.WholeYear(2025), 3, 3, 4);
        var family = SmallCellProtection.ProtectFamily(counts);

        Assert.Equal(17 * 4, family.Tables().Count()); // year, 4 quarters, 12 months; all countries and 3
        foreach (var (period, country, table) in family.Tables())
        {
            foreach (var (row, column, cell) in table.AllCells())
            {
                if (cell.Count is { } n)
                {
                    Assert.Equal(Samples.TrueCount(counts, period, country, row, column), n);
                }
            }
        }

        Assert.Same(family.Table(Period.Quarter(2025, 2), "KH"), family.Table(Period.Quarter(2025, 2), "KH"));
        Assert.Throws<KeyNotFoundException>(() => family.Table(Period.Month(2024, 12)));
        Assert.Throws<ArgumentException>(() => counts.Add(Period.Quarter(2025, 1), "TH", "r1", "c1"));
    }

    [Fact]
    public void A_big_corridor_stays_published_in_the_year_while_its_small_months_are_hidden()
    {
        var counts = new FamilyCounts(Period.WholeYear(2025), ["TH", "KH"], ["MM", "LA"], ["forced-criminality", "forced-labour"]);
        foreach (var month in Period.WholeYear(2025).Months)
        {
            // Thailand identifies 4 to 15 Myanmar nationals in forced criminality each month; a few other cases.
            counts.Add(month, "TH", "MM", "forced-criminality", 4 + (month.Number * 7 % 12));
            counts.Add(month, "TH", "LA", "forced-labour", 10 + (month.Number % 3));
            counts.Add(month, "KH", "MM", "forced-criminality", 20 + month.Number);
            counts.Add(month, "KH", "LA", "forced-labour", month.Number % 4);
        }

        var family = SmallCellProtection.ProtectFamily(counts);

        var year = family.Table(Period.WholeYear(2025), "TH");
        Assert.Equal(Samples.TrueCount(counts, Period.WholeYear(2025), "TH", "MM", "forced-criminality"), year["MM", "forced-criminality"].Count);
        Assert.NotNull(family.Table(Period.WholeYear(2025))["MM", "forced-criminality"].Count);
        Assert.Contains(Period.WholeYear(2025).Months, m => family.Table(m, "TH")["MM", "forced-criminality"].IsSuppressed);
        var attacker = new Attacker();
        attacker.ReadFamily(family);
        Assert.All(attacker.Attack(), f => Assert.False(f.Pinned, f.ToString()));
    }

    [Fact]
    public void Periods_nest_months_in_quarters_in_years()
    {
        var march = Period.Month(2025, 3);

        Assert.Equal("2025-03", march.ToString());
        Assert.Equal(Period.Quarter(2025, 1), march.Parent);
        Assert.Equal("2025-Q1", march.Parent!.ToString());
        Assert.Equal(Period.WholeYear(2025), march.Parent.Parent);
        Assert.Equal(17, Period.WholeYear(2025).SelfAndDescendants.Count);
        Assert.Equal([Period.Month(2025, 4), Period.Month(2025, 5), Period.Month(2025, 6)], Period.Quarter(2025, 2).SubPeriods);
        Assert.True(Period.WholeYear(2025).Contains(march));
        Assert.False(Period.Quarter(2025, 2).Contains(march));
        Assert.Throws<ArgumentOutOfRangeException>(() => Period.Month(2025, 13));
    }

    /// <summary>The attacker's linear programme is only a proof if it is right: on tiny tables, count every solution.</summary>
    [Fact]
    public void Linear_programming_ranges_match_counting_every_solution_of_small_tables()
    {
        var compared = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var rng = new Random(seed);
            var counts = new int[2, 3];
            for (var r = 0; r < 2; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    counts[r, c] = rng.Next(0, 11);
                }
            }

            var matrix = new CountMatrix(["a", "b"], ["x", "y", "z"], counts);
            var hiddenInner = Enumerable.Range(0, 6).Where(i => counts[i / 3, i % 3] > 0).OrderBy(_ => rng.Next()).Take(3).ToHashSet();
            var hiddenMargins = new HashSet<(string?, string?)>();
            foreach (var margin in new (string?, string?)[] { ("a", null), ("b", null), (null, "x"), (null, "y"), (null, "z") })
            {
                if (rng.Next(3) == 0 && Samples.TrueCount(matrix, margin.Item1, margin.Item2) > 0)
                {
                    hiddenMargins.Add(margin);
                }
            }

            string[] rowKeys = ["a", "b"];
            string[] columnKeys = ["x", "y", "z"];
            var table = Samples.PublishWith(matrix, (r, c, _) =>
                (r is not null && c is not null && hiddenInner.Contains((Array.IndexOf(rowKeys, r) * 3) + Array.IndexOf(columnKeys, c)))
                || hiddenMargins.Contains((r, c)));
            var attacker = new Attacker();
            attacker.Read(table, "t");
            var findings = attacker.Attack(exact: true).ToDictionary(f => f.Where);

            // Every whole-number table that publishes the same (grand total included, so each count is bounded).
            var positions = table.AllCells().Select(x => (x.Row, x.Column, x.Cell, Name: $"t[{x.Row ?? "total"}, {x.Column ?? "total"}]")).ToArray();
            var low = new Dictionary<string, int>();
            var high = new Dictionary<string, int>();
            var cells = hiddenInner.ToArray();
            var grand = Samples.TrueCount(matrix, null, null);
            var candidate = (int[,])counts.Clone();
            var values = new int[positions.Length];
            int Sum(string? row, string? column)
            {
                var sum = 0;
                for (var r = 0; r < 2; r++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        if ((row is null || rowKeys[r] == row) && (column is null || columnKeys[c] == column))
                        {
                            sum += candidate[r, c];
                        }
                    }
                }

                return sum;
            }

            void Search(int i)
            {
                if (i == cells.Length)
                {
                    for (var k = 0; k < positions.Length; k++)
                    {
                        values[k] = Sum(positions[k].Row, positions[k].Column);
                        var cell = positions[k].Cell;
                        var fits = cell.Count is { } n ? values[k] == n
                            : cell.Display == "<10" ? values[k] is >= 1 and < 10
                            : values[k] >= 10;
                        if (!fits)
                        {
                            return;
                        }
                    }

                    for (var k = 0; k < positions.Length; k++)
                    {
                        if (positions[k].Cell.IsSuppressed)
                        {
                            var name = positions[k].Name;
                            low[name] = Math.Min(low.GetValueOrDefault(name, int.MaxValue), values[k]);
                            high[name] = Math.Max(high.GetValueOrDefault(name, int.MinValue), values[k]);
                        }
                    }

                    return;
                }

                for (var v = 1; v <= grand; v++)
                {
                    candidate[cells[i] / 3, cells[i] % 3] = v;
                    Search(i + 1);
                }

                candidate[cells[i] / 3, cells[i] % 3] = counts[cells[i] / 3, cells[i] % 3];
            }

            Search(0);
            foreach (var (name, finding) in findings)
            {
                Assert.Equal(low[name], Math.Ceiling(finding.Min - 1e-6));
                Assert.Equal(high[name], Math.Floor(finding.Max + 1e-6));
                compared++;
            }
        }

        Assert.True(compared > 40, $"only {compared} ranges compared");
    }
}
