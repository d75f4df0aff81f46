using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// The first page a person at a border post sees: the platform's address leads to the sign-in page, which says what the
/// platform is for, in each of the six languages: accessible, drawn in the platform's own fonts, and switched to another
/// language with the chooser. Screenshots and page weights go to <see cref="ConsolePage.Artifacts"/>.
/// </summary>
public sealed class LandingPageBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    private static readonly string[] Languages = ["en", "vi", "km", "lo", "my", "th"];

    [Fact]
    public async Task The_landing_page_reads_well_in_every_language()
    {
        var weights = new List<string>();
        foreach (var language in Languages)
        {
            await using var context = await platform.NewContextAsync(language);
            var page = await ConsolePage.OpenAsync(context, "/");

            Assert.Contains("/account/login", page.Page.Url, StringComparison.Ordinal);
            Assert.Equal(language, await page.LanguageAsync());
            weights.Add((await page.WeightAsync()).Row(language)); // first: axe-core fetches the stylesheet again
            await page.AssertDrawnWithServedFontsAsync("h1, main p", ConsolePage.FontFamilyOf(language));
            await page.AssertDrawnWithServedFontsAsync(".languages [lang]", "Noto Sans");
            await page.AssertAccessibleAsync();
            page.AssertNoBrowserErrors();
            await page.ScreenshotAsync($"landing-{language}");
        }

        PageWeight.Write(Path.Combine(ConsolePage.Artifacts, "landing-weights.md"), weights);
    }

    [Fact]
    public async Task A_person_switches_language_with_the_chooser_and_it_is_remembered()
    {
        await using var context = await platform.NewContextAsync("en");
        var page = await ConsolePage.OpenAsync(context, "/");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "ខ្មែរ" }).ClickAsync();
        await page.SettledAsync();
        Assert.Equal("km", await page.LanguageAsync());
        Assert.Contains("/account/login", page.Page.Url, StringComparison.Ordinal); // back where the choice was made
        await page.AssertDrawnWithServedFontsAsync("h1", "Noto Sans Khmer");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "ไทย" }).ClickAsync();
        await page.SettledAsync();
        Assert.Equal("th", await page.LanguageAsync());
        await Assertions.Expect(page.Page.Locator("main form button[type=submit]")).ToHaveTextAsync("เข้าสู่ระบบ");
        page.AssertNoBrowserErrors();

        var later = await ConsolePage.OpenAsync(context, "/"); // the same browser, another day: still Thai
        Assert.Equal("th", await later.LanguageAsync());
    }
}
