using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// The sign-in page in a real browser, in each of the six languages (accessible, drawn in the served fonts), and a
/// sign-in refused and then accepted. The authorization code flow itself is tested below the pages.
/// </summary>
public sealed class SignInBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    private static readonly string[] Languages = ["en", "vi", "km", "lo", "my", "th"];

    [Fact]
    public async Task The_sign_in_page_reads_well_in_every_language_and_says_why_a_sign_in_was_refused()
    {
        foreach (var language in Languages)
        {
            await using var context = await platform.NewContextAsync(language);
            var page = await ConsolePage.OpenAsync(context, "/account/login");
            Assert.Equal(language, await page.LanguageAsync());
            page.AssertNoBrowserErrors(); // after the refusal below, Chromium logs the page's 400 itself

            // No such account: a wrong password for a real one would lock it after five languages.
            await page.Page.Locator("#name").FillAsync("nobody@example.org");
            await page.Page.Locator("#password").FillAsync("not a password of anyone");
            await page.Page.Locator("main form button[type=submit]").ClickAsync();
            await page.SettledAsync();

            await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
            await page.AssertDrawnWithServedFontsAsync("h1, main label, [role=alert]", ConsolePage.FontFamilyOf(language));
            await page.AssertAccessibleAsync();
            await page.ScreenshotAsync($"sign-in-{language}");
        }
    }

    [Fact]
    public async Task An_officer_signs_in_and_lands_where_the_sign_in_began()
    {
        await using var context = await platform.NewContextAsync("th");
        var page = await ConsolePage.OpenAsync(context, "/account/login?ReturnUrl=%2Flanguage");

        await page.Page.Locator("#name").FillAsync("officer@th-focal-point");
        await page.Page.Locator("#password").FillAsync("demo-password");
        await page.Page.Locator("main form button[type=submit]").ClickAsync();
        await page.SettledAsync();

        Assert.EndsWith("/language", page.Page.Url, StringComparison.Ordinal);
        var cookies = await context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "rn-session");
        Assert.True(session.HttpOnly);
        page.AssertNoBrowserErrors();
    }
}
