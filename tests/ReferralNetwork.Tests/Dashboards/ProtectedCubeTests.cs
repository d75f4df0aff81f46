using ReferralNetwork.Dashboards;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Tests.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>
/// A dashboard table is a family over a year × each filter axis (country, form) × rows × columns. Everything a caller can
/// ask for is cut from one protection, so an attacker holding every period and every filter value pins nothing.
/// </summary>
public sealed class ProtectedCubeTests
{
    private static readonly string[] Countries = ["KH", "TH"];
    private static readonly string[] Rows = ["a", "b"];
    private static readonly string[] Columns = ["x", "y", "z"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Attacker_with_every_period_and_country_pins_no_suppressed_cell(int seed)
    {
        var random = new Random(seed);
        var leaves = new List<CubeLeaf>();
        foreach (var month in Enumerable.Range(1, 12))
        {
            foreach (var country in Countries)
            {
                foreach (var row in Rows)
                {
                    foreach (var column in Columns)
                    {
                        // Mostly small counts, some zeros, a few large: the hard case.
                        var count = random.NextDouble() < 0.3 ? 0 : random.Next(1, random.NextDouble() < 0.2 ? 30 : 8);
                        leaves.Add(new CubeLeaf(month, [country], row, column, count));
                    }
                }
            }
        }

        var cube = ProtectedCube.Protect(2025, [Countries], Rows, Columns, leaves, SmallCellProtection.DefaultThreshold);
        var attacker = new Attacker();
        var terms = new Dictionary<(Period, string?), Attacker.TableTerms>();
        var periods = Period.WholeYear(2025).SelfAndDescendants;
        foreach (var period in periods)
        {
            foreach (var country in Countries.Append(null))
            {
                var table = cube.Table(period, [country]);
                terms[(period, country)] = attacker.Read(table, $"{period}/{country ?? "all"}");

                // What was published is true: every published count is the raw count.
                foreach (var (row, column, cell) in table.AllCells())
                {
                    if (cell.Count is { } published)
                    {
                        Assert.Equal(Raw(leaves, period, country, row, column), published);
                    }
                    else if (cell.Display == "<10")
                    {
                        Assert.InRange(Raw(leaves, period, country, row, column), 1, 9);
                    }
                }
            }
        }

        foreach (var period in periods)
        {
            attacker.Sum(terms[(period, null)], [.. Countries.Select(c => terms[(period, c)])]);
            foreach (var country in Countries.Append(null))
            {
                if (period.SubPeriods.Count > 0)
                {
                    attacker.Sum(terms[(period, country)], [.. period.SubPeriods.Select(s => terms[(s, country)])]);
                }
            }
        }

        Assert.True(attacker.SuppressedCells > 0);
        var pinned = attacker.Attack().Where(f => f.Pinned).ToList();
        Assert.True(pinned.Count == 0, $"Pinned: {string.Join("; ", pinned.Take(5))}");
    }

    [Fact]
    public void Attacker_pins_the_small_cell_when_tables_are_protected_one_by_one()
    {
        // The test can fail: protected table by table, the year (no small cell) minus February (none either) is January's 3.
        var leaves = new List<CubeLeaf>
        {
            new(1, [], "a", "x", 25), new(1, [], "b", "y", 3), new(2, [], "a", "x", 20), new(2, [], "b", "y", 12),
        };
        var attacker = new Attacker();
        var year = attacker.Read(SmallCellProtection.Protect(Matrix(leaves, null)), "year");
        var january = attacker.Read(SmallCellProtection.Protect(Matrix(leaves, 1)), "jan");
        var february = attacker.Read(SmallCellProtection.Protect(Matrix(leaves, 2)), "feb");
        attacker.Sum(year, [january, february]);
        Assert.Contains(attacker.Attack(), f => f.Pinned);

        var cube = ProtectedCube.Protect(2025, [], Rows, Columns, leaves, SmallCellProtection.DefaultThreshold);
        var safe = new Attacker();
        var months = Enumerable.Range(1, 12).Select(m => safe.Read(cube.Table(Period.Month(2025, m), []), $"m{m}")).ToList();
        var quarters = Enumerable.Range(1, 4).Select(q => safe.Read(cube.Table(Period.Quarter(2025, q), []), $"q{q}")).ToList();
        var whole = safe.Read(cube.Table(Period.WholeYear(2025), []), "year");
        for (var q = 0; q < 4; q++)
        {
            safe.Sum(quarters[q], months.Skip(q * 3).Take(3).ToList());
        }

        safe.Sum(whole, quarters);
        Assert.DoesNotContain(safe.Attack(), f => f.Pinned);
    }

    [Theory]
    [InlineData(4)]
    public void Two_dashboards_of_the_same_referrals_publish_their_shared_totals_alike_and_together_pin_nothing(int seed)
    {
        // The same referrals by two breakdowns (as demographics and funnel are), each a family of its own, both
        // anchored on the family of the referral counts: their grand totals read the same, and an attacker who
        // equates them, period by period and country by country, still pins no hidden cell. Without the anchor the
        // two families publish some shared total differently (one "<10", the other "withheld").
        var random = new Random(seed);
        var referrals = Enumerable.Range(0, 45).Select(_ => (
            Month: random.Next(1, 4), Country: Countries[random.Next(Countries.Length)],
            A: Rows[random.NextDouble() < 0.8 ? 0 : 1], B: Columns[random.Next(2)], C: Rows[random.Next(Rows.Length)])).ToList();
        var threshold = SmallCellProtection.DefaultThreshold;
        var totals = ProtectedCube.Protect(2025, [Countries], ["n"], ["n"], referrals.Select(r => new CubeLeaf(r.Month, [r.Country], "n", "n", 1)), threshold);
        Cell? Shared(Period period, string?[] filters, string? row, string? column) =>
            row is null && column is null ? totals.Table(period, [filters[0]]).GrandTotal : null;
        var first = ProtectedCube.Protect(2025, [Countries], Rows, Columns, referrals.Select(r => new CubeLeaf(r.Month, [r.Country], r.A, r.B, 1)), threshold, Shared);
        var second = ProtectedCube.Protect(2025, [Countries], Rows, Columns, referrals.Select(r => new CubeLeaf(r.Month, [r.Country], r.C, r.B, 1)), threshold, Shared);

        // The first quarter and its months: where the referrals are.
        var attacker = new Attacker();
        var periods = Period.Quarter(2025, 1).SelfAndDescendants;
        var read = new List<Dictionary<(Period, string?), Attacker.TableTerms>>();
        foreach (var (cube, name) in new[] { (first, "first"), (second, "second") })
        {
            var terms = periods.SelectMany(p => Countries.Append(null).Select(c => (p, c)))
                .ToDictionary(k => k, k => attacker.Read(cube.Table(k.p, [k.c]), $"{name} {k.p}/{k.c ?? "all"}"));
            foreach (var period in periods)
            {
                attacker.Sum(terms[(period, null)], [.. Countries.Select(c => terms[(period, c)])]);
                foreach (var country in Countries.Append(null))
                {
                    if (period.SubPeriods.Count > 0)
                    {
                        attacker.Sum(terms[(period, country)], [.. period.SubPeriods.Select(s => terms[(s, country)])]);
                    }
                }
            }

            read.Add(terms);
        }

        foreach (var period in periods)
        {
            foreach (var country in Countries.Append(null))
            {
                Assert.Equal(first.Table(period, [country]).GrandTotal, second.Table(period, [country]).GrandTotal);
                var (a, b) = (read[0][(period, country)].Terms, read[1][(period, country)].Terms);
                attacker.Sum(new Attacker.TableTerms(new[,] { { a[Rows.Length, Columns.Length] } }), [new Attacker.TableTerms(new[,] { { b[Rows.Length, Columns.Length] } })]);
            }
        }

        var pinned = attacker.Attack().Where(f => f.Pinned).ToList();
        Assert.True(pinned.Count == 0, $"Pinned: {string.Join("; ", pinned.Take(5))}");
    }

    private static CountMatrix Matrix(List<CubeLeaf> leaves, int? month)
    {
        var counts = new int[Rows.Length, Columns.Length];
        foreach (var leaf in leaves.Where(l => month is null || l.Month == month))
        {
            counts[Array.IndexOf(Rows, leaf.Row), Array.IndexOf(Columns, leaf.Column)] += leaf.Count;
        }

        return new CountMatrix(Rows, Columns, counts);
    }

    private static int Raw(List<CubeLeaf> leaves, Period period, string? country, string? row, string? column) =>
        leaves.Where(l => period.Months.Contains(Period.Month(2025, l.Month))
                && (country is null || l.Filters[0] == country) && (row is null || l.Row == row) && (column is null || l.Column == column))
            .Sum(l => l.Count);
}
