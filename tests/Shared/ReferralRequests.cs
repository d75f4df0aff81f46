using System.Net.Http.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Testing;

public static class ReferralRequests
{
    public const string GivenName = "Lan";
    public const string FamilyName = "Nguyen Thi";

    /// <summary>A Vietnamese woman, 24, identified in <paramref name="country"/> after escaping a scam compound.</summary>
    public static CreateReferralRequest VietnameseWoman(string country = "TH", string? summary = null) => new(
        new SubjectInput(GivenName, FamilyName, Sex.Female, new DateOnly(2002, 3, 14), "VN", ["vi", "en"]),
        country,
        DateTimeOffset.UtcNow.AddHours(-2),
        [ExploitationForm.ForcedCriminality],
        summary ?? "Escaped a compound near the border; passport held by the compound.");

    /// <summary>The create command the API builds from <paramref name="request"/> (by default <see cref="VietnameseWoman"/>) for <paramref name="caller"/>.</summary>
    public static ReferralCommand.Create Command(Caller caller, CreateReferralRequest? request = null) =>
        ReferralCommand.Create.From(request ?? VietnameseWoman(caller.Country), caller, DateTimeOffset.UtcNow);

    /// <summary>The catalog's indicators for these codes, as the screening command resolves them.</summary>
    public static IReadOnlyList<Indicator> Indicators(params string[] codes) => [.. codes.Select(c => IndicatorCatalog.Find(c)!)];

    public static async Task<ReferralView> CreateAsync(HttpClient client, CreateReferralRequest? request = null)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/referrals", request ?? VietnameseWoman(), Json.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ReferralView>(Json.Options))!;
    }

    public static Task<PagedList<ReferralSummary>?> ListAsync(HttpClient client, string query = "") =>
        client.GetFromJsonAsync<PagedList<ReferralSummary>>($"/api/v1/referrals{query}", Json.Options);
}
