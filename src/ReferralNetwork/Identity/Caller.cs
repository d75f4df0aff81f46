using System.Security.Claims;
using OpenIddict.Abstractions;
using ReferralNetwork.Contracts;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.Identity;

/// <summary>
/// Who is calling: the organization behind the token and, for a person, who in it (the person's opaque id and
/// roles), as established by the API and trusted by grains. A system (an OAuth client) has no person.
/// </summary>
[GenerateSerializer, Immutable, Alias("caller")]
public sealed record Caller(
    [property: Id(0)] string OrganizationId,
    [property: Id(1)] string Country,
    [property: Id(2)] OrganizationKind Kind,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] string? Person = null,
    [property: Id(5)] PersonRoles Roles = PersonRoles.None)
{
    public bool Has(string scope) => Scopes.Contains(scope);

    public static Caller From(ClaimsPrincipal user)
    {
        var organization = user.GetClaim(TokenClaims.Organization);
        var country = user.GetClaim(TokenClaims.Country);
        if (organization is null || country is null || !Enum.TryParse<OrganizationKind>(user.GetClaim(TokenClaims.OrganizationKind), out var kind))
        {
            // Every token we issue carries these; a token without them is not ours to honour.
            throw new InvalidOperationException("The access token does not name an organization.");
        }

        // A person's token says so (and names the person's roles); a client's subject is its client id.
        var person = user.GetClaim(TokenClaims.SubjectKind) == TokenClaims.PersonSubject ? user.GetClaim(Claims.Subject) : null;
        var roles = person is null ? PersonRoles.None : RolePermissions.Parse(user.GetClaims(TokenClaims.PersonRole));
        return new Caller(organization, country, kind, [.. user.GetScopes()], person, roles);
    }
}
