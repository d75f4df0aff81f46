using System.Security.Claims;
using OpenIddict.Abstractions;
using ReferralNetwork.Contracts;

namespace ReferralNetwork.Identity;

/// <summary>Who is calling: the organization behind the token, as established by the API and trusted by grains.</summary>
[GenerateSerializer, Immutable, Alias("caller")]
public sealed record Caller(
    [property: Id(0)] string OrganizationId,
    [property: Id(1)] string Country,
    [property: Id(2)] OrganizationKind Kind,
    [property: Id(3)] IReadOnlyList<string> Scopes)
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

        return new Caller(organization, country, kind, [.. user.GetScopes()]);
    }
}
