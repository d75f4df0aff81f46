using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards.Disclosure;

/// <summary>
/// The attacker test: publish many seeded random tables and families, collect everything that is published,
/// and try to pin every suppressed cell by linear programming over all the relations between the published
/// numbers. The weak rules at the end show the attacker does find leaks when there are some.
/// </summary>
public sealed class AttackerTests
{
    private static readonly int[] Seeds = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];

    [Fact]
    public void Attacker_cannot_pin_a_suppressed_cell_from_margins()
    {
        var attacked = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            var counts = Samples.Table(rng, rng.Next(1, 7), rng.Next(1, 7));
            var table = SmallCellProtection.Protect(counts);

            var attacker = new Attacker();
            attacker.Read(table, "t");
            var findings = attacker.Attack();
            attacked += findings.Count;
            AssertNothingSmallIsPinned(findings, Published("t", table, (r, c) => Samples.TrueCount(counts, r, c)).ToDictionary(), $"seed {seed}");
        }

        Assert.True(attacked > 500, $"only {attacked} suppressed cells were attacked");
    }

    [Fact]
    public void Attacker_cannot_pin_a_suppressed_cell_by_differencing_months_a_quarter_and_countries()
    {
        var attacked = 0;
        foreach (var seed in Seeds.Concat(Enumerable.Range(100, 20)))
        {
            var rng = new Random(seed);
            var counts = Samples.Family(rng, Period.Quarter(2025, rng.Next(1, 5)), rng.Next(2, 4), rng.Next(1, 4), rng.Next(2, 4));
            attacked += AttackFamily(counts, seed);
        }

        Assert.True(attacked > 1000, $"only {attacked} suppressed cells were attacked");
    }

    [Fact]
    public void Attacker_cannot_pin_a_suppressed_cell_across_a_year_its_quarters_and_months()
    {
        var attacked = 0;
        foreach (var seed in Seeds[..4])
        {
            var rng = new Random(seed);
            var counts = Samples.Family(rng, Period.WholeYear(2024), 2, 2, rng.Next(1, 3));
            attacked += AttackFamily(counts, seed);
        }

        Assert.True(attacked > 200, $"only {attacked} suppressed cells were attacked");
    }

    [Fact]
    public void Attacker_cannot_pin_three_referrals_from_Cambodia_to_Laos_next_to_twenty_five_from_Thailand_to_Vietnam()
    {
        var countries = new[] { "TH", "KH", "VN", "LA", "MM" };
        var nationalities = new[] { "VN", "KH", "LA", "MM", "CN", "ID" };
        var counts = new int[countries.Length, nationalities.Length];
        counts[0, 0] = 25; // identified in TH, Vietnamese
        counts[1, 2] = 3; // identified in KH, Lao
        var corridor = new CountMatrix(countries, nationalities, counts);

        var table = SmallCellProtection.Protect(corridor);

        Assert.Equal(new Cell(25, "25"), table["TH", "VN"]);
        Assert.Equal(new Cell(null, "<10"), table["KH", "LA"]);
        Assert.Equal(new Cell(0, "0"), table["MM", "CN"]);
        Assert.Equal(25, table.RowTotal("TH").Count);
        var attacker = new Attacker();
        attacker.Read(table, "corridor");
        var kh = Assert.Single(attacker.Attack(exact: true), f => f.Where == "corridor[KH, LA]");
        Assert.False(kh.Pinned, kh.ToString());
        Assert.InRange(3, kh.Min, kh.Max);
        Assert.True(kh.Max - kh.Min >= 8, $"the 3 should be anywhere in 1..9, got {kh}");
    }

    [Fact]
    public void Attacker_cannot_pin_a_suppressed_cell_in_releases_made_as_each_month_and_quarter_closes()
    {
        var attacked = 0;
        foreach (var seed in Seeds)
        {
            var rng = new Random(seed);
            var full = Samples.Family(rng, Period.Quarter(2025, 1), rng.Next(2, 4), rng.Next(1, 4), rng.Next(2, 4));
            ProtectedFamily? before = null;
            foreach (var (published, known, release) in Samples.ReleasesOverTime(full))
            {
                Assert.Empty(release.WithheldTables);
                Assert.Equal(published.Count * (full.Countries.Count + 1), release.Tables().Count());
                foreach (var (period, country, table) in before?.Tables() ?? [])
                {
                    // What was published stays as it was, so the releases together say no more than the last.
                    Assert.Equal(table.AllCells().Select(c => c.Cell), release.Table(period, country).AllCells().Select(c => c.Cell));
                }

                attacked += AttackRelease(release, known, $"seed {seed}, release of {string.Join(" ", published)}");
                before = release;
            }
        }

        Assert.True(attacked > 500, $"only {attacked} suppressed cells were attacked");
    }

    [Fact]
    public void A_count_that_changed_after_it_was_published_is_not_published_again()
    {
        var january = Period.Month(2025, 1);
        var counts = new FamilyCounts(Period.Quarter(2025, 1), ["TH", "KH"], ["MM", "LA"], ["forced-criminality"]);
        counts.Add(january, "TH", "MM", "forced-criminality", 30);
        counts.Add(january, "KH", "MM", "forced-criminality", 12);
        var first = SmallCellProtection.ProtectFamily(counts, publish: [january]);
        Assert.Equal(30, first.Table(january, "TH")["MM", "forced-criminality"].Count);
        Assert.Throws<KeyNotFoundException>(() => first.Table(Period.Quarter(2025, 1)));

        counts.Add(january, "TH", "MM", "forced-criminality"); // entered late, after January was published

        var e = Assert.Throws<InvalidOperationException>(() =>
            SmallCellProtection.ProtectFamily(counts, publish: [january, Period.Month(2025, 2)], earlier: first));
        Assert.Contains("2025-01", e.Message, StringComparison.Ordinal);
    }

    // ---- the attacker does catch leaks --------------------------------------------------------------------

    [Fact]
    public void Attacker_finds_the_three_when_only_primary_suppression_is_applied()
    {
        var counts = new int[2, 2];
        counts[0, 0] = 25;
        counts[1, 1] = 3;
        var table = Samples.PrimaryOnly(new CountMatrix(["TH", "KH"], ["VN", "LA"], counts));

        var attacker = new Attacker();
        attacker.Read(table, "corridor");
        var findings = attacker.Attack();

        var kh = Assert.Single(findings, f => f.Where == "corridor[KH, LA]");
        Assert.True(kh.Pinned);
        Assert.Equal(3, kh.Min, 6);
    }

    [Fact]
    public void Attacker_finds_leaks_in_random_tables_with_only_primary_suppression()
    {
        var leaks = 0;
        for (var seed = 0; seed < 50; seed++)
        {
            var rng = new Random(seed);
            var counts = Samples.Table(rng, rng.Next(2, 6), rng.Next(2, 6));
            var attacker = new Attacker();
            attacker.Read(Samples.PrimaryOnly(counts), "t");
            leaks += attacker.Attack().Count(f => f.Pinned);
        }

        Assert.True(leaks > 20, $"the attacker found only {leaks} leaks");
    }

    /// <summary>
    /// "Every row and column with a suppressed cell has two" is not enough: two blocks of four suppressed
    /// cells joined by one more cell satisfy it, yet that joining cell is the difference of two sums.
    /// </summary>
    [Fact]
    public void Attacker_pins_a_bridge_cell_that_the_two_per_line_rule_lets_through()
    {
        int[,] counts =
        {
            { 3, 4, 0, 0, 20 },
            { 5, 6, 7, 0, 20 },
            { 0, 0, 2, 8, 20 },
            { 0, 0, 4, 3, 20 },
            { 20, 20, 20, 20, 20 },
        };
        var matrix = new CountMatrix(Samples.Keys("r", 5), Samples.Keys("c", 5), counts);
        var suppressed = new HashSet<(string?, string?)>
        {
            ("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), // one block
            ("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4"), // another
            ("r2", "c3"), // the bridge: row r2 and column c3 now hold three suppressed cells each
        };
        var table = Samples.PublishWith(matrix, (r, c, _) => suppressed.Contains((r, c)));
        for (var i = 0; i < 5; i++)
        {
            var row = Samples.Keys("r", 5)[i];
            var column = Samples.Keys("c", 5)[i];
            var inRow = table.AllCells().Count(x => x.Row == row && x.Cell.IsSuppressed);
            var inColumn = table.AllCells().Count(x => x.Column == column && x.Cell.IsSuppressed);
            Assert.True(inRow is 0 or >= 2 && inColumn is 0 or >= 2, "the pattern follows the two-per-line rule");
        }

        var attacker = new Attacker();
        attacker.Read(table, "t");
        var findings = attacker.Attack();

        var bridge = Assert.Single(findings, f => f.Where == "t[r2, c3]");
        Assert.True(bridge.Pinned, bridge.ToString());
        Assert.Equal(7, bridge.Min, 6);
        Assert.All(findings.Where(f => f != bridge), f => Assert.False(f.Pinned, f.ToString()));
    }

    /// <summary>Each table safe on its own is not enough: a quarter minus its published months gives a month away.</summary>
    [Fact]
    public void Attacker_differences_the_tables_of_a_family_that_were_protected_one_by_one()
    {
        var leaks = 0;
        foreach (var seed in Seeds)
        {
            var rng = new Random(seed);
            var counts = Samples.Family(rng, Period.Quarter(2025, 2), 2, 2, 3);
            var attacker = new Attacker();
            var terms = new Dictionary<(Period, string?), Attacker.TableTerms>();
            var published = new List<KeyValuePair<string, (Cell Cell, int Truth)>>();
            foreach (var period in counts.Span.SelfAndDescendants)
            {
                foreach (var country in counts.Countries.Append(null))
                {
                    var raw = new int[counts.RowKeys.Count, counts.ColumnKeys.Count];
                    for (var r = 0; r < counts.RowKeys.Count; r++)
                    {
                        for (var c = 0; c < counts.ColumnKeys.Count; c++)
                        {
                            raw[r, c] = Samples.TrueCount(counts, period, country, counts.RowKeys[r], counts.ColumnKeys[c]);
                        }
                    }

                    var matrix = new CountMatrix(counts.RowKeys, counts.ColumnKeys, raw);
                    var alone = SmallCellProtection.Protect(matrix);
                    var name = $"{period}/{country ?? "all"}";
                    var single = new Attacker();
                    single.Read(alone, name);
                    var truth = Published(name, alone, (r, c) => Samples.TrueCount(matrix, r, c)).ToList();
                    AssertNothingSmallIsPinned(single.Attack(), truth.ToDictionary(), "each table is safe on its own");
                    terms[(period, country)] = attacker.Read(alone, name);
                    published.AddRange(truth);
                }
            }

            foreach (var period in counts.Span.SelfAndDescendants)
            {
                attacker.Sum(terms[(period, null)], [.. counts.Countries.Select(c => terms[(period, c)])]);
            }

            foreach (var country in counts.Countries.Append(null))
            {
                attacker.Sum(terms[(counts.Span, country)], [.. counts.Span.SubPeriods.Select(m => terms[(m, country)])]);
            }

            var marks = published.ToDictionary();
            leaks += attacker.Attack().Count(f => f.Pinned && marks[f.Where].Truth is > 0 and < SmallCellProtection.DefaultThreshold);
        }

        Assert.True(leaks > 0, "protecting each table alone should leak somewhere across ten families");
    }

    private static int AttackFamily(FamilyCounts counts, int seed)
    {
        var family = SmallCellProtection.ProtectFamily(counts);
        Assert.Empty(family.WithheldTables);
        return AttackRelease(family, counts, $"seed {seed}");
    }

    private static int AttackRelease(ProtectedFamily family, FamilyCounts counts, string context)
    {
        var attacker = new Attacker();
        attacker.ReadFamily(family);
        var findings = attacker.Attack();
        var published = family.Tables()
            .SelectMany(t => Published($"{t.Period}/{t.Country ?? "all"}", t.Table, (r, c) => Samples.TrueCount(counts, t.Period, t.Country, r, c)))
            .ToDictionary();
        AssertNothingSmallIsPinned(findings, published, context);
        return findings.Count;
    }

    /// <summary>Findings on tables not published yet are not disclosures: there is nothing to compare them with.</summary>
    private static bool IsPublished(string where) => !where.StartsWith("unpublished ", StringComparison.Ordinal);

    /// <summary>
    /// Marked cells ("&lt;T", "≥T") must all keep a range; a withheld cell only if its count is small (a withheld
    /// 40 that the attacker works out is no disclosure). Where the range is exact, it must hold the truth, or the
    /// attacker's model of what was published is wrong and the test proves nothing.
    /// </summary>
    private static void AssertNothingSmallIsPinned(IReadOnlyList<Finding> findings, IReadOnlyDictionary<string, (Cell Cell, int Truth)> published, string context)
    {
        Assert.All(findings.Where(f => IsPublished(f.Where)), f =>
        {
            var (cell, truth) = published[f.Where];
            if (f.Exact)
            {
                Assert.InRange(truth, f.Min - 1e-6, f.Max + 1e-6);
            }

            if (cell.Display != Cell.WithheldDisplay || truth is > 0 and < SmallCellProtection.DefaultThreshold)
            {
                Assert.False(f.Pinned, $"{context}: {f}, true count {truth}");
            }
        });
    }

    private static IEnumerable<KeyValuePair<string, (Cell Cell, int Truth)>> Published(string name, CountTable table, Func<string?, string?, int> truth) =>
        table.AllCells().Select(c => KeyValuePair.Create($"{name}[{c.Row ?? "total"}, {c.Column ?? "total"}]", (c.Cell, truth(c.Row, c.Column))));
}
