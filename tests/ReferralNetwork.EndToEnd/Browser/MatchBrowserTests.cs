using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// A possible match in a real browser, in English and the region's four other scripts: Cambodia's focal point closed a
/// woman's case (contact lost) and has confirmed the match with the referral Thailand just made of her; Thailand's
/// officer opens "Possible matches", sees the match without Cambodia's referral, confirms it, and then reads it, with
/// the re-identification flagged. Every page passes axe-core and is drawn in the platform's own fonts.
/// </summary>
public sealed class MatchBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    [Theory]
    [InlineData("en", "Bopha", 1990)]
    [InlineData("km", "Channary", 1992)]
    [InlineData("lo", "Dalin", 1994)]
    [InlineData("my", "Kolab", 1996)]
    [InlineData("th", "Sreymom", 1998)]
    public async Task A_focal_point_sees_a_possible_match_and_confirms_it(string language, string givenName, int bornIn)
    {
        var text = new ConsoleWords(language);
        using var cambodia = await platform.ApiAsync("kh-focal-point");
        using var thailand = await platform.ApiAsync("th-focal-point");
        var earlier = await CreateAsync(cambodia, givenName, bornIn, "KH");
        using (var close = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/referrals/{earlier.Id}/close") { Content = JsonContent.Create(new { reason = "lost-contact" }) })
        {
            close.Headers.TryAddWithoutValidation("If-Match", $"\"{earlier.Version}\"");
            using var closed = await cambodia.SendAsync(close);
            Assert.True(closed.IsSuccessStatusCode, await closed.Content.ReadAsStringAsync());
        }

        var again = await CreateAsync(thailand, givenName, bornIn, "TH");
        var match = await UntilAsync(async () => (await cambodia.GetFromJsonAsync<JsonElement>("/api/v1/matches")).EnumerateArray()
            .Where(m => m.GetProperty("referralId").GetString() == earlier.Id).Select(m => m.GetProperty("id").GetString()).FirstOrDefault());
        using (var confirmed = await cambodia.PostAsync($"/api/v1/matches/{match}/confirm", null))
        {
            Assert.True(confirmed.IsSuccessStatusCode, await confirmed.Content.ReadAsStringAsync());
        }

        // Re-identification is decided from the referral list when both confirm: the close must be in it by then.
        await UntilAsync(async () => (await cambodia.GetStringAsync("/api/v1/referrals?stage=closed")).Contains(earlier.Id, StringComparison.Ordinal) ? "" : null);

        await using var context = await platform.NewContextAsync(language);
        var page = await ConsolePage.SignInAsync(context, "officer@th-focal-point");
        await page.Page.Locator("nav.console-nav a[href='/console/matches']").ClickAsync();
        await page.SettledAsync();
        var card = page.Page.Locator($"article.match[data-referral='{again.Id}']");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await card.CountAsync() == 0 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            // The match is Thailand's once the referral list places the new referral in Thailand.
            await Task.Delay(250);
            await page.Page.ReloadAsync();
            await page.SettledAsync();
        }

        Assert.Equal(language, await page.LanguageAsync());
        await Assertions.Expect(card.Locator("[data-field=match-state]")).ToHaveTextAsync(text.Of("Matches.State.awaiting-you"));
        await Assertions.Expect(card.Locator("h2")).ToHaveTextAsync(string.Format(CultureInfo.InvariantCulture, text.Of("Matches.With"), text.Of("Country.KH")));
        Assert.DoesNotContain(earlier.Id, await page.Page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(givenName, await page.Page.ContentAsync(), StringComparison.Ordinal);
        await page.AssertAccessibleAsync();
        await page.AssertDrawnWithServedFontsAsync("h1, h2, dd", ConsolePage.FontFamilyOf(language));
        await page.ScreenshotAsync($"console-matches-{language}");

        await card.Locator("form[action*='handler=Confirm'] button[type=submit]").ClickAsync();
        await page.SettledAsync();

        await Assertions.Expect(page.Page.Locator("[role=alert]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Page.Locator("[role=status]")).ToHaveTextAsync(text.Of("Done.MatchConfirmed"));
        await Assertions.Expect(card.Locator("[data-field=match-state]")).ToHaveTextAsync(text.Of("Matches.State.confirmed"));
        await Assertions.Expect(card.Locator("[data-flag=re-identification]")).ToBeVisibleAsync();
        await card.Locator("details.audit > summary").ClickAsync();
        await Assertions.Expect(card.Locator("tr[data-audit=linked]")).ToHaveCountAsync(1);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-matches-confirmed-{language}");

        // Linked: the other referral opens, and its history says so last.
        await card.Locator($"[data-field=counterpart] a[href='/console/referrals/{earlier.Id}']").ClickAsync();
        await page.SettledAsync();
        await Assertions.Expect(page.Page.Locator("table.history tbody tr").Last.Locator("[data-field=event]")).ToHaveTextAsync(text.Of("Event.ReferralLinked"));
        await page.AssertAccessibleAsync();
        page.AssertNoBrowserErrors();
    }

    private static async Task<(string Id, int Version)> CreateAsync(HttpClient http, string givenName, int bornIn, string country)
    {
        using var created = await http.PostAsJsonAsync("/api/v1/referrals", new
        {
            subject = new { givenName, familyName = "Keo", sex = "female", dateOfBirth = $"{bornIn}-05-11", nationality = "KH", languages = new[] { "km" } },
            identifiedIn = country,
            identifiedAt = DateTimeOffset.UtcNow.AddHours(-1),
            exploitation = new[] { "forced-criminality" },
        });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.IsSuccessStatusCode, body.ToString());
        return (body.GetProperty("id").GetString()!, body.GetProperty("version").GetInt32());
    }

    /// <summary>Asks again until the answer is there (read models follow events a moment later).</summary>
    private static async Task<string> UntilAsync(Func<Task<string?>> ask)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await ask() is { } answer)
            {
                return answer;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the platform did not get there within a minute");
            await Task.Delay(250);
        }
    }
}
