using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.Tests.Support;

/// <summary>
/// A person's sign-in through the authorization code flow with PKCE, done by hand (what a stock client does, see
/// <see cref="PartnerWebApp"/>), for tests that need a person's token rather than the flow itself.
/// </summary>
public sealed class PersonLogin : IDisposable
{
    public const string ClientId = "test-person-login";
    public const string RedirectUri = "http://callback.test/cb";

    private readonly PlatformFactory _platform;
    private readonly string _clientId;

    private PersonLogin(PlatformFactory platform, TestBrowser browser, string clientId)
    {
        _platform = platform;
        _clientId = clientId;
        Browser = browser;
    }

    /// <summary>The browser of the sign-in (its cookies are the person's session on the platform).</summary>
    public TestBrowser Browser { get; }

    /// <summary>A sign-in through <paramref name="clientId"/>, registered (for <paramref name="organization"/>'s people only, when given) if missing.</summary>
    public static async Task<PersonLogin> ForAsync(PlatformFactory platform, string clientId = ClientId, Organization? organization = null)
    {
        await using (var scope = platform.Services.CreateAsyncScope())
        {
            await PartnerClients.CreateSignInClientIfMissingAsync(
                scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), clientId, "Test sign-in", organization,
                [new Uri(RedirectUri)], [], CancellationToken.None);
        }

        return new PersonLogin(platform, new TestBrowser(new Dictionary<string, Func<HttpMessageHandler>>
        {
            [PlatformFactory.Issuer.TrimEnd('/')] = () => platform.Server.CreateHandler(),
            ["http://callback.test"] = () => new Callback(),
        }), clientId);
    }

    /// <summary>Starts the flow: the page the authorization endpoint leads to (the sign-in page, unless a session exists).</summary>
    public async Task<(TestBrowser.Page Page, string Verifier)> StartAsync(string scope = "openid offline_access")
    {
        var (verifier, challenge) = Pkce.New();
        var page = await Browser.GetAsync(
            $"{PlatformFactory.Issuer}connect/authorize?client_id={_clientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&response_type=code" +
            $"&scope={Uri.EscapeDataString(scope)}&code_challenge={challenge}&code_challenge_method=S256&state=s");
        return (page, verifier);
    }

    public Task<TestBrowser.Page> PasswordAsync(TestBrowser.Page login, string name, string password) =>
        Browser.SubmitAsync(login, new Dictionary<string, string> { ["name"] = name, ["password"] = password });

    /// <summary>The code the flow ended with (the callback page), exchanged for tokens with the verifier.</summary>
    public async Task<JsonElement> RedeemAsync(TestBrowser.Page callback, string verifier)
    {
        Assert.True(callback.Url.AbsoluteUri.StartsWith(RedirectUri, StringComparison.Ordinal), $"The flow ended at {callback.Url} ({callback.Status}): {callback.Html}");
        var code = System.Web.HttpUtility.ParseQueryString(callback.Url.Query)["code"] ?? throw new InvalidOperationException($"No code in {callback.Url}");
        return await TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = _clientId, ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
        });
    }

    public async Task<JsonElement> TokenAsync(Dictionary<string, string> form)
    {
        using var client = _platform.CreateClient();
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode ? body : throw new TokenRefusedException(response.StatusCode, body);
    }

    /// <summary>Signs in with name and password (no second factor) and answers the access token.</summary>
    public static async Task<string> AccessTokenAsync(PlatformFactory platform, string name, string password, string clientId = ClientId, Organization? organization = null)
    {
        using var login = await ForAsync(platform, clientId, organization);
        var (page, verifier) = await login.StartAsync();
        var tokens = await login.RedeemAsync(await login.PasswordAsync(page, name, password), verifier);
        return tokens.GetProperty("access_token").GetString()!;
    }

    public void Dispose() => Browser.Dispose();

    /// <summary>The client's redirect target: it only has to answer, the test reads the code from the address.</summary>
    private sealed class Callback : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("callback") });
    }
}

public sealed class TokenRefusedException(HttpStatusCode status, JsonElement body) : Exception($"The token endpoint answered {(int)status}: {body}")
{
    public JsonElement Body { get; } = body;
}
