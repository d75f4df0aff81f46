using System.Net;
using System.Text.RegularExpressions;

namespace ReferralNetwork.Tests.Support;

/// <summary>
/// A person at the web console of an in-process platform: a browser (one cookie jar, redirects followed) that signs in
/// through the console's own authorization code flow, then opens pages and submits their forms.
/// </summary>
public sealed partial class ConsoleSession : IDisposable
{
    private ConsoleSession(PlatformFactory platform, string? language, IReadOnlyDictionary<string, Func<HttpMessageHandler>>? otherSites = null)
    {
        var sites = new Dictionary<string, Func<HttpMessageHandler>>(otherSites ?? new Dictionary<string, Func<HttpMessageHandler>>())
        {
            [PlatformFactory.Issuer.TrimEnd('/')] = () => new LanguageHandler(language) { InnerHandler = platform.Server.CreateHandler() },
        };
        Browser = new TestBrowser(sites);
    }

    /// <summary>A browser not yet signed in, which also reaches <paramref name="otherSites"/> (an identity provider, …) by their authority.</summary>
    public static ConsoleSession Open(PlatformFactory platform, IReadOnlyDictionary<string, Func<HttpMessageHandler>> otherSites) => new(platform, null, otherSites);

    public TestBrowser Browser { get; }

    public static string Site(string path) => PlatformFactory.Issuer.TrimEnd('/') + path;

    /// <summary>Opens the console, signs in with the demo password, and answers the page the console lands on.</summary>
    public static async Task<(ConsoleSession Session, TestBrowser.Page Home)> SignInAsync(PlatformFactory platform, string name, string? language = null, string password = "demo-password")
    {
        var session = new ConsoleSession(platform, language);
        var login = await session.Browser.GetAsync(Site("/console"));
        Assert.True(login.Url.AbsolutePath == "/account/login", $"The console did not lead to the sign-in page but to {login.Url} ({login.Status})");
        var home = await session.Browser.SubmitAsync(login, new Dictionary<string, string> { ["name"] = name, ["password"] = password });
        return (session, home);
    }

    public Task<TestBrowser.Page> GetAsync(string path) => Browser.GetAsync(Site(path));

    /// <summary>Submits the form of <paramref name="page"/> whose action contains <paramref name="action"/> (e.g. <c>handler=Consent</c>).</summary>
    public Task<TestBrowser.Page> SubmitAsync(TestBrowser.Page page, string action, IReadOnlyDictionary<string, string>? fields = null) =>
        Browser.SubmitAsync(page, fields ?? new Dictionary<string, string>(), action);

    /// <summary>The text of the element marked <c>data-field="name"</c> (the first one), tags stripped.</summary>
    public static string Field(TestBrowser.Page page, string name)
    {
        var match = Regex.Match(page.Html, $"data-field=\"{name}\"[^>]*>(?<v>.*?)</(td|dd|p)>", RegexOptions.Singleline);
        Assert.True(match.Success, $"No data-field=\"{name}\" on {page.Url}");
        return WebUtility.HtmlDecode(Tags().Replace(match.Groups["v"].Value, "")).Trim();
    }

    /// <summary>The referral a referral page shows (from its address).</summary>
    public static Guid ReferralOf(TestBrowser.Page page) =>
        Guid.Parse(ReferralPath().Match(page.Url.AbsolutePath) is { Success: true } m ? m.Groups["id"].Value : throw new InvalidOperationException($"Not a referral page: {page.Url}"));

    public void Dispose() => Browser.Dispose();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("^/console/referrals/(?<id>[0-9a-f-]{36})")]
    private static partial Regex ReferralPath();

    /// <summary>The browser's language, as its Accept-Language says.</summary>
    private sealed class LanguageHandler(string? language) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (language is not null)
            {
                request.Headers.AcceptLanguage.ParseAdd(language);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
