using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards.Disclosure;

public sealed class KAnonymizerTests
{
    [Fact]
    public void At_least_70_percent_of_100000_skewed_cases_are_released_and_every_combination_occurs_at_least_11_times()
    {
        var cases = SyntheticCases.Generate(100_000, seed: 2025);

        var release = KAnonymizer.Release(cases, k: 11);

        Assert.Equal(cases.Count, release.Released.Count + release.Withheld);
        Assert.True(release.Released.Count >= 70_000, $"only {release.Released.Count} released");
        Assert.All(release.Released.GroupBy(c => c.QuasiIdentifiers), g => Assert.True(g.Count() >= 11, $"{g.Key} occurs {g.Count()} times"));
        // Its speed is not asserted here (a unit test asserts no timing): a blow-up would show in the suite's duration.
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"released {release.Released.Count}, withheld {release.Withheld}, by level {string.Join(", ", release.ReleasedAtLevel)}");
    }

    [Fact]
    public void Small_groups_are_generalized_to_a_quarter_and_then_a_year_before_anyone_is_withheld()
    {
        var cases = new List<CaseRecord>();
        void Add(int n, Period month, string ageBand, string sex = "F", string nationality = "VN")
        {
            for (var i = 0; i < n; i++)
            {
                cases.Add(Case(month, nationality, ageBand, sex));
            }
        }

        Add(12, Period.Month(2025, 1), "25-34"); // released as it is
        Add(6, Period.Month(2025, 2), "25-34"); // 6 + 5 in the same quarter: released as 2025-Q1
        Add(5, Period.Month(2025, 3), "25-34");
        Add(4, Period.Month(2025, 4), "18-24"); // 4 + 4 + 3 across the year: released as 2025
        Add(4, Period.Month(2025, 8), "18-24");
        Add(3, Period.Month(2025, 11), "18-24");
        Add(2, Period.Month(2025, 5), "12-17", nationality: "LA"); // alone in its corridor: withheld

        var release = KAnonymizer.Release(cases, k: 11);

        var byKey = release.Released.GroupBy(c => (c.Period.ToString(), c.AgeBand)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(12, byKey[("2025-01", "25-34")]);
        Assert.Equal(11, byKey[("2025-Q1", "25-34")]);
        Assert.Equal(11, byKey[("2025", "18-24")]);
        Assert.Equal(2, release.Withheld);
        Assert.Equal([12, 11, 11, 0, 0, 0], release.ReleasedAtLevel);
    }

    [Fact]
    public void Age_widens_to_child_or_adult_and_sex_to_any_when_the_year_is_not_enough()
    {
        var cases = new List<CaseRecord>();
        for (var i = 0; i < 6; i++)
        {
            cases.Add(Case(Period.Month(2024, 1 + i), "MM", "18-24", "M"));
            cases.Add(Case(Period.Month(2024, 1 + i), "MM", "35-49", "M"));
            cases.Add(Case(Period.Month(2024, 1 + i), "MM", "0-11", i % 2 == 0 ? "M" : "F"));
            cases.Add(Case(Period.Month(2024, 1 + i), "MM", "12-17", i % 2 == 0 ? "M" : "F"));
        }

        var release = KAnonymizer.Release(cases, k: 11);

        Assert.Equal(0, release.Withheld);
        Assert.Equal(12, release.Released.Count(c => c.AgeBand == KAnonymizer.Adult && c.Sex == "M"));
        Assert.Equal(12, release.Released.Count(c => c.AgeBand == KAnonymizer.Child && c.Sex == KAnonymizer.Any));
        Assert.All(release.Released, c => Assert.Equal(Period.WholeYear(2024), c.Period));
    }

    [Fact]
    public void The_case_fields_are_carried_through_and_the_order_does_not_follow_identification()
    {
        var cases = SyntheticCases.Generate(5_000, seed: 11);

        var release = KAnonymizer.Release(cases);

        var released = release.Released.Select(c => (string.Join('|', c.ExploitationForms), c.FurthestStage, c.ClosureReason)).Order().ToList();
        var expected = cases.Select(c => (string.Join('|', c.ExploitationForms), c.FurthestStage, c.ClosureReason)).Order().ToList();
        Assert.True(released.All(r => expected.BinarySearch(r) >= 0));
        Assert.Equal(release.Released.OrderBy(c => c.Period.Year).ThenBy(c => c.Period.Kind).ThenBy(c => c.Period.Number).Select(c => c.Period), release.Released.Select(c => c.Period));
        Assert.Throws<ArgumentException>(() => KAnonymizer.Release([Case(Period.Month(2025, 1), "VN", "20-29", "F")]));
    }

    private static CaseRecord Case(Period month, string nationality, string ageBand, string sex) =>
        new(month, "TH", nationality, ageBand, sex, ["forced-criminality"], ["act:recruitment", "means:deception", "purpose:forced-criminality"], "referred", null);
}
