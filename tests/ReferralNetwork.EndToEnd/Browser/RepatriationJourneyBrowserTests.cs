using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// The whole repatriation of DESIGN §2 through the console's pages only, as the people doing it see it: Thailand's
/// focal point identifies, screens, records consents and requests the return; Viet Nam's focal point, in another
/// browser, accepts, verifies nationality and plans the return; both confirm the handover; Viet Nam hands the person
/// on to an NGO for reintegration. Stage, holder and history are checked on the page at every step, in three languages;
/// every page passes axe-core and is drawn in the platform's own fonts.
/// </summary>
public sealed partial class RepatriationJourneyBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    private const string Thailand = "Thailand national focal point (MSDHS)";
    private const string VietNam = "Viet Nam national focal point (MOLISA)";

    [Theory]
    [InlineData("en")]
    [InlineData("km")]
    [InlineData("vi")]
    public async Task A_repatriation_from_Thailand_to_Viet_Nam_is_done_through_the_pages_alone(string language)
    {
        await using var thai = await platform.NewContextAsync(language);
        await using var vietnamese = await platform.NewContextAsync(language);
        await using var ngo = await platform.NewContextAsync(language);
        var text = new ConsoleWords(language);

        // Thailand identifies the person.
        var th = await ConsolePage.SignInAsync(thai, "officer@th-focal-point");
        await th.Page.GotoAsync("/console/referrals/new");
        await th.SettledAsync();
        await th.AssertAccessibleAsync();
        await th.Page.Locator("#Form_GivenName").FillAsync($"Journey{language}");
        await th.Page.Locator("#Form_FamilyName").FillAsync("Nguyễn Thị");
        await th.Page.Locator("#Form_Sex").SelectOptionAsync("Female");
        await th.Page.Locator("#Form_DateOfBirth").FillAsync("2001-03-14");
        await th.Page.Locator("#Form_Nationality").SelectOptionAsync("VN");
        await th.Page.Locator("#Form_IdentifiedAt").FillAsync("2026-11-20T08:00");
        await th.Page.Locator("#exploitation-ForcedCriminality").CheckAsync();
        await SubmitAsync(th, "form[action='/console/referrals/new']");
        var referral = ReferralPath().Match(th.Page.Url).Groups["id"].Value;
        Assert.NotEmpty(referral);
        await ExpectAsync(th, text, "Identified", Thailand, "ReferralIdentified");
        Assert.DoesNotContain($"Journey{language}", await th.Page.ContentAsync(), StringComparison.Ordinal);

        // Screening: an act, a means and a purpose make a presumed victim, who is not to be punished.
        await th.Page.Locator($"a[href='/console/referrals/{referral}/screening']").ClickAsync();
        await th.SettledAsync();
        await th.AssertAccessibleAsync();
        foreach (var indicator in new[] { "recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others" })
        {
            await th.Page.Locator($"#indicator-{indicator}").CheckAsync();
        }

        await SubmitAsync(th, "form[action$='/screening']");
        await ExpectAsync(th, text, "Screened", Thailand, "ReferralScreened");
        await Assertions.Expect(th.Page.Locator(".banner.nonpunishment")).ToBeVisibleAsync();

        // Consents to return and to sharing with Viet Nam, then the return is requested.
        await ConsentAsync(th, "Return", null);
        await ConsentAsync(th, "Share", "vn-focal-point");
        await OfferAsync(th, "vn-focal-point", "Custody", null);
        await ExpectAsync(th, text, "RepatriationRequested", Thailand, "HandoffOffered");
        await th.AssertAccessibleAsync();
        await th.AssertDrawnWithServedFontsAsync("h1, h2", ConsolePage.FontFamilyOf(language));

        // Viet Nam sees the offer (not the referral) on its work waiting, and accepts.
        var vn = await ConsolePage.SignInAsync(vietnamese, "officer@vn-focal-point");
        await OpenOfferAsync(vn, referral);
        await SubmitAsync(vn, "form[action*='handler=Accept']");
        await ExpectAsync(vn, text, "RepatriationRequested", Thailand, "HandoffAccepted");

        // Nationality confirmed, return planned.
        await SubmitAsync(vn, "form[action*='handler=Verify']");
        await ExpectAsync(vn, text, "NationalityVerified", Thailand, "NationalityVerified");
        await vn.Page.Locator("#plan-document").SelectOptionAsync("EmergencyTravelDocument");
        await vn.Page.Locator("#plan-date").FillAsync("2026-12-20");
        await vn.Page.Locator("#plan-crossing").FillAsync("Moc Bai");
        await SubmitAsync(vn, "form[action*='handler=Plan']");
        await ExpectAsync(vn, text, "ReturnPlanned", Thailand, "ReturnPlanned");

        // Both sides confirm the handover; custody moves only now.
        await th.Page.ReloadAsync();
        await SubmitAsync(th, "form[action*='handler=Confirm']");
        await ExpectAsync(th, text, "ReturnPlanned", Thailand, "ReturnConfirmed");
        await vn.Page.ReloadAsync();
        await SubmitAsync(vn, "form[action*='handler=Confirm']");
        await ExpectAsync(vn, text, "Returned", VietNam, "ReturnConfirmed");

        // Viet Nam hands the person on to an NGO for reintegration.
        await ConsentAsync(vn, "Services", null);
        await ConsentAsync(vn, "Share", "vn-ngo-reintegration");
        await OfferAsync(vn, "vn-ngo-reintegration", "Service", "Reintegration");
        await ExpectAsync(vn, text, "Returned", VietNam, "HandoffOffered");
        var reintegration = await ConsolePage.SignInAsync(ngo, "officer@vn-ngo-reintegration");
        await OpenOfferAsync(reintegration, referral);
        await SubmitAsync(reintegration, "form[action*='handler=Accept']");
        await ExpectAsync(reintegration, text, "Reintegration", VietNam, "HandoffAccepted");
        await reintegration.AssertAccessibleAsync();

        // The numbered history is whole: every step above, in order, without a gap.
        var numbers = await reintegration.Page.Locator("table.history tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), numbers);
        Assert.True(numbers.Count >= 14, $"{numbers.Count} history entries");

        await reintegration.ScreenshotAsync($"console-journey-{language}");
        th.AssertNoBrowserErrors();
        vn.AssertNoBrowserErrors();
    }

    [Theory]
    [InlineData("en")]
    [InlineData("vi")]
    [InlineData("km")]
    [InlineData("lo")]
    [InlineData("my")]
    [InlineData("th")]
    public async Task The_work_waiting_the_list_and_a_referral_read_well_in_every_language(string language)
    {
        await using var context = await platform.NewContextAsync(language);
        var page = await ConsolePage.SignInAsync(context, "officer@th-focal-point");
        await page.Page.GotoAsync("/console/referrals/new");
        await page.SettledAsync();
        await page.Page.Locator("#Form_GivenName").FillAsync("Screenshot");
        await page.Page.Locator("#Form_Sex").SelectOptionAsync("Male");
        await page.Page.Locator("#Form_Nationality").SelectOptionAsync("KH");
        await page.Page.Locator("#exploitation-ForcedLabour").CheckAsync();
        await SubmitAsync(page, "form[action='/console/referrals/new']");
        var referralPage = page.Page.Url;

        foreach (var (name, path) in new[] { ("home", "/console"), ("list", "/console/referrals"), ("referral", referralPage), ("subject", referralPage + "/subject") })
        {
            await page.Page.GotoAsync(path);
            await page.SettledAsync();
            Assert.Equal(language, await page.LanguageAsync());
            await page.AssertAccessibleAsync();
            await page.AssertDrawnWithServedFontsAsync("h1", ConsolePage.FontFamilyOf(language));
            await page.ScreenshotAsync($"console-{name}-{language}");
        }

        page.AssertNoBrowserErrors();
    }


    private static async Task SubmitAsync(ConsolePage page, string form)
    {
        await page.Page.Locator($"{form} button[type=submit]").ClickAsync();
        await page.SettledAsync();
    }

    private static async Task ConsentAsync(ConsolePage page, string purpose, string? organization)
    {
        await OpenAsync(page, "#consent-form");
        await page.Page.Locator("#consent-purpose").SelectOptionAsync(purpose);
        await page.Page.Locator("#consent-organization").SelectOptionAsync(organization ?? "");
        await page.Page.Locator("#consent-method").SelectOptionAsync("Written");
        await SubmitAsync(page, "form[action*='handler=Consent']");
    }

    private static async Task OfferAsync(ConsolePage page, string to, string kind, string? service)
    {
        await OpenAsync(page, "#offer-form");
        await page.Page.Locator("#offer-to").SelectOptionAsync(to);
        await page.Page.Locator("#offer-kind").SelectOptionAsync(kind);
        if (service is not null)
        {
            await page.Page.Locator($"#offer-service-{service}").CheckAsync();
        }

        await SubmitAsync(page, "form[action*='handler=Offer']");
    }

    /// <summary>Opens a closed <c>details</c> form, as a person clicks its summary.</summary>
    private static async Task OpenAsync(ConsolePage page, string details)
    {
        if (await page.Page.Locator(details).GetAttributeAsync("open") is null)
        {
            await page.Page.Locator($"{details} > summary").ClickAsync();
        }
    }

    /// <summary>The target's work waiting lists the offer once the inbox read model has it: reloads until then, then opens it.</summary>
    private static async Task OpenOfferAsync(ConsolePage page, string referral)
    {
        var row = page.Page.Locator($"tr[data-referral='{referral}'] a");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await row.CountAsync() == 0 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(250);
            await page.Page.GotoAsync("/console");
            await page.SettledAsync();
        }

        await page.AssertAccessibleAsync();
        await row.ClickAsync();
        await page.SettledAsync();
        await page.AssertAccessibleAsync();
    }

    /// <summary>What the referral page shows after a step: its stage, its holder, and the last event of its history.</summary>
    private static async Task ExpectAsync(ConsolePage page, ConsoleWords text, string stage, string holder, string lastEvent)
    {
        await Assertions.Expect(page.Page.Locator("[role=alert]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Page.Locator("[data-field=stage]")).ToHaveTextAsync(text.Of($"Stage.{Labels.Api(Enum.Parse<Contracts.Stage>(stage))}"));
        await Assertions.Expect(page.Page.Locator("[data-field=holder]")).ToHaveTextAsync(holder);
        await Assertions.Expect(page.Page.Locator("table.history tbody tr").Last.Locator("[data-field=event]")).ToHaveTextAsync(text.Of($"Event.{lastEvent}"));
    }

    [GeneratedRegex("/console/referrals/(?<id>[0-9a-f-]{36})")]
    private static partial Regex ReferralPath();
}
