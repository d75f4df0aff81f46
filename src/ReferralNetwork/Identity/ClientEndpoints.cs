using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.Identity;

/// <summary>The routes of <see cref="OrganizationClients"/>: an organization's admin manages its OAuth clients.</summary>
public static class ClientEndpoints
{
    /// <summary>The longest client id the token server stores.</summary>
    private const int MaxClientId = 100;

    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("clients", "Clients")
            .RequireAuthorization(Scopes.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/", ListAsync).WithName("ListClients").WithSummary("The OAuth clients of the caller's organization (never their secrets).");
        api.MapPost("/", CreateAsync)
            .WithName("CreateClient")
            .WithSummary("A new client for a system of the caller's organization (client credentials), with the scopes asked for: no wider than the organization's kind allows. Its secret is in this answer only.")
            .ProducesValidationProblem();
        api.MapGet("/{id}", GetAsync).WithName("GetClient").WithSummary("One client of the caller's organization.");
        api.MapPost("/{id}/rotate-secret", RotateSecretAsync)
            .WithName("RotateClientSecret")
            .WithSummary("A new secret, in this answer only; the previous one keeps working for the grace period (Identity:ClientSecretGracePeriod, 24 hours by default).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/{id}", RevokeAsync)
            .WithName("RevokeClient")
            .WithSummary("Revokes the client: no new token from now on (invalid_client), and the tokens it holds refused on every silo within a minute.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Ok<List<ClientView>>> ListAsync(HttpContext http, OrganizationClients clients) =>
        TypedResults.Ok(await clients.ListAsync(Caller.From(http.User), http.RequestAborted));

    private static async Task<Ok<ClientView>> GetAsync(HttpContext http, [MaxLength(MaxClientId)] string id, OrganizationClients clients) =>
        TypedResults.Ok(await clients.GetAsync(Caller.From(http.User), id, http.RequestAborted));

    private static async Task<Created<ClientView>> CreateAsync(HttpContext http, ClientRequest request, OrganizationClients clients)
    {
        var client = await clients.CreateAsync(Caller.From(http.User), request, http.RequestAborted);
        return TypedResults.Created($"/api/v1/clients/{client.ClientId}", client);
    }

    private static async Task<Ok<ClientView>> RotateSecretAsync(HttpContext http, [MaxLength(MaxClientId)] string id, OrganizationClients clients) =>
        TypedResults.Ok(await clients.RotateSecretAsync(Caller.From(http.User), id, http.RequestAborted));

    private static async Task<NoContent> RevokeAsync(HttpContext http, [MaxLength(MaxClientId)] string id, OrganizationClients clients)
    {
        await clients.RevokeAsync(Caller.From(http.User), id, http.User.GetClaim(Claims.Subject), http.RequestAborted);
        return TypedResults.NoContent();
    }
}

/// <summary>
/// What an organization's admin does to its OAuth clients, through the API or the console: create one (its secret shown
/// once), list them, rotate a secret (the old one keeps working for a grace period) and revoke one (no new token at
/// once, its tokens refused on every silo within the revocation list's reload period). A client of another
/// organization is a 404.
/// </summary>
public sealed class OrganizationClients(
    IOpenIddictApplicationManager applications, IPersonalDataProtector protector, PlatformDbContext db, RevocationList revocations,
    TokenServerOptions options, TimeProvider time)
{
    private const string NameProperty = "name";
    private const string DescriptionProperty = "description";
    private const string CreatedAtProperty = "created_at";

    public async Task<List<ClientView>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        var views = new List<ClientView>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            if (await PartnerClients.OrganizationOfAsync(applications, application, cancellationToken) == caller.OrganizationId)
            {
                views.Add(await ViewAsync(application, secret: null, cancellationToken));
            }
        }

        return [.. views.OrderBy(v => v.ClientId, StringComparer.Ordinal)];
    }

    public async Task<ClientView> GetAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await ViewAsync(await OwnAsync(caller, id, cancellationToken), secret: null, cancellationToken);

