using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.Tests.Support;

/// <summary>
/// A country's government identity provider, as the platform meets it: a second OpenID Connect server (OpenIddict, its
/// own keys and store) reached by the browser at <see cref="Site"/>, with its own sign-in form. Its accounts are civil
/// servants named by their e-mail address, some of whom sign in there with a second factor (<c>amr</c> = mfa).
/// </summary>
public sealed class GovernmentIdp : IAsyncDisposable
{
    public const string Site = "http://idp.test";
    public const string ClientId = "referral-network";

    /// <summary>TEST ONLY: the platform's secret at this provider.</summary>
    public const string ClientSecret = "test-only-idp-secret";

    private const string SessionScheme = "idp";

    private readonly WebApplication _app;
    private readonly SqliteConnection _store;

    private GovernmentIdp(WebApplication app, SqliteConnection store)
    {
        _app = app;
        _store = store;
    }

    /// <summary>A civil servant's account at the provider: the subject it gives, the e-mail address it asserts, how they signed in.</summary>
    public sealed record Account(string Subject, string Email, bool SecondFactor);

    /// <summary>Every identity token this provider issued, by the account that signed in (what the platform was told).</summary>
    public List<string> SignedIn { get; } = [];

    public HttpMessageHandler Handler() => _app.GetTestServer().CreateHandler();

    /// <summary>The configuration that makes <paramref name="name"/> the platform's provider for <paramref name="countries"/>.</summary>
    public static Dictionary<string, string> PlatformSettings(string name, params string[] countries)
    {
        var at = $"Identity:Federation:{name}";
        var settings = new Dictionary<string, string>
        {
            [$"{at}:DisplayName"] = "ThaiD (test)",
            [$"{at}:Authority"] = Site + "/",
            [$"{at}:ClientId"] = ClientId,
            [$"{at}:ClientSecret"] = ClientSecret,
        };
        for (var i = 0; i < countries.Length; i++)
        {
            settings[$"{at}:Countries:{i}"] = countries[i];
        }

        return settings;
    }

    public static async Task<GovernmentIdp> StartAsync(Uri platformCallback, IReadOnlyDictionary<string, Account> accounts)
    {
        var store = new SqliteConnection("Data Source=:memory:");
        await store.OpenAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddDbContext<Store>(o => o.UseSqlite(store).UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<Store>())
            .AddServer(server =>
            {
                server.SetIssuer(new Uri(Site + "/"))
                    .SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token");
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                server.RegisterScopes(Scopes.OpenId, Scopes.Email);
                server.AddEphemeralSigningKey().AddEphemeralEncryptionKey().DisableAccessTokenEncryption();
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });
        builder.Services.AddAuthentication(SessionScheme).AddCookie(SessionScheme, o =>
        {
            o.Cookie.Name = "idp-session";
            o.LoginPath = "/login";
        });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        var idp = new GovernmentIdp(app, store);
        app.UseAuthentication();
        app.UseAuthorization();

        // Its own sign-in form: the civil servant types their account name (this provider has no passwords to test).
        app.MapGet("/login", (string? returnUrl) => Results.Content(
            $"""<!doctype html><title>Government sign-in</title><form method="post" action="/login"><input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl)}"><input name="account"></form>""",
            "text/html"));
        app.MapPost("/login", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            if (!accounts.ContainsKey(form["account"].ToString()))
            {
                return Results.Content("No such account", statusCode: StatusCodes.Status401Unauthorized);
            }

            await http.SignInAsync(SessionScheme, new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, form["account"].ToString())], SessionScheme)));
            return Results.Redirect(form["returnUrl"].ToString());
        });
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], async (HttpContext http) =>
        {
            var session = await http.AuthenticateAsync(SessionScheme);
            if (!session.Succeeded)
            {
                return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.Path + http.Request.QueryString }, [SessionScheme]);
            }

            var name = session.Principal!.Identity!.Name!;
            var account = accounts[name];
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, account.Subject).SetClaim(Claims.Email, account.Email);
            identity.SetClaims("amr", account.SecondFactor ? ["pwd", "otp", "mfa"] : ["pwd"]);
            identity.SetScopes(http.GetOpenIddictServerRequest()!.GetScopes());
            identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
            idp.SignedIn.Add(name);
            return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var granted = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            return Results.SignIn(granted.Principal!, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Store>().Database.EnsureCreatedAsync();
            await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                ClientType = ClientTypes.Confidential,
                RedirectUris = { platformCallback },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code, Permissions.Scopes.Email,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            });
        }

        await app.StartAsync();
        return idp;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
    }

    private sealed class Store(DbContextOptions<Store> options) : DbContext(options);
}
