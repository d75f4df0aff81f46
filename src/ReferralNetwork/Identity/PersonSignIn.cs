using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using ReferralNetwork.Hosting;
using ReferralNetwork.Organizations;
using ReferralNetwork.People;
using ReferralNetwork.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.Identity;

/// <summary>
/// People sign in on the platform's own OpenID Connect server: the authorization endpoint sends them to the
/// sign-in page until they have a session, then issues a code to the client; the token endpoint turns codes and
/// refresh tokens into the person's tokens, checked against the account each time (a disabled person gets none).
/// No consent screen: every client of this flow is registered by an organization for its own people.
/// </summary>
public static class PersonSignIn
{
    public static IEndpointRouteBuilder MapPersonSignIn(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], EndSessionAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpContext http, UserManager<Person> people, PlatformDbContext db, IOpenIddictApplicationManager applications, TokenServerOptions options, PlatformOptions platform)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var application = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted)
            ?? throw new InvalidOperationException("OpenIddict lets no unknown client reach the authorization endpoint.");
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var person = session.Succeeded ? await people.GetUserAsync(session.Principal!) : null;
        var organization = person is null ? null : await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == person.OrganizationId, http.RequestAborted);

        // A session counts only for an enabled person who signed in the way their organization requires.
        var signedIn = person is { IsDisabled: false } && organization is not null
            && (!SecondFactorPolicy.From(options, platform.Profile).IsRequiredFor(person, organization) || session.Principal!.HasClaim("amr", "mfa"));
        if (!signedIn || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "The person is not signed in.");
            }

            // Back here after signing in, without prompt=login (which would send the person round again).
            var parameters = (http.Request.HasFormContentType ? http.Request.Form.ToList() : http.Request.Query.ToList())
                .Where(p => p.Key != Parameters.Prompt)
                .ToList();
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + QueryString.Create(parameters) },
                [IdentityConstants.ApplicationScheme]);
        }

        // An organization's own application signs in that organization's people only.
        if (await PartnerClients.OrganizationOfAsync(applications, application, http.RequestAborted) is { } only && only != person!.OrganizationId)
        {
            return Refuse(Errors.AccessDenied, "This application is registered for another organization.");
        }

        return Results.SignIn(Principal(person!, organization!, request.GetScopes()), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>A code or a refresh token becomes tokens again only while the account is enabled; roles are read afresh.</summary>
    internal static async Task<IResult> RenewAsync(HttpContext http, UserManager<Person> people, PlatformDbContext db)
    {
        var granted = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var person = granted?.GetClaim(Claims.Subject) is { } id ? await people.FindByIdAsync(id) : null;
        var organization = person is null ? null : await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == person.OrganizationId, http.RequestAborted);
        if (person is null || person.IsDisabled || organization is null)
        {
            return Refuse(Errors.InvalidGrant, "The account is disabled or no longer exists.");
        }

        return Results.SignIn(Principal(person, organization, granted!.GetScopes()), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Signing out ends every session of the person (border posts share computers): the session cookie here, the
    /// refresh tokens of every application, and the access tokens issued so far (through the revocation list).
    /// </summary>
    private static async Task<IResult> EndSessionAsync(
        HttpContext http, SignInManager<Person> signIn, IOpenIddictTokenManager tokens, RevocationList revocations)
    {
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (session.Succeeded && await signIn.UserManager.GetUserAsync(session.Principal!) is { } person)
        {
            await EndEverySessionAsync(person, signIn.UserManager, tokens, revocations, http.RequestAborted);
        }

        await signIn.SignOutAsync();
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>What signing out and disabling share: no token, cookie or refresh token of the person still works.</summary>
    public static async Task EndEverySessionAsync(
        Person person, UserManager<Person> people, IOpenIddictTokenManager tokens, RevocationList revocations, CancellationToken cancellationToken)
    {
        await tokens.RevokeBySubjectAsync(person.Id, cancellationToken);
        await revocations.RevokeAsync(person.Id, cancellationToken);
        await people.UpdateSecurityStampAsync(person);
    }

    /// <summary>The scopes a person may hold: what the organization's kind allows, narrowed by the person's roles.</summary>
    public static IReadOnlySet<string> ScopesOf(Person person, Organization organization)
    {
        var kind = PartnerClients.ScopesFor(organization).Concat([Scopes.Admin, Scopes.WebhooksManage, Scopes.DirectoryWrite]);
        return RolePermissions.ScopesFor(person.Roles).Intersect(kind).ToHashSet();
    }

    internal static ClaimsPrincipal Principal(Person person, Organization organization, ImmutableArray<string> requested)
    {
        var allowed = ScopesOf(person, organization);
        var api = requested.Where(allowed.Contains).ToList();
        var scopes = (api.Count > 0 ? api : [.. allowed])
            .Concat(requested.Where(s => s is OpenIddictConstants.Scopes.OpenId or OpenIddictConstants.Scopes.OfflineAccess));

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, person.Id)
            .SetClaim(TokenClaims.SubjectKind, TokenClaims.PersonSubject)
            .SetClaim(TokenClaims.Organization, organization.Id)
            .SetClaim(TokenClaims.Country, organization.Country)
            .SetClaim(TokenClaims.OrganizationKind, organization.Kind.ToString())
            .SetClaim(Claims.Role, JsonNamingPolicy.KebabCaseLower.ConvertName(organization.Kind.ToString()))
            .SetClaims(TokenClaims.PersonRole, [.. RolePermissions.Names(person.Roles)]);
        identity.SetScopes(scopes);
        identity.SetResources(TokenClaims.Audience);

        // Nothing personal in either token: the person is their opaque id, the organization its id.
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>An OpenID Connect error answer of the token server (the endpoint's own format, not a problem).</summary>
    internal static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
