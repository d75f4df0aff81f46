using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Console;

/// <summary>The console's pages over HTTP: public landing page, language choice, headers, static files. The browser tests look.</summary>
public sealed partial class ConsolePageTests(SharedPlatform platform)
{
    [Fact]
    public async Task The_platforms_address_leads_to_the_sign_in_page_which_is_public_english_by_default_and_never_cached()
    {
        using var first = await Browser(redirects: false).GetAsync("/");
        using var client = Browser();

        using var response = await client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/console", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/account/login", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("en", HtmlLang(html));
        Assert.Contains("Sign in", html, StringComparison.Ordinal);
        Assert.Contains("This platform helps focal points", html, StringComparison.Ordinal); // what the platform is for, before signing in
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        var policy = Header(response, "Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("th-TH,th;q=0.9,en;q=0.5", "th", "เข้าสู่ระบบ")]
    [InlineData("km-KH", "km", "ចូលប្រើ")]
    [InlineData("my", "my", "အကောင့်ဝင်ရန်")]
    [InlineData("fr-FR,fr;q=0.9", "en", "Sign in")]
    public async Task Without_a_choice_the_browser_language_is_used_when_the_console_speaks_it(string acceptLanguage, string lang, string signIn)
    {
        using var client = Browser();
        client.DefaultRequestHeaders.Add("Accept-Language", acceptLanguage);

        var html = await client.GetStringAsync("/");

        Assert.Equal(lang, HtmlLang(html));
        Assert.Contains(signIn, html, StringComparison.Ordinal); // as text, not as &#x…; escapes
    }

    [Fact]
    public async Task A_language_chosen_with_the_chooser_wins_over_the_browser_language_and_returns_to_the_page()
    {
        using var client = Browser(redirects: false);
        client.DefaultRequestHeaders.Add("Accept-Language", "th-TH");

        using var choice = await ChooseAsync(client, "lo", "/language?from=landing");
        var html = await client.GetStringAsync("/account/login");

        Assert.Equal(HttpStatusCode.Redirect, choice.StatusCode);
        Assert.Equal("/language?from=landing", choice.Headers.Location?.OriginalString);
        var cookie = Assert.Single(choice.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.Contains("max-age=31536000", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("lo", HtmlLang(html));
        Assert.Contains("ເຂົ້າສູ່ລະບົບ", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("http:evil.example")]
    [InlineData("")]
    public async Task The_chooser_returns_only_to_a_page_of_this_site(string returnUrl)
    {
        using var client = Browser(redirects: false);

        using var choice = await ChooseAsync(client, "vi", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, choice.StatusCode);
        Assert.Equal("/", choice.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_language_choice_without_the_antiforgery_token_or_of_an_unknown_language_is_refused()
    {
        using var client = Browser(redirects: false);

        using var forged = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "vi", ["returnUrl"] = "/" }));
        using var unknown = await ChooseAsync(client, "fr", "/");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(forged.Headers.Contains("Set-Cookie") && forged.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task The_api_keeps_its_own_answers_beside_the_console()
    {
        using var client = Browser();
        client.DefaultRequestHeaders.Add("Accept-Language", "th-TH");

        using var anonymous = await client.GetAsync("/api/v1/referrals");

        await Problem.AssertAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
        // Not the console's page policy: only what every answer carries, that it is never framed.
        Assert.Equal("frame-ancestors 'none'", Assert.Single(anonymous.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task The_stylesheet_and_every_font_it_names_are_fingerprinted_public_and_cached_for_a_year()
    {
        using var client = Browser();
        var html = await client.GetStringAsync("/");
        var stylesheet = Stylesheet().Match(html).Groups["href"].Value;

        using var css = await client.GetAsync(stylesheet);
        var fonts = FontUrl().Matches(await css.Content.ReadAsStringAsync()).Select(m => m.Groups["url"].Value).ToList();

        Assert.Matches(@"^/console\.[a-z0-9]{10}\.css$", stylesheet);
        AssertCachedForAYear(css);
        Assert.Equal(4 * 2 + 2 * 2 + 4, fonts.Count); // four scripts and Latin + Vietnamese, regular and bold; four language names
        foreach (var font in fonts)
        {
            using var response = await client.GetAsync(new Uri(new Uri("http://localhost" + stylesheet), font));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{font}: {(int)response.StatusCode}");
            Assert.Equal("font/woff2", response.Content.Headers.ContentType?.MediaType);
            AssertCachedForAYear(response);
        }
    }

    private HttpClient Browser(bool redirects = true) =>
        platform.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = redirects, HandleCookies = true });

    /// <summary>What the chooser's form does (here on the public sign-in page): the page's antiforgery token and cookie, then the post.</summary>
    private static async Task<HttpResponseMessage> ChooseAsync(HttpClient client, string culture, string returnUrl)
    {
        var page = await client.GetStringAsync("/account/login");
        var token = AntiforgeryToken().Match(page).Groups["token"].Value;
        return await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = culture,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = token,
        }));
    }

    private static void AssertCachedForAYear(HttpResponseMessage response)
    {
        var cache = response.Headers.CacheControl;
        Assert.True(cache?.MaxAge == TimeSpan.FromDays(365) && cache.Extensions.Any(e => e.Name == "immutable"), $"{response.RequestMessage?.RequestUri}: Cache-Control {cache}");
    }

    private static string HtmlLang(string html) => HtmlLangAttribute().Match(html).Groups["lang"].Value;

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "";

    [GeneratedRegex("<html lang=\"(?<lang>[^\"]+)\"")]
    private static partial Regex HtmlLangAttribute();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"(?<href>[^\"]+)\"")]
    private static partial Regex Stylesheet();

    [GeneratedRegex("url\\(\"(?<url>[^\"]+)\"\\)")]
    private static partial Regex FontUrl();
}
