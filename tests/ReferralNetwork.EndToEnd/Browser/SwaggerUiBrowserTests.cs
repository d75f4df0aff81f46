using Microsoft.Playwright;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// Swagger UI in a real browser (Debian's chromium) on the platform as a developer runs it (embedded profile,
/// its own process): the Authorize button gets a token by client credentials and calls go through.
/// </summary>
public sealed class SwaggerUiBrowserTests(BrowserPlatform platform) : IClassFixture<BrowserPlatform>
{
    [Fact]
    public async Task A_partner_authorizes_with_client_credentials_and_tries_a_call()
    {
        await using var context = await platform.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/swagger/index.html");

        await page.Locator("button.authorize").First.ClickAsync();
        // The dialog offers both flows of the scheme; client credentials is the one without an authorization URL.
        var clientCredentials = page.Locator(".modal-ux .auth-container").Filter(new() { HasText = "Token URL", HasNotText = "Authorization URL" });
        await clientCredentials.Locator("input[id^='client_id']").FillAsync("vn-focal-point");
        await clientCredentials.Locator("input[id^='client_secret']").FillAsync("demo-secret");
        await clientCredentials.Locator(".auth-btn-wrapper button.authorize").ClickAsync();
        await Assertions.Expect(clientCredentials.Locator("button:has-text('Logout')")).ToBeVisibleAsync(); // the token was granted
        await page.Locator(".modal-ux button:has-text('Close')").First.ClickAsync();

        var operation = page.Locator("#operations-Organizations-ListOrganizations");
        await operation.Locator(".opblock-summary").ClickAsync();
        await operation.Locator("button.try-out__btn").ClickAsync();
        await operation.Locator("button.execute").ClickAsync();
        var status = operation.Locator(".live-responses-table .response .response-col_status").First;
        // The first call of a cold platform process compiles its queries; on a busy 2-core machine that outlasts Playwright's 5 s.
        await Assertions.Expect(status).ToHaveTextAsync("200", new() { Timeout = 30_000 });
        await Assertions.Expect(operation.Locator(".live-responses-table")).ToContainTextAsync("vn-ngo-reintegration");
    }
}
