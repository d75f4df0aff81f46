using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Organizations;
using ReferralNetwork.People;
using ReferralNetwork.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;
using ReferralNetwork.Http;

namespace ReferralNetwork.Identity;

/// <summary>The platform's own OpenID Connect server (OpenIddict): client credentials for partner systems.</summary>
public static class IdentityHosting
{
    /// <summary>Key of the application property that names the client's organization.</summary>
    public const string OrganizationProperty = "organization";

    public static WebApplicationBuilder AddPlatformIdentity(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        builder.DescribeApiTag("Clients", "An organization's admin manages its OAuth clients: create (the secret shown once), rotate the secret, revoke. Scope admin.");
        var options = TokenServerOptions.From(builder.Configuration);
        var keys = Path.Combine(platform.FullDataPath, "keys");

        // A production configuration these checks refuse never reaches a built host (Program refuses it once
        // every feature is added): load no certificate then, rather than generate a development one or fail on
        // an unreadable file before the refusal can say what is wrong.
        var unfit = platform.Profile == PlatformProfile.Production && IdentityProductionChecks.Refusals(builder.Configuration).Any();
        var signing = unfit ? null : Certificates.Load(options.SigningCertificate, keys, "signing", X509KeyUsageFlags.DigitalSignature);
        var encryption = unfit ? null : Certificates.Load(options.EncryptionCertificate, keys, "encryption", X509KeyUsageFlags.KeyEncipherment);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RevocationList>();
        builder.Services.AddScoped<OrganizationClients>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RevocationList>());
        builder.Services.AddHostedService<TokenPruning>();
        builder.Services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<PlatformDbContext>();

