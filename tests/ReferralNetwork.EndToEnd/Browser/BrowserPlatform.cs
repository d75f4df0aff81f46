using System.Net.Http.Json;
using Microsoft.Playwright;
using ReferralNetwork.EndToEnd.Embedded;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Production;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>
/// The platform as a developer runs it (embedded profile, its own process) and Debian's Chromium, headless, on a
/// machine with no Noto fonts installed: what a page shows here it shows with the fonts the platform serves.
/// A class fixture: one platform and one browser for a test class, a fresh browser context per page.
/// </summary>
public sealed class BrowserPlatform : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private ThrowawayFolder? _folder;
    private SiloProcess? _platform;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the platform answers, without a trailing slash.</summary>
    public string BaseAddress { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), "chromium is missing: run .ci/install-deps.sh (./test.sh does)");
        _folder = ThrowawayFolder.Create("rn-browser");
        var settings = EmbeddedPlatform.Settings(Path.Combine(_folder.Path, "data"), "browser");
        settings["Dashboards__RefreshInterval"] = "00:00:01"; // a page opened right after the data it counts shows it
        settings["Intake__RowsPerRequest"] = "1"; // a list of two is imported over two requests: the page goes on by itself
        _platform = new SiloProcess("embedded", settings, _folder.Path);
        await _platform.StartAsync();
        BaseAddress = _platform.Http.BaseAddress!.ToString().TrimEnd('/');

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A client of the platform's API with a token of the demo client <paramref name="client"/> (client credentials).</summary>
    public async Task<HttpClient> ApiAsync(string client)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        using var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client, ["client_secret"] = EmbeddedPlatform.DemoSecret,
        }));
        var body = await token.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.True(token.IsSuccessStatusCode, body.ToString());
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", body.GetProperty("access_token").GetString());
        return http;
    }

    /// <summary>A new browser (its own cookies) whose language is <paramref name="language"/>, as its Accept-Language says.</summary>
    public Task<IBrowserContext> NewContextAsync(string language = "en") => Browser.NewContextAsync(new()
    {
        BaseURL = BaseAddress,
        Locale = language,
        ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = language },
        ViewportSize = new() { Width = 1024, Height = 720 },
    });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        _folder?.Dispose();
    }
}
