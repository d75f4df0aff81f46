using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenIddict.Abstractions;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;
using Microsoft.EntityFrameworkCore;

namespace ReferralNetwork.Tests.Support;

/// <summary>
/// A partner's web application, built as any ASP.NET Core application would be: cookies plus the stock
/// <c>AddOpenIdConnect</c> handler (authorization code, PKCE) pointed at the platform, reached by the browser at
/// <see cref="Site"/>. Its pages call the platform's API with the token the person got.
/// </summary>
public sealed class PartnerWebApp : IAsyncDisposable
{
    public const string Site = "http://partner.test";

    private readonly WebApplication _app;

    private PartnerWebApp(WebApplication app, string clientId)
    {
        _app = app;
        ClientId = clientId;
    }

    public string ClientId { get; }

    public TestServer Server => _app.GetTestServer();

    /// <summary>Registers a sign-in client on <paramref name="platform"/> (for <paramref name="organizationId"/>'s people, or everyone's) and starts the application.</summary>
    public static async Task<PartnerWebApp> StartAsync(PlatformFactory platform, string? organizationId)
    {
        var clientId = $"partner-web-{Guid.NewGuid():N}";
        await using (var scope = platform.Services.CreateAsyncScope())
        {
            var organization = organizationId is null ? null
                : await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Organizations.SingleAsync(o => o.Id == organizationId);
            await PartnerClients.CreateSignInClientIfMissingAsync(
                scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), clientId, "Partner case system", organization,
                [new Uri($"{Site}/signin-oidc")], [new Uri($"{Site}/signout-callback-oidc")], CancellationToken.None);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(o =>
            {
                o.Authority = PlatformFactory.Issuer;
                o.RequireHttpsMetadata = false;
                o.BackchannelHttpHandler = platform.Server.CreateHandler();
                o.ClientId = clientId;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.ResponseMode = "query";
                o.SaveTokens = true;
                o.MapInboundClaims = false;
                o.Scope.Add("offline_access");

                // Over plain http in process: the correlation and nonce cookies cannot be Secure (SameSite=None needs it);
                // a query response is a top-level GET, which Lax cookies follow.
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.Scope.Add(Scopes.ReferralsRead);
                o.Scope.Add(Scopes.ReferralsWrite);
            });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        // The partner's own pages: each calls the platform with the signed-in person's access token.
        app.MapGet("/referrals", (HttpContext http, CancellationToken _) => RelayAsync(http, platform, HttpMethod.Get, "/api/v1/referrals")).RequireAuthorization();
        app.MapGet("/create", (HttpContext http, CancellationToken _) => RelayAsync(http, platform, HttpMethod.Post, "/api/v1/referrals", ReferralRequests.VietnameseWoman())).RequireAuthorization();
        app.MapGet("/history/{id:guid}", (HttpContext http, Guid id) => RelayAsync(http, platform, HttpMethod.Get, $"/api/v1/referrals/{id}/history")).RequireAuthorization();
        app.MapGet("/token", async (HttpContext http) => await http.GetTokenAsync("access_token")).RequireAuthorization();
        await app.StartAsync();
        return new PartnerWebApp(app, clientId);
    }

    private static async Task<IResult> RelayAsync(HttpContext http, PlatformFactory platform, HttpMethod method, string path, object? body = null)
    {
        using var client = platform.CreateClient();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: Json.Options) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await http.GetTokenAsync("access_token"));
        using var response = await client.SendAsync(request);
        return Results.Content(await response.Content.ReadAsStringAsync(), "application/json", statusCode: (int)response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
