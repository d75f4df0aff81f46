using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using ReferralNetwork.Hosting;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.People;

/// <summary>
/// A country's own identity provider (a government IdP), configured under <c>Identity:Federation:&lt;name&gt;</c>: the people of
/// that country's organizations sign in there instead of with a password here. The provider's answer is mapped to a
/// platform person by one claim (by default <c>email</c>) compared with the person's user name or e-mail; the person must
/// already exist (an admin invited them), be enabled and belong to an organization of one of the provider's countries.
/// Nothing of the provider's answer is kept: the platform's session and tokens are the person's own, as after a password.
/// </summary>
public sealed class FederatedProvider
{
    /// <summary>What the sign-in page's button says: "Sign in with …".</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The countries (ISO codes, e.g. <c>TH</c>) whose organizations' people sign in through this provider.</summary>
    public List<string> Countries { get; set; } = [];

    /// <summary>The provider's issuer; its discovery document is read from <c>.well-known/openid-configuration</c> under it.</summary>
    public Uri? Authority { get; set; }

    public string ClientId { get; set; } = "";

    /// <summary>The platform's secret at the provider (from a mounted secret in production); none for a public client (PKCE alone).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The provider's claim that names the person: compared with the user name or e-mail of the platform's people.</summary>
    public string PersonClaim { get; set; } = "email";

    /// <summary>Scopes asked for besides <c>openid</c>: whatever makes the provider put <see cref="PersonClaim"/> in the identity token.</summary>
    public List<string> Scopes { get; set; } = ["email"];

    /// <summary>
    /// The <c>amr</c> values (RFC 8176) of the provider's answer that count as a second factor. A person who must have one and
    /// signed in without it there still gives the platform's own second factor.
    /// </summary>
    public List<string> SecondFactorMethods { get; set; } = ["mfa"];

    /// <summary>Whether the people of these countries may also sign in with a password here; by default only through the provider.</summary>
    public bool PasswordsToo { get; set; }
}

/// <summary>The federated providers, their authentication schemes and the mapping of their answers to people.</summary>
public sealed partial class Federation(IReadOnlyDictionary<string, FederatedProvider> providers)
{
    /// <summary>The scheme of a provider's OpenID Connect handler: <c>federation-&lt;name&gt;</c>.</summary>
    public static string SchemeOf(string name) => "federation-" + name;

    /// <summary>Where a provider sends the browser back with its code.</summary>
    public static string CallbackOf(string name) => "/signin-federation/" + name;

    /// <summary>Where the provider's name travels from the challenge to the end of the sign-in (inside the protected state).</summary>
    public const string ProviderItem = "federation";

    public IReadOnlyDictionary<string, FederatedProvider> Providers => providers;

    /// <summary>The provider through which the people of <paramref name="country"/> sign in, if any.</summary>
    public (string Name, FederatedProvider Provider)? ForCountry(string country) =>
        providers.Where(p => p.Value.Countries.Contains(country, StringComparer.OrdinalIgnoreCase))
            .Select(p => ((string, FederatedProvider)?)(p.Key, p.Value))
            .FirstOrDefault();

    public static Federation From(IConfiguration configuration) =>
        new(configuration.GetSection(Section).Get<Dictionary<string, FederatedProvider>>() ?? []);

    public const string Section = TokenServerOptions.Section + ":Federation";

