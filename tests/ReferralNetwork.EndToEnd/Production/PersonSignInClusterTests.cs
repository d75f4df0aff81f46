using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OtpNet;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// People on the production profile: <c>create-admin</c> bootstraps an organization's first admin, who sets a
/// password and (production requires it of admins) a second factor; every step alternates between the two silos,
/// so each cookie and antiforgery token made by one is opened by the other (the shared Data Protection key ring).
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class PersonSignInClusterTests(ProductionCluster cluster) : IClassFixture<ProductionCluster>, IAsyncLifetime
{
    private const string ClientId = "th-case-web";
    private const string RedirectUri = "http://callback.test/cb";
    private const string Password = "a long passphrase of words";

    public async ValueTask InitializeAsync() => await cluster.EnsureRunningAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task The_first_admin_signs_in_with_a_second_factor_across_both_silos_and_the_token_works_on_either()
    {
        var email = $"first-admin-{Guid.NewGuid():N}@example.org";
        var directory = Path.Combine(cluster.Folder, $"web-client-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(directory, $$"""{ "clients": [{ "clientId": "{{ClientId}}", "organizationId": "th-focal-point", "redirectUris": ["{{RedirectUri}}"] }] }""");
        (await PlatformExecutable.RunAsync(cluster.Settings, "import-directory", directory)).EnsureSucceeded();
        var created = (await PlatformExecutable.RunAsync(cluster.Settings, "create-admin", "th-focal-point", email)).EnsureSucceeded();
        var link = new Uri(Regex.Match(created.Output, @"https://\S+/account/invitation\?token=\S+").Value);
        Assert.DoesNotContain(email, created.Output, StringComparison.Ordinal); // the command names the person by id only

        var (a, b) = (cluster.A.Http.BaseAddress!, cluster.B.Http.BaseAddress!);
        using var browser = new TestBrowser(new Dictionary<string, Func<HttpMessageHandler>>
        {
            [a.GetLeftPart(UriPartial.Authority)] = () => new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false },
            [b.GetLeftPart(UriPartial.Authority)] = () => new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false },
            ["http://callback.test"] = () => new Callback(),
        });

        // The invitation: form from A, password set through B.
        var invitation = await browser.GetAsync(new Uri(a, link.PathAndQuery).ToString());
        var set = await browser.SubmitAsync(On(b, invitation), new Dictionary<string, string> { ["password"] = Password, ["confirmation"] = Password });
        Assert.Equal(HttpStatusCode.OK, set.Status);

        // Sign-in starts at A; the password goes to B; the second factor is set up at A.
        var (verifier, challenge) = Pkce.New();
        var login = await browser.GetAsync(new Uri(a,
            $"/connect/authorize?client_id={ClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&response_type=code&scope=openid%20admin" +
            $"&code_challenge={challenge}&code_challenge_method=S256&state=s").ToString());
        Assert.Equal("/account/login", login.Url.AbsolutePath);
        var setUp = await browser.SubmitAsync(On(b, login), new Dictionary<string, string> { ["name"] = email, ["password"] = Password });
        Assert.Equal("/account/set-up-second-factor", setUp.Url.AbsolutePath);
        var key = Regex.Match(setUp.Html, "secret=([A-Z2-7]+)").Groups[1].Value;
        var done = await browser.SubmitAsync(On(a, setUp), new Dictionary<string, string> { ["code"] = new Totp(Base32Encoding.ToBytes(key)).ComputeTotp() });
        var resume = Regex.Match(done.Html, "href=\"(/connect/authorize[^\"]+)\"").Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        var callback = await browser.GetAsync(new Uri(b, resume).ToString());

        Assert.StartsWith(RedirectUri, callback.Url.AbsoluteUri, StringComparison.Ordinal);
        var code = System.Web.HttpUtility.ParseQueryString(callback.Url.Query)["code"]!;
        using var redeemed = await cluster.A.Http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = ClientId, ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
        }));
        var tokens = await redeemed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(redeemed.IsSuccessStatusCode, tokens.ToString());
        foreach (var silo in cluster.Silos)
        {
            // An admin's work: the organization's people (an admin does no case work: referrals would be a 403).
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/people");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
            using var answer = await silo.Http.SendAsync(request);
            var people = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{silo.Name}: {(int)answer.StatusCode} {people}");
            Assert.Contains(email, people, StringComparison.Ordinal);
        }
    }

    /// <summary>The same page as if it had been served by <paramref name="silo"/>: its form is submitted there.</summary>
    private static TestBrowser.Page On(Uri silo, TestBrowser.Page page) => page with { Url = new Uri(silo, page.Url.PathAndQuery) };

    private sealed class Callback : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("callback") });
    }
}
