using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

/// <summary>
/// A return group (<c>POST /api/v1/groups</c>): referrals of one nationality held by the caller's organization, returned
/// together (a chartered flight, a bus through a crossing point). The label says which; it never names a person.
/// </summary>
public sealed record CreateGroupRequest(
    [property: MaxLength(Limits.GroupLabel)] string? Label,
    [property: MaxLength(Limits.GroupMembers)] IReadOnlyList<Guid>? Referrals);

/// <summary>One custody offer for the whole group, to the focal point of the members' country (as a handoff of each alone).</summary>
public sealed record GroupOfferRequest(
    [property: MaxLength(Limits.OrganizationId)] string? ToOrganizationId,
    [property: MaxLength(Limits.Text)] string? Message,
    DateTimeOffset? RespondBy);

/// <summary>
/// The target's answer to the group's offer: for the members named, or, without <see cref="Referrals"/>, for every member
/// whose offer is open. A decline needs a reason.
/// </summary>
public sealed record GroupAnswerRequest(
    [property: MaxLength(Limits.GroupMembers)] IReadOnlyList<Guid>? Referrals,
    [property: MaxLength(Limits.Text)] string? Reason);

/// <summary>A return group; <see cref="Operation"/> is what it is carrying out member by member, null when nothing is under way.</summary>
public sealed record GroupView(
    Guid Id,
    string Label,
    string Nationality,
    string Holder,
    string? OfferedTo,
    GroupOperationKind? Operation,
    IReadOnlyList<GroupMemberView> Members,
    DateTimeOffset CreatedAt,
    int Version);

/// <summary>
/// One person of the group, by referral id only: <c>listed</c> (not offered yet), <c>offered</c>, <c>accepted</c>,
/// <c>declined</c>, or <c>refused</c> with the problem that person's own call answered (nothing of it changed).
/// </summary>
public sealed record GroupMemberView(Guid ReferralId, GroupMemberStatus Status, Guid? HandoffId, BatchItemProblem? Problem);

public enum GroupMemberStatus
{
    Listed,
    Offered,
    Accepted,
    Declined,
    Refused,
}

public enum GroupOperationKind
{
    Offer,
    Accept,
    Decline,
}
