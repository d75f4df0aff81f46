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

/// <summary>The holder withdraws the group (a flight cancelled): every open offer is withdrawn, with the reason if given.</summary>
public sealed record GroupWithdrawRequest([property: MaxLength(Limits.Text)] string? Reason);

/// <summary>The origin's nationality-verification list: each person confirmed, or rejected with a reason (as one verification each).</summary>
public sealed record GroupVerificationRequest([property: MaxLength(Limits.GroupMembers)] IReadOnlyList<GroupVerificationItem>? Members);

public sealed record GroupVerificationItem(Guid? ReferralId, NationalityOutcome? Outcome, [property: MaxLength(Limits.Text)] string? Reason);

/// <summary>
/// One return plan for the group (date, crossing point or flight, escort) with each person's own travel document, for the
/// members named (by default every member whose nationality was confirmed).
/// </summary>
public sealed record GroupReturnPlanRequest(
    DateOnly? PlannedFor,
    [property: MaxLength(Limits.CrossingPoint)] string? CrossingPoint,
    [property: MaxLength(Limits.Escort)] string? Escort,
    [property: MaxLength(Limits.GroupMembers)] IReadOnlyList<GroupTravelDocument>? Members);

public sealed record GroupTravelDocument(Guid? ReferralId, TravelDocument? TravelDocument);

/// <summary>
/// One side's handover manifest: for each person, handed over (a return confirmation by this side, as one each), or an
/// exception that changes nothing of the referral: missing at the handover, or declining to return.
/// </summary>
public sealed record GroupHandoverRequest(
    DateTimeOffset? HandedOverAt,
    [property: MaxLength(Limits.GroupMembers)] IReadOnlyList<GroupHandoverItem>? Members);

public sealed record GroupHandoverItem(Guid? ReferralId, HandoverOutcome? Outcome);

public enum HandoverOutcome
{
    HandedOver,
    Missing,
    DeclinedReturn,
}

/// <summary>
/// A return group; <see cref="Operation"/> is what it is carrying out member by member, null when nothing is under way;
/// <see cref="WithdrawnAt"/> is set once its holder withdrew it (it takes no further step).
/// </summary>
public sealed record GroupView(
    Guid Id,
    string Label,
    string Nationality,
    string Holder,
    string? OfferedTo,
    GroupOperationKind? Operation,
    IReadOnlyList<GroupMemberView> Members,
    DateTimeOffset CreatedAt,
    int Version,
    DateTimeOffset? WithdrawnAt = null);

/// <summary>
/// One person of the group, by referral id only, through the steps of a return: <c>listed</c>, <c>offered</c>,
/// <c>accepted</c> (or <c>declined</c>), <c>verified</c> (or <c>rejected</c>), <c>planned</c>, <c>returned</c> once both
/// sides confirmed the handover (<see cref="HandoverConfirmedBy"/> says who has), or an exception at the handover:
/// <c>missing</c>, <c>declined-return</c>; <c>withdrawn</c> when the holder withdrew the group while the person's offer was
/// open (the offer is withdrawn). A person's own call that was refused leaves the status as it was and shows
/// its problem (an offer refused shows <c>refused</c>: the person was never offered).
/// </summary>
public sealed record GroupMemberView(
    Guid ReferralId,
    GroupMemberStatus Status,
    Guid? HandoffId,
    BatchItemProblem? Problem,
    IReadOnlyList<ReturnSide>? HandoverConfirmedBy = null);

public enum GroupMemberStatus
{
    Listed,
    Offered,
    Accepted,
    Declined,
    Refused,
    Verified,
    Rejected,
    Planned,
    Returned,
    Missing,
    DeclinedReturn,
    Withdrawn,
}

public enum GroupOperationKind
{
    Offer,
    Accept,
    Decline,
    Verify,
    Plan,
    Handover,
    Withdraw,
}

/// <summary>
/// The handover manifest of a group: for each person planned for the handover, what the two officers at the crossing need
/// to tell who is who, and no more (no summary, languages or documents). Every line is a subject read, recorded in that
/// person's access log.
/// </summary>
public sealed record GroupManifest(
    Guid GroupId,
    string Label,
    string Nationality,
    DateOnly? PlannedFor,
    string? CrossingPoint,
    IReadOnlyList<GroupManifestLine> People)
{
    public override string ToString() => $"{nameof(GroupManifest)} {{ GroupId = {GroupId}, People = {People.Count} }}";
}

/// <summary>One person of the manifest; <see cref="GivenName"/> and the rest are null where the caller may not read the person.</summary>
public sealed record GroupManifestLine(
    Guid ReferralId,
    GroupMemberStatus Status,
    string? GivenName,
    string? FamilyName,
    Sex? Sex,
    DateOnly? DateOfBirth,
    TravelDocument? TravelDocument,
    IReadOnlyList<ReturnSide>? HandoverConfirmedBy)
{
    public override string ToString() => $"{nameof(GroupManifestLine)} {{ ReferralId = {ReferralId}, Status = {Status} }}";
}


/// <summary>A return group as the list of an organization's groups shows it: its holder's, and the ones offered to it.</summary>
public sealed record GroupSummary(Guid Id, string Label, string Nationality, string Holder, string? OfferedTo, int Members, DateTimeOffset CreatedAt);
