using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// The console by keyboard alone (sign in, reach a page from the navigation, fill a form, read the identity), the
/// pages of an organization admin (people, clients, webhooks, capacity) in English and the region's four other scripts, and what Back shows after signing out: nothing of the person.
/// </summary>
public sealed partial class ConsoleKeyboardBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    [Fact]
    public async Task An_officer_records_a_person_and_reads_the_identity_by_keyboard_and_Back_after_signing_out_shows_nothing_of_her()
    {
        var name = $"Keyboard{Guid.NewGuid():N}"[..20];
        await using var context = await platform.NewContextAsync("en");
        var page = await ConsolePage.OpenAsync(context, "/console");
        var keys = page.Page.Keyboard;

        await TabToAsync(page, "#name");
        await keys.TypeAsync("officer@th-focal-point");
        await keys.PressAsync("Tab");
        await keys.TypeAsync("demo-password");
        await keys.PressAsync("Enter");
        await page.ArrivedAsync(new Regex("/console$"));

        await TabToAsync(page, "a[href='/console/referrals/new']");
        await keys.PressAsync("Enter");
        await page.ArrivedAsync(new Regex("/console/referrals/new$"));
        await TabToAsync(page, "#Form_GivenName");
        await keys.TypeAsync(name);
        await TabToAsync(page, "#exploitation-ForcedCriminality");
        await keys.PressAsync("Space");
        await TabToAsync(page, "form[action='/console/referrals/new'] button[type=submit]");
        await keys.PressAsync("Enter");
        await page.ArrivedAsync(ReferralPage());

        await TabToAsync(page, "a[href$='/subject']");
        await keys.PressAsync("Enter");
        await page.ArrivedAsync(new Regex("/subject$"));
        await TabToAsync(page, "#purpose");
        await keys.PressAsync("ArrowDown"); // the first purpose: case work
        await TabToAsync(page, "form[action*='handler=Read'] button[type=submit]");
        await keys.PressAsync("Enter");
        await page.ArrivedAsync(new Regex("handler=Read$"));
        await Assertions.Expect(page.Page.Locator("[data-field=given-name]")).ToHaveTextAsync(name);
        await page.AssertAccessibleAsync();

        page.AssertNoBrowserErrors();

        await TabToAsync(page, "form[action='/console/sign-out'] button[type=submit]");
        await keys.PressAsync("Enter");
        await page.Page.WaitForURLAsync(new Regex("/account/login"), new() { WaitUntil = WaitUntilState.NetworkIdle });
        Assert.DoesNotContain(name, await SettledContentAsync(page.Page), StringComparison.Ordinal);

        // Back: the pages were never cached, so the browser asks the platform again, which asks for a sign-in (or the
        // browser refuses to post the purpose form again); either way the person's name is not shown.
        for (var back = 0; back < 3; back++)
        {
            try
            {
                await page.Page.GoBackAsync();
            }
            catch (PlaywrightException refused) when (refused.Message.Contains("ERR_CACHE_MISS", StringComparison.Ordinal))
            {
                // The identity was the answer to a form; nothing of it was kept, and Chromium will not post it again by itself.
            }

            Assert.DoesNotContain(name, await SettledContentAsync(page.Page), StringComparison.Ordinal);
        }
    }

    /// <summary>The document once the navigations that Back set off (redirects to the sign-in) have come to rest.</summary>
    private static async Task<string> SettledContentAsync(IPage page)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                return await page.ContentAsync();
            }
            catch (PlaywrightException) when (attempt < 10)
            {
                await Task.Delay(200); // a redirect replaced the document while it was read
            }
        }
    }

    [Theory]
    [InlineData("en")]
    [InlineData("km")]
    [InlineData("lo")]
    [InlineData("my")]
    [InlineData("th")]
    public async Task The_pages_of_an_organization_admin_are_accessible(string language)
    {
        await using var context = await platform.NewContextAsync(language);
        var page = await ConsolePage.SignInAsync(context, "admin@th-focal-point");
        await page.Page.Locator("a[href='/console/admin/people']").ClickAsync();
        await page.SettledAsync();

        await Assertions.Expect(page.Page.Locator("tr[data-person='officer@th-focal-point']")).ToHaveCountAsync(1);
        await page.AssertAccessibleAsync();
        await page.AssertDrawnWithServedFontsAsync("h1, h2", ConsolePage.FontFamilyOf(language));
        await page.ScreenshotAsync($"console-people-{language}");

        await page.Page.Locator("a[href='/console/admin/clients']").ClickAsync();
        await page.SettledAsync();
        await Assertions.Expect(page.Page.Locator("tr[data-client='th-focal-point']")).ToHaveCountAsync(1);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-clients-{language}");

        // Webhooks: subscribe (the secret shown once), then the subscription's delivery log with a test event in it.
        await page.Page.Locator("a[href='/console/admin/webhooks']").ClickAsync();
        await page.SettledAsync();
        await page.Page.Locator("#webhook-url").FillAsync($"http://127.0.0.1:9/{language}/hooks");
        await page.Page.Locator("form[action*='handler=Create'] button[type=submit]").ClickAsync();
        await page.SettledAsync();
        await Assertions.Expect(page.Page.Locator("#webhook-secret")).ToHaveValueAsync(new Regex("^whsec_"));
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-webhooks-{language}");
        await page.Page.Locator("tr[data-webhook]", new() { HasTextString = $"{language}/hooks" }).Locator("form[action*='handler=Test'] button").ClickAsync();
        await page.SettledAsync();
        await Assertions.Expect(page.Page.Locator("tr[data-delivery]")).Not.ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-webhook-log-{language}");

        await page.Page.Locator("a[href='/console/admin/capacity']").ClickAsync();
        await page.SettledAsync();
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync($"console-capacity-{language}");

        await page.Page.Locator("a[href='/console/me']").ClickAsync();
        await page.SettledAsync();
        await page.AssertAccessibleAsync();
        page.AssertNoBrowserErrors();
    }

    /// <summary>Presses Tab until <paramref name="selector"/> has the focus, as a person without a mouse does (at most 80 presses).</summary>
    [Theory]
    [InlineData("en")]
    [InlineData("km")]
    [InlineData("lo")]
    [InlineData("my")]
    [InlineData("th")]
    public async Task The_surge_screening_queue_is_worked_from_the_keyboard(string language)
    {
        using (var thailand = await platform.ApiAsync("th-focal-point"))
        {
            using var created = await thailand.PostAsJsonAsync("/api/v1/referrals", new
            {
                subject = new { givenName = $"Queue{language}", sex = "female", nationality = "MM" },
                identifiedIn = "TH",
                identifiedAt = DateTimeOffset.UtcNow.AddHours(-1),
                exploitation = new[] { "forced-criminality" },
            });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        await using var context = await platform.NewContextAsync(language);
        var page = await ConsolePage.SignInAsync(context, "officer@th-focal-point");
        await page.Page.Locator("a[href='/console/screening']").ClickAsync();
        await page.ArrivedAsync(new Regex("/console/screening$"));
        var current = page.Page.Locator("section[data-referral]");
        for (var waited = 0; await current.CountAsync() == 0 && waited < 60; waited++)
        {
            await Task.Delay(250); // the referral list (a read model) is written shortly after the create
            await page.Page.ReloadAsync(new() { WaitUntil = WaitUntilState.NetworkIdle });
            await page.SettledAsync();
        }

        var screened = await current.GetAttributeAsync("data-referral");
        await page.AssertAccessibleAsync();
        await page.AssertDrawnWithServedFontsAsync("h1, h2, legend", ConsolePage.FontFamilyOf(language));
        await page.ScreenshotAsync($"console-screening-queue-{language}");

        // The first indicator has the focus: Space ticks it, Tab reaches Save and next, Enter saves and shows the next.
        Assert.True(await page.Page.EvaluateAsync<bool>("() => document.activeElement?.matches('input[name=indicators]') === true"));
        await page.Page.Keyboard.PressAsync("Space");
        await TabToAsync(page, "section[data-referral] button[type=submit]");
        await page.Page.Keyboard.PressAsync("Enter");
        // The post answers with a redirect to the queue, where the next referral is shown with the confirmation.
        await Assertions.Expect(page.Page.Locator("p.done[role=status]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await page.SettledAsync();
        Assert.NotEqual(screened, await current.CountAsync() == 0 ? null : await current.GetAttributeAsync("data-referral"));
        await page.AssertAccessibleAsync();
        page.AssertNoBrowserErrors();

        using var api = await platform.ApiAsync("th-focal-point");
        var referral = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/referrals/{screened}");
        Assert.Equal("screened", referral.GetProperty("stage").GetString());
    }

    private static async Task TabToAsync(ConsolePage page, string selector)
    {
        for (var presses = 0; presses < 80; presses++)
        {
            if (await page.Page.EvaluateAsync<bool>("s => document.activeElement !== null && document.activeElement.matches(s)", selector))
            {
                return;
            }

            await page.Page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"{selector} cannot be reached with the Tab key on {page.Page.Url}");
    }

    [GeneratedRegex("/console/referrals/[0-9a-f-]{36}$")]
    private static partial Regex ReferralPage();
}
