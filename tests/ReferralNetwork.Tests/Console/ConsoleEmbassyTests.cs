using System.Net;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Console;

/// <summary>The console of an embassy, and the handoff form's targets for people of countries without a focal point.</summary>
public sealed class ConsoleEmbassyTests(SharedPlatform platform)
{
    private const string Embassy = "th-embassy-cn";

    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task The_embassy_accepts_the_return_finds_it_among_its_verifications_and_verifies_nationality()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(thailand, ChineseWoman());
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(thailand, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(thailand, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Embassy, true, ConsentMethod.Written));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thailand, $"{path}/handoffs", new HandoffRequest(Embassy, HandoffKind.Custody, null, null, null, null)));

        var (session, _) = await ConsoleSession.SignInAsync(Platform, $"officer@{Embassy}");
        using var __ = session;
        var offerPage = await Eventually.Until(() => session.GetAsync($"/console/offers/{offer.Id}"), page => page.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var accepted = await session.SubmitAsync(offerPage, "handler=Accept");
        var home = await Eventually.Until(() => session.GetAsync("/console"), page => page.Html.Contains($"/console/referrals/{referral.Id}", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var verified = await session.SubmitAsync(accepted, "handler=Verify", new Dictionary<string, string> { ["outcome"] = "Confirmed" });

        Assert.Contains("id=\"verifications\"", home.Html, StringComparison.Ordinal);
        Assert.Equal("Return requested", ConsoleSession.Field(accepted, "stage"));
        Assert.Equal("Nationality verified", ConsoleSession.Field(verified, "stage"));
        Assert.Contains("The verification is recorded.", verified.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_handoff_form_offers_the_embassy_for_a_Chinese_national_only_and_no_other_countrys_focal_point()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var chinese = await ReferralRequests.CreateAsync(thailand, ChineseWoman());
        var vietnamese = await ReferralRequests.CreateAsync(thailand);
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = session;

        var chinesePage = await session.GetAsync($"/console/referrals/{chinese.Id}");
        var vietnamesePage = await session.GetAsync($"/console/referrals/{vietnamese.Id}");

        Assert.Contains($"<option value=\"{Embassy}\"", chinesePage.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<option value=\"vn-focal-point\"", chinesePage.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"<option value=\"{Embassy}\"", vietnamesePage.Html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"vn-focal-point\"", vietnamesePage.Html, StringComparison.Ordinal);
    }

    private static CreateReferralRequest ChineseWoman() => new(
        new SubjectInput("Mei", "Li", Sex.Female, new DateOnly(2001, 1, 9), "CN", ["zh"]),
        "TH",
        DateTimeOffset.UtcNow.AddHours(-1),
        [ExploitationForm.ForcedCriminality],
        null);
}
