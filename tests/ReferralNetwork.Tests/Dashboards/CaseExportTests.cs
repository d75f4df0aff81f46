using ReferralNetwork.Dashboards;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>The case export: synthetic referrals folded by the projection's own fold, released k-anonymous.</summary>
public sealed class CaseExportTests
{
    [Fact]
    public void Export_of_100000_synthetic_referrals_is_11_anonymous_and_releases_at_least_70_percent()
    {
        var records = SyntheticReferrals.Generate(100_000, seed: 12)
            .Select(history => SyntheticReferrals.Fold(history).Case)
            .Select(c => CaseExportService.ToRecord(new CaseExportService.Facts(
                c.IdentifiedMonth, c.IdentifiedIn, c.Nationality, c.AgeBand, c.Sex, c.Forms, c.Elements, c.FurthestStage, c.ClosureReason)))
            .ToList();

        var export = CaseExportService.Release(records, 11);

        Assert.Equal(100_000, export.Released + export.Withheld);
        Assert.Equal(export.Released, export.Cases.Count);
        var smallest = export.Cases.GroupBy(c => (c.Period, c.IdentificationCountry, c.Nationality, c.AgeBand, c.Sex)).Min(g => g.Count());
        Assert.True(smallest >= 11, $"A combination occurs {smallest} times.");
        Assert.True(export.Released >= 70_000, $"Only {export.Released} of 100,000 released.");

        // Most identified in the compounds of Cambodia, Myanmar and Laos; forced criminality the commonest form.
        Assert.Equal("forced-criminality", records.SelectMany(r => r.ExploitationForms).GroupBy(f => f).MaxBy(g => g.Count())!.Key);
        Assert.True(records.Count(r => r.IdentificationCountry is "KH" or "MM" or "LA") > 70_000);
    }

    [Fact]
    public void A_combination_rarer_than_k_is_generalized_or_withheld_never_released_as_is()
    {
        var records = SyntheticReferrals.Generate(2_000, seed: 3)
            .Select(history => SyntheticReferrals.Fold(history).Case)
            .Select(c => CaseExportService.ToRecord(new CaseExportService.Facts(
                c.IdentifiedMonth, c.IdentifiedIn, c.Nationality, c.AgeBand, c.Sex, c.Forms, c.Elements, c.FurthestStage, c.ClosureReason)))
            .ToList();

        var export = CaseExportService.Release(records, 11);

        Assert.True(export.Withheld > 0 || export.Cases.Any(c => !c.Period.Contains('-', StringComparison.Ordinal) || c.Period.Contains('Q', StringComparison.Ordinal)));
        Assert.All(export.Cases.GroupBy(c => (c.Period, c.IdentificationCountry, c.Nationality, c.AgeBand, c.Sex)), g => Assert.True(g.Count() >= 11));
    }
}