    /// <summary>What is wrong with the configuration, in any profile (a provider that cannot work is refused at start).</summary>
    public IEnumerable<string> Problems(PlatformProfile profile)
    {
        var claimed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, provider) in providers)
        {
            var at = $"{Section}:{name}";
            if (!NamePattern().IsMatch(name))
            {
                yield return $"{at}: a provider's name is lower-case letters, digits and dashes (it is part of its callback address).";
            }

            if (provider.Authority is not { IsAbsoluteUri: true } authority || authority.Scheme is not ("https" or "http"))
            {
                yield return $"{at}:Authority is not an absolute URL (the provider's issuer).";
            }
            else if (profile == PlatformProfile.Production && authority.Scheme != "https")
            {
                yield return $"{at}:Authority is not https: in production a provider's keys and tokens are fetched over TLS only.";
            }

            if (string.IsNullOrWhiteSpace(provider.ClientId))
            {
                yield return $"{at}:ClientId is not set (the platform's client id at the provider).";
            }

            if (string.IsNullOrWhiteSpace(provider.DisplayName))
            {
                yield return $"{at}:DisplayName is not set (the sign-in page's button names the provider).";
            }

            if (string.IsNullOrWhiteSpace(provider.PersonClaim))
            {
                yield return $"{at}:PersonClaim is not set (the claim that names the person).";
            }

            if (provider.Countries.Count == 0)
            {
                yield return $"{at}:Countries is empty: a provider signs in the people of at least one country.";
            }

            foreach (var country in provider.Countries)
            {
                if (claimed.TryGetValue(country, out var other))
                {
                    yield return $"{at}:Countries names {country}, which {Section}:{other} already serves: a country has one provider.";
                }

                claimed[country] = name;
            }
        }
    }

    /// <summary>
    /// The person the provider's answer names: one whose user name or e-mail is the value of the provider's person claim,
    /// in an organization of one of its countries; null when there is none (or the answer carries no such claim).
    /// </summary>
    public async Task<Person?> PersonOfAsync(FederatedProvider provider, ClaimsPrincipal answer, UserManager<Person> people, PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (answer.FindFirst(provider.PersonClaim)?.Value is not { Length: > 0 and <= 256 } value)
        {
            return null;
        }

        var person = await people.FindByNameAsync(value.Trim()) ?? await people.FindByEmailAsync(value.Trim());
        if (person is null)
        {
            return null;
        }

        var country = await db.Organizations.AsNoTracking().Where(o => o.Id == person.OrganizationId).Select(o => o.Country).SingleAsync(cancellationToken);
        return provider.Countries.Contains(country, StringComparer.OrdinalIgnoreCase) ? person : null;
    }

    /// <summary>Whether the provider's answer says the person gave a second factor there (its <c>amr</c> claims).</summary>
    public static bool GaveSecondFactor(FederatedProvider provider, ClaimsPrincipal answer) =>
        answer.FindAll("amr").Any(c => provider.SecondFactorMethods.Contains(c.Value, StringComparer.OrdinalIgnoreCase));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();
}

public static class FederationHosting
{
    /// <summary>One stock OpenID Connect handler per configured provider, signing in to Identity's short external cookie.</summary>
    public static WebApplicationBuilder AddFederation(this WebApplicationBuilder builder, PlatformOptions platform, TokenServerOptions tokenServer)
    {
        var federation = Federation.From(builder.Configuration);
        if (federation.Problems(platform.Profile).ToList() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("The federated sign-in is misconfigured:\n  " + string.Join("\n  ", problems));
        }

        builder.Services.AddSingleton(federation);
        var authentication = builder.Services.AddAuthentication();
        foreach (var (name, provider) in federation.Providers)
        {
            authentication.AddOpenIdConnect(Federation.SchemeOf(name), provider.DisplayName, o =>
            {
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.Authority = provider.Authority!.ToString();
                o.ClientId = provider.ClientId;
                o.ClientSecret = provider.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query; // a plain redirect back: no self-posting form with inline script
                o.UsePkce = true;
                o.CallbackPath = Federation.CallbackOf(name);
                o.Scope.Clear();
                o.Scope.Add(OpenIdConnectScope.OpenId);
                foreach (var scope in provider.Scopes)
                {
                    o.Scope.Add(scope);
                }

                // The provider's answer lives for the few seconds between its callback and the end of the sign-in, in
                // Identity's external cookie; none of its tokens is kept.
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = platform.Profile == PlatformProfile.Production;
                o.DisableTelemetry = true;
                var secure = tokenServer.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                o.CorrelationCookie.SecurePolicy = secure;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = secure;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.Events.OnRemoteFailure = context =>
                {
                    // Refused or abandoned at the provider, or a stale tab: back to the sign-in page, which says so.
                    context.Response.Redirect("/account/federated/failed");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        }

        return builder;
    }
}
