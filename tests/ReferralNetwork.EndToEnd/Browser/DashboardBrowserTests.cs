using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// The secretariat's dashboards in a real browser, in English and the region's four other scripts (Khmer, Lao, Burmese, Thai): heat maps, the trends' lines and the funnel's bars are drawn (SVG, non-empty), small
/// counts read <c>&lt;10</c>, every page passes axe-core and is drawn in the platform's own fonts.
/// </summary>
public sealed partial class DashboardBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    [Theory]
    [InlineData("en")]
    [InlineData("km")]
    [InlineData("lo")]
    [InlineData("my")]
    [InlineData("th")]
    public async Task The_secretariat_reads_its_dashboards_with_small_counts_hidden(string language)
    {
        // Made once for all the languages: counts must stay below ten for the small cells to show.
        await Referrals.GetValue(platform, _ => CreateReferralsAsync(3));
        await using var context = await platform.NewContextAsync(language);
        var page = await ConsolePage.OpenAsync(context, "/console");
        await page.Page.Locator("#name").FillAsync("officer@regional-secretariat");
        await page.Page.Locator("#password").FillAsync("demo-password");
        await page.Page.Locator("main form button[type=submit]").ClickAsync();
        await page.ArrivedAsync(new Regex("/console/dashboards"));

        // The three referrals reach the read model a moment after they are made: the page is opened again until they show.
        var small = page.Page.Locator("table[data-table='identified'] td", new() { HasTextString = "<10" });
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await small.CountAsync() == 0 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(500);
            await page.Page.ReloadAsync();
            await page.SettledAsync();
        }

        Assert.True(await small.CountAsync() > 0, "no cell reads <10");
        var cells = await page.Page.Locator("svg.heat-map rect").CountAsync();
        Assert.True(cells > 0, "the heat map is empty");
        Assert.Contains("<10", await page.Page.Locator("svg.heat-map").First.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Equal(language, await page.LanguageAsync());
        await page.AssertAccessibleAsync();
        await page.AssertDrawnWithServedFontsAsync("h1, h2", ConsolePage.FontFamilyOf(language));
        await page.ScreenshotAsync($"console-dashboards-{language}");

        await page.Page.Locator("a[href*='name=trends']").ClickAsync();
        await page.SettledAsync();
        Assert.True(await page.Page.Locator("svg.line-chart polyline").CountAsync() > 0, "the trends are not drawn as lines");
        Assert.True(await page.Page.Locator("svg.line-chart circle").CountAsync() >= 2, "the trends have no points");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-dashboards-trends-{language}");

        await page.Page.Locator("a[href*='name=funnel']").ClickAsync();
        await page.SettledAsync();
        var bars = page.Page.Locator("svg.bar-chart rect");
        Assert.True(await bars.CountAsync() > 0, "the funnel is not drawn as bars");
        // A handful of referrals: every stage's total is small, so no bar is drawn as a value and each reads <10.
        Assert.Contains("<10", await page.Page.Locator("svg.bar-chart").TextContentAsync() ?? "", StringComparison.Ordinal);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-dashboards-funnel-{language}");

        // The surge board: the same three Vietnamese women by nationality, a small count where they got to.
        await page.Page.Locator("a[href*='name=surge']").ClickAsync();
        await page.SettledAsync();
        Assert.True(await page.Page.Locator("table[data-table='by-nationality'] td", new() { HasTextString = "<10" }).CountAsync() > 0, "the surge board shows no small count");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-dashboards-surge-{language}");
        page.AssertNoBrowserErrors();

        // Thailand's focal point, whose three referrals these are, sees its own figures per day above the protected tables.
        await using var focalContext = await platform.NewContextAsync(language);
        var focal = await ConsolePage.SignInAsync(focalContext, "officer@th-focal-point");
        await focal.Page.GotoAsync("/console/dashboards?name=surge");
        await focal.SettledAsync();
        // Over the fourteen days (made an hour ago, they may be yesterday's after midnight UTC), exact counts.
        var identified = int.Parse(await focal.Page.Locator("table[data-table='by-day'] td[data-cell='identified|total']").TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(identified >= 3, $"{identified} identified in the last fourteen days");
        Assert.True(await focal.Page.Locator("table[data-table='waiting-now']").CountAsync() == 1, "no queues on the surge board");
        await focal.AssertAccessibleAsync();
        await focal.ScreenshotAsync($"console-dashboards-surge-days-{language}");
        focal.AssertNoBrowserErrors();
    }

    private static readonly ConditionalWeakTable<BrowserPlatform, Task> Referrals = new();

    /// <summary>Referrals of Vietnamese women identified in Thailand, made through the API as Thailand's focal point.</summary>
    private async Task CreateReferralsAsync(int count)
    {
        using var http = await platform.ApiAsync("th-focal-point");
        for (var i = 0; i < count; i++)
        {
            using var created = await http.PostAsJsonAsync("/api/v1/referrals", new
            {
                subject = new { givenName = "Dashboard", sex = "female", nationality = "VN", languages = new[] { "vi" } },
                identifiedIn = "TH",
                identifiedAt = DateTimeOffset.UtcNow.AddHours(-1),
                exploitation = new[] { "forced-criminality" },
            });
            created.EnsureSuccessStatusCode();
        }
    }
}
