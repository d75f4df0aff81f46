using System.Net;
using System.Text.RegularExpressions;

namespace ReferralNetwork.Testing;

/// <summary>
/// What a browser does that an HttpClient does not, over in-process hosts: one cookie jar across them, redirects
/// followed from one host to another, and forms read from pages and submitted with their hidden fields
/// (antiforgery token included). Each host is reached by its authority (<c>http://localhost</c>, …).
/// </summary>
public sealed partial class TestBrowser(IReadOnlyDictionary<string, Func<HttpMessageHandler>> hosts) : IDisposable
{
    private readonly CookieContainer _cookies = new();
    private readonly Dictionary<string, HttpClient> _clients = [];

    /// <summary>Where the last request ended, after redirects.</summary>
    public Uri? Location { get; private set; }

    public CookieCollection Cookies(Uri site) => _cookies.GetCookies(site);

    public async Task<Page> GetAsync(string url) => await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>
    /// Submits the page's form (the first but the layout's language chooser, or the one whose action contains
    /// <paramref name="action"/>) with fields set.
    /// </summary>
    public async Task<Page> SubmitAsync(Page page, IReadOnlyDictionary<string, string> fields, string? action = null)
    {
        var form = FormPattern().Matches(page.Html).FirstOrDefault(m => action is null ? !m.Value[..m.Value.IndexOf('>')].Contains("action=\"/language\"", StringComparison.Ordinal) : m.Groups["action"].Value.Contains(action, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form on {page.Url}:\n{page.Html}");
        var values = InputPattern().Matches(form.Value)
            .Select(m => m.Value)
            .Where(input => input.Contains("type=\"hidden\"", StringComparison.Ordinal))
            .ToDictionary(input => Attribute(input, "name"), input => Attribute(input, "value"));
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        var target = form.Groups["action"].Value is { Length: > 0 } path ? new Uri(page.Url, WebUtility.HtmlDecode(path)) : page.Url;
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(values) });
    }

    public async Task<Page> SendAsync(HttpRequestMessage request)
    {
        for (var hops = 0; hops < 20; hops++)
        {
            var uri = request.RequestUri!;
            var cookieHeader = _cookies.GetCookieHeader(uri);
            if (cookieHeader.Length > 0)
            {
                request.Headers.Add("Cookie", cookieHeader);
            }

            using var response = await Client(uri).SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    _cookies.SetCookies(uri, setCookie);
                }
            }

            if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } next)
            {
                var target = next.IsAbsoluteUri ? next : new Uri(uri, next);
                request = (int)response.StatusCode is 307 or 308 && request.Content is { } content
                    ? new HttpRequestMessage(request.Method, target) { Content = content }
                    : new HttpRequestMessage(HttpMethod.Get, target);
                continue;
            }

            Location = uri;
            return new Page(uri, response.StatusCode, await response.Content.ReadAsStringAsync()) { CacheControl = response.Headers.CacheControl?.ToString() };
        }

        throw new InvalidOperationException($"More than 20 redirects from {request.RequestUri}.");
    }

    private HttpClient Client(Uri uri)
    {
        var authority = uri.GetLeftPart(UriPartial.Authority);
        if (!_clients.TryGetValue(authority, out var client))
        {
            var handler = hosts.TryGetValue(authority, out var make) ? make() : throw new InvalidOperationException($"The browser knows no host {authority}.");
            // A page may work for minutes (the console's bulk intake of a thousand people on a busy machine).
            _clients[authority] = client = new HttpClient(handler) { BaseAddress = new Uri(authority), Timeout = TimeSpan.FromMinutes(10) };
        }

        return client;
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    public sealed record Page(Uri Url, HttpStatusCode Status, string Html)
    {
        /// <summary>The answer's Cache-Control header, as sent (a page of personal data must say no-store).</summary>
        public string? CacheControl { get; init; }
    }

    // The action is read wherever it stands among the form's attributes (a lookahead), or left empty when there is none.
    [GeneratedRegex("""<form(?:(?=[^>]*\saction="(?<action>[^"]*)"))?[^>]*>.*?</form>""", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    private static string Attribute(string element, string name) =>
        Regex.Match(element, "\\s" + name + "=\"(?<v>[^\"]*)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["v"].Value) : "";

    [GeneratedRegex("<input[^>]*>")]
    private static partial Regex InputPattern();
}