                // A rotated client's previous secret stays valid for a grace period.
                core.ReplaceApplicationManager(typeof(PartnerApplicationManager<>));
            })
            .AddServer(server =>
            {
                server.SetTokenEndpointUris("connect/token")
                    .SetAuthorizationEndpointUris("connect/authorize")
                    .SetEndSessionEndpointUris("connect/endsession");

                // Systems: client credentials. People: the authorization code flow with PKCE, then refresh tokens.
                server.AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow()
                    .RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow();
                // profile: stock clients ask for it; it adds nothing, as tokens carry no personal data.
                server.RegisterScopes([.. Scopes.All, OpenIddictConstants.Scopes.OpenId, OpenIddictConstants.Scopes.OfflineAccess, OpenIddictConstants.Scopes.Profile]);
                server.SetAccessTokenLifetime(options.AccessTokenLifetime);
                server.SetRefreshTokenLifetime(options.SessionLifetime);
                if (options.Issuer is { } issuer)
                {
                    server.SetIssuer(issuer);
                }

                if (signing is not null && encryption is not null)
                {
                    server.AddSigningCertificate(signing).AddEncryptionCertificate(encryption);
                }

                // Plain signed JWTs (RS256) that partners can validate with any stock JWT library.
                server.DisableAccessTokenEncryption();

                // Authorization codes are single-use and refresh tokens revocable: both are stored. Access and
                // identity tokens are not (a row per client-credentials token would cost every partner call a
                // write); an access token is refused through the revocation list instead.
                server.AddEventHandler<OpenIddictServerEvents.GenerateTokenContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (context.TokenType is TokenTypeIdentifiers.AccessToken or TokenTypeIdentifiers.IdentityToken)
                        {
                            context.CreateTokenEntry = false;
                        }

                        return default;
                    })
                    .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 1));

                var aspNetCore = server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (!options.RequireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.AddAudiences(TokenClaims.Audience);
                validation.UseAspNetCore();
                validation.AddEventHandler<OpenIddictValidationEvents.ValidateTokenContext>(handler => handler
                    .UseSingletonHandler<RevocationList.RefuseRevokedTokens>()
                    .SetOrder(OpenIddictValidationHandlers.Protection.ValidateExpirationDate.Descriptor.Order + 1));

                // A token validated in the last minute skips its signature check and parsing, and nothing else.
                validation.AddEventHandler<OpenIddictValidationEvents.ValidateTokenContext>(handler => handler
                    .UseSingletonHandler<ValidatedTokens.Restore>().SetOrder(ValidatedTokens.Restore.Order));
                validation.AddEventHandler<OpenIddictValidationEvents.ValidateTokenContext>(handler => handler
                    .UseSingletonHandler<ValidatedTokens.Capture>().SetOrder(ValidatedTokens.Capture.Order));
                validation.AddEventHandler<OpenIddictValidationEvents.ValidateTokenContext>(handler => handler
                    .UseSingletonHandler<ValidatedTokens.KeepValidated>().SetOrder(ValidatedTokens.KeepValidated.Order));
            });
        builder.Services.AddSingleton<RevocationList.RefuseRevokedTokens>();
        builder.Services.AddSingleton<ValidatedTokens>();
        builder.Services.AddSingleton<ValidatedTokens.Restore>();
        builder.Services.AddSingleton<ValidatedTokens.Capture>();
        builder.Services.AddSingleton<ValidatedTokens.KeepValidated>();

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.AddPlatformRateLimits();

        // The API document and Swagger UI offer this token server's two flows: client credentials for systems, and the
        // authorization code flow with PKCE (then refresh tokens) for people signing in through a web application.
        builder.Services.ConfigureSwaggerGen(o =>
        {
            var token = new Uri("/connect/token", UriKind.Relative);
            o.AddSecurityDefinition("oauth2", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description =
                    $"Bearer access tokens from this platform's own OpenID Connect server (discovery at /.well-known/openid-configuration): JWTs " +
                    $"as in RFC 9068 (typ at+jwt), signed RS256 with the keys published at its JWKS endpoint, for the audience {TokenClaims.Audience}, " +
                    $"valid {options.AccessTokenLifetime.TotalMinutes:0} minutes. Tokens are issued and checked following the JSON Web Token Best " +
                    "Current Practices (RFC8725): explicitly typed, always signed (alg none is refused), issuer, audience and lifetime checked. " +
                    "Systems use client credentials (no refresh token: ask again when the token expires); people sign in through the " +
                    "authorization code flow with PKCE, and their web application renews the token with its refresh token.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow { TokenUrl = token, Scopes = Scopes.Descriptions.ToDictionary() },
                    AuthorizationCode = new OpenApiOAuthFlow
                    {
                        AuthorizationUrl = new Uri("/connect/authorize", UriKind.Relative),
                        TokenUrl = token,
                        RefreshUrl = token,
                        Scopes = new Dictionary<string, string>(Scopes.Descriptions)
                        {
                            [OpenIddictConstants.Scopes.OpenId] = "Sign the person in (an identity token naming them by an opaque id).",
                            [OpenIddictConstants.Scopes.OfflineAccess] = "A refresh token, to renew the access token while the person's session lasts.",
                        },
                    },
                },
            });
            o.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("oauth2", document)] = [] });
        });
        builder.PlatformFeatures()
            .AddProductionCheck(IdentityProductionChecks.Refusals)
            .AddDemoNote($"Demo clients    client id = organization id (th-focal-point, vn-focal-point, th-shelter-bangkok, …),\n                  secret \"{DemoClients.DemoSecret}\" (development only)")
            .AddDemoSeed(async (services, cancellationToken) => await DemoClients.SeedAsync(
            services.GetRequiredService<IOpenIddictApplicationManager>(),
            await services.GetRequiredService<PlatformDbContext>().Organizations.AsNoTracking().ToListAsync(cancellationToken),
            cancellationToken));
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddScopePolicies();
        return builder;
    }

    private static Microsoft.AspNetCore.Authorization.AuthorizationBuilder AddScopePolicies(this Microsoft.AspNetCore.Authorization.AuthorizationBuilder authorization)
    {
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(scope)));
        }

        return authorization;
    }

    public static IEndpointRouteBuilder MapPlatformIdentity(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", IssueTokenAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPersonSignIn();
        app.MapClientsApi();
        return app;
    }

    /// <summary>
    /// OpenIddict has already authenticated the client and checked the scopes it may ask for; this adds the
    /// organization's claims so every API call knows who is acting.
    /// </summary>
    private static async Task<IResult> IssueTokenAsync(HttpContext http, IOpenIddictApplicationManager applications, PlatformDbContext db, UserManager<Person> people)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            return await PersonSignIn.RenewAsync(http, people, db);
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted);
        var organizationId = application is null ? null : await PartnerClients.OrganizationOfAsync(applications, application, http.RequestAborted);
        var organization = organizationId is null ? null : await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, http.RequestAborted);
        if (application is null || organization is null)
        {
            return PersonSignIn.Refuse(Errors.InvalidClient, "The client does not belong to a known organization.");
        }

        var scopes = request.GetScopes();
        if (scopes.IsDefaultOrEmpty)
        {
            // No scope asked for: grant every scope the client is permitted but admin, which is granted only when asked
            // for, so that a token made for case work cannot also make clients and invite people.
            scopes = [.. (await applications.GetPermissionsAsync(application, http.RequestAborted))
                .Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
                .Select(p => p[Permissions.Prefixes.Scope.Length..])
                .Where(s => s != Scopes.Admin)];
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId)
            .SetClaim(Claims.Name, organization.Name)
            .SetClaim(TokenClaims.Organization, organization.Id)
            .SetClaim(TokenClaims.Country, organization.Country)
            .SetClaim(TokenClaims.OrganizationKind, organization.Kind.ToString())
            .SetClaim(Claims.Role, JsonNamingPolicy.KebabCaseLower.ConvertName(organization.Kind.ToString()));
        identity.SetScopes(scopes);
        identity.SetResources(TokenClaims.Audience);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}

