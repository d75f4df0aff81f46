using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

/// <summary>
/// A person of the caller's organization, as its admin sees them. <see cref="Name"/> is their sign-in name (their
/// e-mail address); roles are <c>officer</c>, <c>supervisor</c>, <c>organization-admin</c>, <c>secretariat-admin</c>.
/// </summary>
public sealed record PersonView(
    string Id, string Name, IReadOnlyList<string> Roles, string Language, bool SecondFactor, bool Disabled, bool LockedOut, bool InvitationPending);

/// <summary>Invites a person into the caller's organization: an account without a password, and a one-time link to set it.</summary>
public sealed record InvitePersonRequest(
    [property: MaxLength(Limits.Email)] string Email,
    [property: MaxLength(Limits.Roles), ItemMaxLength(Limits.Code)] IReadOnlyList<string> Roles,
    [property: MaxLength(Limits.LanguageTag)] string? Language = null);

/// <summary>
/// The invitation made: when it expires, and either that it was sent by e-mail or the link itself (shown this once,
/// for the admin to pass on when the platform sends no e-mail).
/// </summary>
public sealed record InvitationView(string PersonId, DateTimeOffset ExpiresAt, bool SentByEmail, string? Link);

public sealed record PersonRolesRequest([property: MaxLength(Limits.Roles), ItemMaxLength(Limits.Code)] IReadOnlyList<string> Roles);
