using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using ReferralNetwork.Identity;
using ReferralNetwork.People;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.WebConsole;

/// <summary>
/// The console is the first client of the platform's own OpenID Connect server (DESIGN §7): a public client that
/// signs people in with the authorization code flow and PKCE, through the stock ASP.NET Core handler, exactly as a
/// partner's web application would. What it keeps is a console cookie holding the claims of the person's token
/// (organization, country, kind, roles, scopes) and when they signed in: no personal data, and no token.
/// </summary>
public static class ConsoleSignIn
{
    /// <summary>The console's session cookie, and the scheme and policy of every signed-in page.</summary>
    public const string Scheme = "console";

    public const string ChallengeScheme = "console-oidc";

    public const string ClientId = "console";

    public const string CallbackPath = "/console/signin-oidc";

    /// <summary>Claim of the console cookie: when the person signed in (a revocation after that ends the session).</summary>
    public const string SignedInClaim = "rn_signed_in";

    /// <summary>An idle console on a shared computer at a border post signs the person out after this long.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    public static WebApplicationBuilder AddConsoleSignIn(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConsoleTokenServer>();
        builder.Services.AddHostedService<ConsoleClientRegistration>();
        builder.Services.AddHttpClient(ConsoleTokenServer.HttpClientName);
        builder.Services.AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = "rn.console";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Cookie.Path = "/";
                o.ExpireTimeSpan = IdleTimeout;
                o.SlidingExpiration = true;
                o.ForwardChallenge = ChallengeScheme;
                o.Events.OnValidatePrincipal = RefuseRevokedAsync;
            })
            .AddOpenIdConnect(ChallengeScheme, o =>
            {
                o.SignInScheme = Scheme;
                o.ClientId = ClientId;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query; // a plain redirect: no self-posting form with inline script
                o.UsePkce = true;
                o.CallbackPath = CallbackPath;
                o.Scope.Clear();
                o.Scope.Add(OpenIddictConstants.Scopes.OpenId); // no API scope asked for: the person gets what their roles allow
                o.SaveTokens = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = false;
                o.DisableTelemetry = true;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.Events.OnRedirectToIdentityProvider = context =>
                {
                    // The sign-in page is on the address the browser already uses; every challenge asks for the
                    // password again, so an idle console does not reopen through the token server's longer session.
                    context.ProtocolMessage.IssuerAddress = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/connect/authorize";
                    context.ProtocolMessage.Prompt = PromptValues.Login;
                    return Task.CompletedTask;
                };
                o.Events.OnAuthorizationCodeReceived = context =>
                {
                    context.TokenEndpointRequest!.TokenEndpoint = context.HttpContext.RequestServices.GetRequiredService<ConsoleTokenServer>().TokenEndpointFor(context.Request);
                    return Task.CompletedTask;
                };
                o.Events.OnTokenValidated = KeepTokenClaims;
                o.Events.OnRemoteFailure = context =>
                {
                    // A sign-in that went wrong (a stale tab, a refused account) starts again from the console.
                    context.Response.Redirect("/console");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });

        // The handler makes its configuration manager from Configuration in its own post-configure step: the
        // configuration (this server's endpoints and keys, no discovery round trip) is set before that, here.
        builder.Services.AddOptions<OpenIdConnectOptions>(ChallengeScheme)
            .Configure<IOptions<OpenIddictServerOptions>, ConsoleTokenServer, IHttpClientFactory>((o, server, tokenServer, http) =>
            {
                o.Backchannel = http.CreateClient(ConsoleTokenServer.HttpClientName);
                var keys = server.Value.SigningCredentials.Select(c => c.Key).ToList();
                var configuration = new OpenIdConnectConfiguration { AuthorizationEndpoint = "/connect/authorize", TokenEndpoint = "/connect/token" };
                foreach (var key in keys)
                {
                    configuration.SigningKeys.Add(key);
                }

                o.Configuration = configuration;
                o.TokenValidationParameters.IssuerSigningKeys = keys;

                // With a fixed issuer (production requires one) the identity token must name it. Without one (a developer's
                // machine) the issuer is whatever address the browser used, and the token comes straight from this host's
                // own token endpoint, signed with its own keys: the signature is the check.
                o.TokenValidationParameters.IssuerValidator = (issuer, _, _) => !tokenServer.HasFixedIssuer || tokenServer.IsIssuer(issuer)
                    ? issuer
                    : throw new SecurityTokenInvalidIssuerException($"The identity token comes from {issuer}, not from this platform.");
            });

        builder.Services.AddAuthorizationBuilder().AddPolicy(Scheme, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return builder;
    }

    /// <summary>The console cookie holds the token's claims (nothing personal) and the moment of signing in; not the token.</summary>
    private static async Task KeepTokenClaims(TokenValidatedContext context)
    {
        var token = context.Principal!;
        var identity = new ClaimsIdentity(Scheme, Claims.Subject, Claims.Role);
        foreach (var type in new[] { Claims.Subject, TokenClaims.SubjectKind, TokenClaims.Organization, TokenClaims.Country, TokenClaims.OrganizationKind, Claims.Role, TokenClaims.PersonRole })
        {
            identity.AddClaims(token.FindAll(type).Select(c => new Claim(type, c.Value)));
        }

        // The scopes are those of the access token the same answer carried (the identity token has none).
        if (context.TokenEndpointResponse?.AccessToken is { } accessToken && new JsonWebToken(accessToken).TryGetPayloadValue<string>(Claims.Scope, out var scopes))
        {
            identity.AddClaims(scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(Claims.Private.Scope, s)));
        }

        // The person's own time zone, if they chose one: pages show times in it (an IANA name, nothing personal).
        if (identity.FindFirst(Claims.Subject)?.Value is { } person
            && await context.HttpContext.RequestServices.GetRequiredService<UserManager<Person>>().FindByIdAsync(person) is { TimeZone: { Length: > 0 } zone })
        {
            identity.AddClaim(new Claim(PersonTime.ZoneClaim, zone));
        }

        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        identity.AddClaim(new Claim(SignedInClaim, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        context.Principal = new ClaimsPrincipal(identity);
        context.Properties!.IsPersistent = false;
    }

    /// <summary>Signing out anywhere, or being disabled, ends the console session at its next request.</summary>
    private static async Task RefuseRevokedAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal!;
        var subject = principal.FindFirstValue(Claims.Subject);
        var revoked = subject is null
            || !long.TryParse(principal.FindFirstValue(SignedInClaim), out var seconds)
            || context.HttpContext.RequestServices.GetRequiredService<RevocationList>().IsRevoked(subject, DateTimeOffset.FromUnixTimeSeconds(seconds));
        if (revoked)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}

/// <summary>
/// Where the console redeems codes: <c>Console:TokenServer</c>, else this host's own listening address (codes never
/// leave the machine). The issuer of the tokens is the fixed <c>Identity:Issuer</c>, or that address when none is set.
/// </summary>
public sealed class ConsoleTokenServer(IConfiguration configuration, IServer server, TokenServerOptions tokens)
{
    public const string HttpClientName = "console-token-server";

    private string? _address;

    /// <summary>The token server's base address, with a trailing slash.</summary>
    public string Address => _address ??= Resolve();

    public bool HasFixedIssuer => tokens.Issuer is not null;

    /// <summary>
    /// Where to redeem a code the browser brought to <paramref name="callback"/>: <c>Console:TokenServer</c> or, with a
    /// fixed issuer, this host's own address; without one, the address the browser used, since a code is redeemed only
    /// at the issuer that issued it and that issuer is then the browser's address (<c>localhost</c> or <c>127.0.0.1</c>).
    /// </summary>
    public string TokenEndpointFor(HttpRequest callback) =>
        configuration["Console:TokenServer"] is not { Length: > 0 } && !HasFixedIssuer && IsLoopback(callback.Host.Host)
            ? $"{callback.Scheme}://{callback.Host}{callback.PathBase}/connect/token"
            : Address + "connect/token";

    /// <summary>Only this machine's own names: a Host header cannot send the code and its verifier anywhere else.</summary>
    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address);

    public bool IsIssuer(string issuer) =>
        string.Equals(issuer.TrimEnd('/'), (tokens.Issuer?.AbsoluteUri ?? Address).TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private string Resolve()
    {
        if (configuration["Console:TokenServer"] is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/') + "/";
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The host listens nowhere; set Console:TokenServer.");
        return Loopback(listening).TrimEnd('/') + "/";
    }

    /// <summary>A wildcard listening address (<c>http://+:8080</c>, <c>http://0.0.0.0:8080</c>, <c>http://[::]:8080</c>) as one to connect to.</summary>
    internal static string Loopback(string address) => address
        .Replace("://+:", "://localhost:", StringComparison.Ordinal)
        .Replace("://*:", "://localhost:", StringComparison.Ordinal)
        .Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal)
        .Replace("://[::]:", "://localhost:", StringComparison.Ordinal);
}

/// <summary>
/// Registers the console as a public client of the token server once the host listens: redirect addresses on the
/// issuer's origin and on every address this host listens on (a silo adds its own; none is removed).
/// </summary>
internal sealed class ConsoleClientRegistration(IServiceScopeFactory scopes, IServer server, TokenServerOptions tokens, ILogger<ConsoleClientRegistration> logger)
    : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (tokens.Issuer is { } issuer)
        {
            origins.Add(issuer.GetLeftPart(UriPartial.Authority));
        }

        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var origin = ConsoleTokenServer.Loopback(address).TrimEnd('/');
            origins.Add(origin);
            origins.Add(origin.Replace("://127.0.0.1:", "://localhost:", StringComparison.Ordinal));
            origins.Add(origin.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal));
        }

        var redirects = origins.Select(o => new Uri(o + ConsoleSignIn.CallbackPath)).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RegisterAsync(applications, redirects, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is OpenIddictExceptions.ConcurrencyException or OpenIddictExceptions.ValidationException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                // Silos starting together: another one created the client or added its addresses at the same moment.
                // Read theirs and add ours again; should that keep failing, the API still serves and the console of
                // this silo's own addresses waits for the next start, which is better than a silo that does not start.
                if (attempt >= 5)
                {
                    logger.LogError(ex, "The console client could not be registered with this silo's addresses");
                    return;
                }

                logger.LogInformation(ex, "The console client changed under us; registering again");
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    private static async Task RegisterAsync(IOpenIddictApplicationManager applications, List<Uri> redirects, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(ConsoleSignIn.ClientId, cancellationToken) is not { } existing)
        {
            await PartnerClients.CreateSignInClientIfMissingAsync(
                applications, ConsoleSignIn.ClientId, "ReferralNetwork console", organization: null, redirects, [], cancellationToken);
            return;
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, existing, cancellationToken);
        if (redirects.All(descriptor.RedirectUris.Contains))
        {
            return;
        }

        descriptor.RedirectUris.UnionWith(redirects);
        await applications.UpdateAsync(existing, descriptor, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