/// <summary>OAuth clients of partner systems (client credentials): each belongs to one organization.</summary>
public static class PartnerClients
{
    /// <summary>Registers a confidential client for <paramref name="organization"/>; false when the client id is taken (nothing is changed then).</summary>
    public static async Task<bool> CreateIfMissingAsync(
        IOpenIddictApplicationManager applications, string clientId, string secret, Organization organization, CancellationToken cancellationToken,
        IEnumerable<string>? scopes = null)
    {
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            return false;
        }

        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = organization.Name,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        client.Properties[IdentityHosting.OrganizationProperty] = JsonSerializer.SerializeToElement(organization.Id);
        foreach (var scope in scopes ?? ScopesFor(organization))
        {
            client.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        await applications.CreateAsync(client, cancellationToken);
        return true;
    }

    /// <summary>
    /// Registers a web application through which people sign in (the authorization code flow): a public client,
    /// PKCE required, redirects only to the exact addresses given. With an organization, only that organization's
    /// people may sign in through it; false when the client id is taken (nothing is changed then).
    /// </summary>
    public static async Task<bool> CreateSignInClientIfMissingAsync(
        IOpenIddictApplicationManager applications, string clientId, string displayName, Organization? organization,
        IEnumerable<Uri> redirectUris, IEnumerable<Uri> postLogoutRedirectUris, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            return false;
        }

        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Public,
            DisplayName = displayName,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        client.RedirectUris.UnionWith(redirectUris);
        client.PostLogoutRedirectUris.UnionWith(postLogoutRedirectUris);

        // Every scope may be asked for: what a person gets is narrowed by their organization and roles.
        client.Permissions.UnionWith(Scopes.All.Select(s => Permissions.Prefixes.Scope + s));
        client.Permissions.Add(Permissions.Scopes.Profile);
        if (organization is not null)
        {
            client.Properties[IdentityHosting.OrganizationProperty] = JsonSerializer.SerializeToElement(organization.Id);
        }

        await applications.CreateAsync(client, cancellationToken);
        return true;
    }

    /// <summary>The organization a client is registered for, if any.</summary>
    public static async Task<string?> OrganizationOfAsync(IOpenIddictApplicationManager applications, object application, CancellationToken cancellationToken) =>
        (await applications.GetPropertiesAsync(application, cancellationToken)).GetValueOrDefault(IdentityHosting.OrganizationProperty) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()
            : null;

    /// <summary>
    /// The scopes a system of this kind of organization is registered with when nothing narrower is asked for (an
    /// imported client): its work, not the administration of its organization (roles follow from the organization's kind).
    /// </summary>
    public static IEnumerable<string> ScopesFor(Organization organization) => organization switch
    {
        { Country: Country.Regional } => [Scopes.DashboardRead],
        { Kind: OrganizationKind.FocalPoint } => [Scopes.ReferralsRead, Scopes.ReferralsWrite, Scopes.SubjectRead, Scopes.DashboardRead, Scopes.ConsentOverride, Scopes.WebhooksManage, Scopes.DirectoryWrite],
        _ => [Scopes.ReferralsRead, Scopes.ReferralsWrite, Scopes.SubjectRead, Scopes.WebhooksManage, Scopes.DirectoryWrite],
    };

    /// <summary>The widest a client of this organization may hold: its work and, when given explicitly, <c>admin</c> (its own clients and people).</summary>
    public static IReadOnlyList<string> KindAllows(Organization organization) => [.. ScopesFor(organization), Scopes.Admin];
}

/// <summary>DEVELOPMENT ONLY: one OAuth client per demo organization, client id = organization id, secret <c>demo-secret</c>.</summary>
public static class DemoClients
{
    public const string DemoSecret = "demo-secret";

    public static async Task SeedAsync(IOpenIddictApplicationManager applications, IEnumerable<Organization> organizations, CancellationToken cancellationToken)
    {
        foreach (var organization in organizations)
        {
            // Each demo client may ask for anything its organization's kind allows, admin included. A data folder made
            // before a scope existed gets it added (development only: production clients are never widened).
            var scopes = PartnerClients.KindAllows(organization);
            if (!await PartnerClients.CreateIfMissingAsync(applications, organization.Id, DemoSecret, organization, cancellationToken, scopes)
                && await applications.FindByClientIdAsync(organization.Id, cancellationToken) is { } existing)
            {
                var descriptor = new OpenIddictApplicationDescriptor();
                await applications.PopulateAsync(descriptor, existing, cancellationToken);
                if (scopes.Select(s => Permissions.Prefixes.Scope + s).Where(descriptor.Permissions.Add).ToList().Count > 0)
                {
                    await applications.UpdateAsync(existing, descriptor, cancellationToken);
                }
            }
        }
    }
}
