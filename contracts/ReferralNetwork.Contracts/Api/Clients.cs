using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

/// <summary>A new OAuth client of the caller's organization: a name, an optional description, the scopes it may ask for.</summary>
public sealed record ClientRequest(
    [property: MaxLength(Limits.ClientName)] string? Name,
    [property: MaxLength(Limits.Codes), ItemMaxLength(Limits.Code)] IReadOnlyList<string>? Scopes,
    [property: MaxLength(Limits.ClientDescription)] string? Description = null);

public enum ClientKind
{
    /// <summary>A partner system: client credentials with a secret.</summary>
    System,

    /// <summary>A web application people sign in through (authorization code with PKCE, no secret).</summary>
    SignIn,
}

/// <summary>
/// An OAuth client as its organization's admin reads it. <see cref="Secret"/> is only in the answer that made it
/// (create, rotate); after a rotation the previous secret still works until <see cref="PreviousSecretValidUntil"/>.
/// </summary>
public sealed record ClientView(
    string ClientId,
    string Name,
    string? Description,
    ClientKind Kind,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? PreviousSecretValidUntil,
    string? Secret = null);