    public async Task<ClientView> CreateAsync(Caller caller, ClientRequest request, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        var allowed = PartnerClients.KindAllows(organization);
        var errors = FieldErrors.Of(request).Required("name", request.Name);
        if (request.Scopes is not { Count: > 0 })
        {
            errors.Add("scopes", $"At least one of: {string.Join(", ", allowed)}.");
        }
        else if (request.Scopes.Count > Scopes.All.Count || request.Scopes.Any(s => !allowed.Contains(s)))
        {
            errors.Add("scopes", $"Only scopes your organization's kind allows: {string.Join(", ", allowed)}.");
        }

        errors.ThrowIfAny();

        // Hex: a secret that needs no escaping in a form post or a shell. The id names the organization, for its logs.
        var clientId = $"{organization.Id[..Math.Min(organization.Id.Length, 60)]}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant()}";
        var secret = NewSecret();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = organization.Name,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        descriptor.Permissions.UnionWith(request.Scopes!.Distinct().Select(s => Permissions.Prefixes.Scope + s));
        descriptor.Properties[IdentityHosting.OrganizationProperty] = JsonSerializer.SerializeToElement(organization.Id);

        // Free text may name anyone: sealed at rest like people's account data.
        descriptor.Properties[NameProperty] = JsonSerializer.SerializeToElement(protector.Protect(request.Name!.Trim()));
        if (!string.IsNullOrWhiteSpace(request.Description))
        {
            descriptor.Properties[DescriptionProperty] = JsonSerializer.SerializeToElement(protector.Protect(request.Description.Trim()));
        }

        descriptor.Properties[CreatedAtProperty] = JsonSerializer.SerializeToElement(time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        var application = await applications.CreateAsync(descriptor, cancellationToken);
        return await ViewAsync(application, secret, cancellationToken);
    }

    public async Task<ClientView> RotateSecretAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var application = await OwnAsync(caller, id, cancellationToken);
        if (!await applications.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken))
        {
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "This client has no secret: people sign in through it with PKCE.");
        }

        var secret = NewSecret();
        await ((PartnerApplicationManager<OpenIddictEntityFrameworkCoreApplication>)applications)
            .RotateSecretAsync((OpenIddictEntityFrameworkCoreApplication)application, secret, time.GetUtcNow() + options.ClientSecretGracePeriod, cancellationToken);
        return await ViewAsync(application, secret, cancellationToken);
    }

    /// <summary><paramref name="callerClientId"/>: the client the request came with, when a system calls (a client cannot revoke itself).</summary>
    public async Task RevokeAsync(Caller caller, string id, string? callerClientId, CancellationToken cancellationToken)
    {
        var application = await OwnAsync(caller, id, cancellationToken);
        if (caller.Person is null && callerClientId == id)
        {
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "A client cannot revoke itself; revoke it with another client's token or as the organization's admin.");
        }

        // Its tokens (and those people got through it) are refused as each silo reloads the revocation list; gone from
        // the store, it gets invalid_client at once on every silo. In this order, a failure between the two leaves a
        // client the admin can revoke again, never one whose tokens outlive it.
        await revocations.RevokeAsync(id, cancellationToken);
        await applications.DeleteAsync(application, cancellationToken);
    }

    /// <summary>A system with <c>admin</c>, or a person who is its organization's admin.</summary>
    private static void RequireAdmin(Caller caller) => caller.Require(CaseAction.ManageClients);

    private async Task<object> OwnAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        return await applications.FindByClientIdAsync(id, cancellationToken) is { } application
            && await PartnerClients.OrganizationOfAsync(applications, application, cancellationToken) == caller.OrganizationId
                ? application
                : throw new ProblemException(ProblemKind.NotFound, "No such client in your organization.");
    }

    private static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    private async Task<ClientView> ViewAsync(object application, string? secret, CancellationToken cancellationToken)
    {
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        string? Opened(string name) => properties.GetValueOrDefault(name) is { ValueKind: JsonValueKind.String } value ? protector.Unprotect(value.GetString()!) : null;
        var confidential = await applications.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken);
        var until = PartnerApplicationManager.PreviousSecretUntil(properties);
        return new ClientView(
            (await applications.GetClientIdAsync(application, cancellationToken))!,
            Opened(NameProperty) ?? await applications.GetDisplayNameAsync(application, cancellationToken) ?? "",
            Opened(DescriptionProperty),
            confidential ? ClientKind.System : ClientKind.SignIn,
            [.. (await applications.GetPermissionsAsync(application, cancellationToken))
                .Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
                .Select(p => p[Permissions.Prefixes.Scope.Length..])
                .Order(StringComparer.Ordinal)],
            properties.GetValueOrDefault(CreatedAtProperty) is { ValueKind: JsonValueKind.String } created
                && DateTimeOffset.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            until > time.GetUtcNow() ? until : null,
            secret);
    }
}
