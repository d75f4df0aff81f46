using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// A small return group in a real browser, in English and the region's four other scripts: Thailand's supervisor offers
/// two Vietnamese women's custody as one group; Viet Nam's supervisor accepts both and confirms their nationality, one
/// by one; Thailand plans the bus with each woman's travel document, prints the manifest, and both sides record the
/// handover. Every page passes axe-core, is drawn in the platform's own fonts, and leaves a screenshot (the manifest
/// also as printed) to look at.
/// </summary>
public sealed class GroupBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    [Theory]
    [InlineData("en")]
    [InlineData("km")]
    [InlineData("lo")]
    [InlineData("my")]
    [InlineData("th")]
    public async Task A_group_of_two_goes_from_offer_to_handover_and_its_manifest_prints(string language)
    {
        var text = new ConsoleWords(language);
        var family = ConsolePage.FontFamilyOf(language);
        using var thailand = await platform.ApiAsync("th-focal-point");
        var members = new[] { await ConsentedAsync(thailand, "Hoa"), await ConsentedAsync(thailand, "Mai") };
        var label = $"Bus Aranyaprathet {language}";
        await using var sending = await platform.NewContextAsync(language);
        await using var receiving = await platform.NewContextAsync(language);
        var thai = await ConsolePage.SignInAsync(sending, "supervisor@th-focal-point");
        await thai.Page.Locator("nav.console-nav a[href='/console/groups']").ClickAsync();
        await thai.SettledAsync();
        Assert.Equal(language, await thai.LanguageAsync());
        await Assertions.Expect(thai.Page.Locator("h1")).ToHaveTextAsync(text.Of("Groups.Title"));
        await thai.AssertAccessibleAsync();
        await thai.AssertDrawnWithServedFontsAsync("h1, th", family);
        await thai.ScreenshotAsync($"console-groups-{language}");

        // The group is made on its page: the nationality, then each woman ticked on her own line by her reference.
        await thai.Page.Locator("a[data-link=new-group]").ClickAsync();
        await thai.SettledAsync();
        await thai.Page.GetByLabel(text.Of("Referral.Nationality"), new() { Exact = true }).SelectOptionAsync("VN");
        await thai.Page.Locator("form.filters button[type=submit]").ClickAsync();
        await thai.SettledAsync();
        await thai.Page.GetByLabel(text.Of("NewGroup.Label"), new() { Exact = true }).FillAsync(label);
        foreach (var member in members)
        {
            await thai.Page.Locator($"#pick-{member:N}").CheckAsync();
        }

        Assert.DoesNotContain("Hoa", await thai.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await thai.AssertAccessibleAsync();
        await thai.AssertDrawnWithServedFontsAsync("h1, legend, th, label", family);
        await thai.ScreenshotAsync($"console-group-new-{language}");
        await thai.Page.Locator("form[action*='handler=Create'] button[type=submit]").ClickAsync();
        await Assertions.Expect(thai.Page.Locator("[role=status].done")).ToHaveTextAsync(text.Of("Done.GroupCreate"));
        await thai.SettledAsync();
        await Assertions.Expect(thai.Page.Locator("h1")).ToHaveTextAsync(label);
        await thai.Page.Locator("a[href='/console/groups']").First.ClickAsync();
        await thai.SettledAsync();

        // The offer: one form for the group, sent from the keyboard.
        await thai.Page.GetByRole(AriaRole.Link, new() { Name = label }).ClickAsync();
        await thai.SettledAsync();
        Assert.DoesNotContain("Hoa", await thai.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await thai.Page.Locator("#offer-to").SelectOptionAsync("vn-focal-point");
        await thai.AssertAccessibleAsync();
        await thai.ScreenshotAsync($"console-group-offer-{language}");
        await thai.Page.Locator("form[action*='handler=Offer'] button[type=submit]").FocusAsync();
        await thai.Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(thai.Page.Locator("[role=status].done")).ToHaveTextAsync(text.Of("Done.GroupOffer")); // waits out the navigation
        await thai.SettledAsync();
        await DoneAsync(thai, text, "offered", 2);

        // The origin accepts both (ticked by default) and confirms each one's nationality on their own line.
        var viet = await ConsolePage.SignInAsync(receiving, "supervisor@vn-focal-point");
        await viet.Page.GotoAsync("/console/groups");
        await viet.SettledAsync();
        await viet.Page.GetByRole(AriaRole.Link, new() { Name = label }).ClickAsync();
        await viet.SettledAsync();
        await viet.AssertAccessibleAsync();
        await viet.AssertDrawnWithServedFontsAsync("h2, legend, label", family);
        await viet.ScreenshotAsync($"console-group-answer-{language}");
        await viet.Page.Locator("form[action*='handler=Accept'] button[type=submit]").ClickAsync();
        await viet.SettledAsync();
        await DoneAsync(viet, text, "accepted", 2);
        foreach (var member in members)
        {
            await viet.Page.Locator($"form[action*='handler=Verify'] fieldset[data-member='{member}']")
                .GetByLabel(text.Of("NationalityOutcome.confirmed"), new() { Exact = true }).CheckAsync();
        }

        await viet.AssertAccessibleAsync();
        await viet.ScreenshotAsync($"console-group-verify-{language}");
        await viet.Page.Locator("form[action*='handler=Verify'] button[type=submit]").ClickAsync();
        await viet.SettledAsync();
        await DoneAsync(viet, text, "verified", 2);

        // The plan: one date and crossing, each woman her own document.
        await thai.Page.ReloadAsync();
        await thai.SettledAsync();
        await thai.Page.Locator("#plan-date").FillAsync("2027-03-03");
        await thai.Page.Locator("#plan-crossing").FillAsync("Aranyaprathet – Poipet");
        await thai.Page.Locator($"#plan-{members[0]:N}").SelectOptionAsync("Passport");
        await thai.Page.Locator($"#plan-{members[1]:N}").SelectOptionAsync("EmergencyTravelDocument");
        await thai.AssertAccessibleAsync();
        await thai.ScreenshotAsync($"console-group-plan-{language}");
        await thai.Page.Locator("form[action*='handler=Plan'] button[type=submit]").ClickAsync();
        await thai.SettledAsync();
        await DoneAsync(thai, text, "planned", 2);

        // The manifest, on screen and as printed: the two women by name, nothing else of them but what the handover needs.
        await thai.Page.Locator("a[data-link=manifest]").ClickAsync();
        await thai.SettledAsync();
        var manifest = thai.Page.Locator("table.manifest-people tbody tr");
        await Assertions.Expect(manifest).ToHaveCountAsync(2);
        await Assertions.Expect(manifest.First).ToContainTextAsync("Hoa");
        await Assertions.Expect(manifest.Last).ToContainTextAsync(text.Of("TravelDocument.emergency-travel-document"));
        await thai.AssertAccessibleAsync();
        await thai.AssertDrawnWithServedFontsAsync("h1, th", family);
        await thai.ScreenshotAsync($"console-group-manifest-{language}");
        await thai.Page.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(thai.Page.Locator("nav.console-nav")).ToBeHiddenAsync();
        await thai.ScreenshotAsync($"console-group-manifest-print-{language}");
        await thai.Page.EmulateMediaAsync(new() { Media = Media.Screen });

        // Each side's handover: both handed over, confirmed by both.
        foreach (var side in new[] { thai, viet })
        {
            await side.Page.GotoAsync($"/console/groups/{Regex.Match(thai.Page.Url, "groups/(?<id>[0-9a-f-]{36})").Groups["id"].Value}");
            await side.SettledAsync();
            foreach (var member in members)
            {
                await side.Page.Locator($"form[action*='handler=Handover'] fieldset[data-member='{member}']")
                    .GetByLabel(text.Of("HandoverOutcome.handed-over"), new() { Exact = true }).CheckAsync();
            }

            await side.AssertAccessibleAsync();
            await side.Page.Locator("form[action*='handler=Handover'] button[type=submit]").ClickAsync();
            await side.SettledAsync();
            await DoneAsync(side, text, "planned", side == thai ? 2 : 0);
        }

        await DoneAsync(viet, text, "returned", 2);
        await viet.AssertAccessibleAsync();
        await viet.ScreenshotAsync($"console-group-returned-{language}");
        thai.AssertNoBrowserErrors();
        viet.AssertNoBrowserErrors();
    }

    /// <summary>Reloads the group's page until its operation has reached everyone and <paramref name="count"/> people are at <paramref name="status"/>.</summary>
    private static async Task DoneAsync(ConsolePage page, ConsoleWords text, string status, int count)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var statuses = page.Page.Locator("[data-field=member-status]");
        while (await page.Page.Locator("[data-field=operation]").CountAsync() > 0
            || (await statuses.AllInnerTextsAsync()).Count(s => s.Trim() == text.Of($"GroupMemberStatus.{status}")) != count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the group did not get to {status} within a minute");
            await Task.Delay(250);
            await page.Page.ReloadAsync();
            await page.SettledAsync();
        }
    }


    /// <summary>A Vietnamese woman identified in Thailand who agreed to return and to her file going to Viet Nam's focal point.</summary>
    private static async Task<Guid> ConsentedAsync(HttpClient http, string givenName)
    {
        using var created = await http.PostAsJsonAsync("/api/v1/referrals", new
        {
            subject = new { givenName, familyName = "Tran", sex = "female", dateOfBirth = "1999-04-02", nationality = "VN", languages = new[] { "vi" } },
            identifiedIn = "TH",
            identifiedAt = DateTimeOffset.UtcNow.AddHours(-1),
            exploitation = new[] { "forced-labour" },
        });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.IsSuccessStatusCode, body.ToString());
        var id = body.GetProperty("id").GetGuid();
        var version = body.GetProperty("version").GetInt32();
        foreach (var consent in new object[]
        {
            new { purpose = "return", given = true, method = "written" },
            new { purpose = "share", organizationId = "vn-focal-point", given = true, method = "written" },
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/referrals/{id}/consents") { Content = JsonContent.Create(consent) };
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
            using var response = await http.SendAsync(request);
            var recorded = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, recorded.ToString());
            version = recorded.GetProperty("version").GetInt32();
        }

        return id;
    }
}
