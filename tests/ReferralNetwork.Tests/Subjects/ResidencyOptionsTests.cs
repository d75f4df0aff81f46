using Microsoft.Extensions.Configuration;
using ReferralNetwork.Hosting;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Tests.Subjects;

/// <summary>What start-up makes of the <c>Residency</c> section: every unusable entry refused, naming its setting.</summary>
public sealed class ResidencyOptionsTests
{
    private const string Postgres = "Host=th-db.internal;Database=subjects_th;Username=rn;Password=secret-th";

    [Fact]
    public void Each_entry_names_the_store_of_a_country_and_the_country_code_is_not_case_sensitive()
    {
        var residency = ResidencyOptions.From(Configuration(("Residency:th", Postgres), ("Residency:KH", Postgres + "x")), PlatformProfile.Production);

        Assert.Empty(residency.Refusals);
        Assert.Equal(["KH", "TH"], residency.Stores.Keys);
        Assert.Equal("TH", residency.StoreOf("TH"));
        Assert.Null(residency.StoreOf("VN"));
    }

    [Theory]
    [InlineData("Residency:THA", "Residency:THA does not name a country")]
    [InlineData("Residency:T1", "Residency:T1 does not name a country")]
    [InlineData("Residency:REGIONAL", "Residency:REGIONAL does not name a country")]
    public void A_key_that_is_not_a_country_code_is_refused_naming_the_setting(string key, string expected)
    {
        var residency = ResidencyOptions.From(Configuration((key, Postgres)), PlatformProfile.Production);

        Assert.StartsWith(expected, Assert.Single(residency.Refusals), StringComparison.Ordinal);
        Assert.Empty(residency.Stores);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_connection_string_is_refused_naming_the_setting(string value)
    {
        var residency = ResidencyOptions.From(Configuration(("Residency:TH", value)), PlatformProfile.Production);

        Assert.StartsWith("Residency:TH is empty", Assert.Single(residency.Refusals), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;Database=x;Colour=blue", "Residency:TH is not a usable PostgreSQL connection string")]
    [InlineData("Host=db;Database=x;Port=many", "Residency:TH is not a usable PostgreSQL connection string")]
    [InlineData("Database=subjects_th", "Residency:TH is not a usable PostgreSQL connection string: it names no Host.")]
    [InlineData("Host=db", "Residency:TH is not a usable PostgreSQL connection string: it names no Database.")]
    public void A_connection_string_that_cannot_reach_a_database_is_refused_without_repeating_it(string value, string expected)
    {
        var residency = ResidencyOptions.From(Configuration(("Residency:TH", value + ";Password=secret-th")), PlatformProfile.Production);

        var refusal = Assert.Single(residency.Refusals);
        Assert.StartsWith(expected, refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-th", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_embedded_profile_refuses_residency_and_says_what_to_do()
    {
        var residency = ResidencyOptions.From(Configuration(("Residency:TH", "Data Source=/var/th.db")), PlatformProfile.Embedded);

        var refusal = Assert.Single(residency.Refusals);
        Assert.StartsWith("Residency:TH is set, but the embedded profile", refusal, StringComparison.Ordinal);
        Assert.Contains("production profile", refusal, StringComparison.Ordinal);
        var refused = Assert.Throws<StartupRefusedException>(residency.ThrowIfUnusable);
        Assert.Equal([refusal], refused.Reasons);
    }

    [Fact]
    public void Without_the_section_every_compartment_stays_in_the_shared_store()
    {
        var residency = ResidencyOptions.From(Configuration(), PlatformProfile.Production);

        Assert.Empty(residency.Refusals);
        Assert.Empty(residency.Stores);
        residency.ThrowIfUnusable();
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
