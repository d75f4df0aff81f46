namespace ReferralNetwork.Contracts.Api;

/// <summary>How close the two encodings are: <c>high</c> at or above <c>Matching:HighSimilarity</c>, otherwise <c>medium</c>.</summary>
public enum MatchSimilarity
{
    High,
    Medium,
}

/// <summary>A possible match as one side sees it: <c>confirmed</c> only once both sides confirmed; <c>dismissed</c> when either side dismissed.</summary>
public enum MatchStatus
{
    Open,
    ConfirmedByYou,
    Confirmed,
    Dismissed,
}

/// <summary>
/// A possible duplicate of the caller's referral in another (or the same) country, as its focal point sees it: the
/// caller's own referral and the counterpart's country, never the counterpart's id, stage or details.
/// <see cref="CounterpartReferralId"/> is set only once both sides confirmed (each focal point is then a participant of the other referral).
/// </summary>
public sealed record MatchView(
    Guid Id,
    Guid ReferralId,
    string CounterpartCountry,
    MatchSimilarity Similarity,
    MatchStatus Status,
    DateTimeOffset FoundAt,
    Guid? CounterpartReferralId = null)
{
    /// <summary>
    /// A confirmed match one of whose referrals had been returned (stage <c>returned</c> or later) or closed when both
    /// sides confirmed: the person was identified again after an earlier case ended. Always false before both confirm.
    /// A property rather than a constructor parameter, so that clients built against the earlier contract keep working.
    /// </summary>
    public bool ReIdentification { get; init; }
}

public enum MatchAuditAction
{
    Found,
    Seen,
    Confirmed,
    Dismissed,
    Linked,
}

/// <summary>One entry of a match's own audit (kept apart from both referrals' histories): what happened, by which organization and person, when.</summary>
public sealed record MatchAuditEntry(MatchAuditAction Action, string? OrganizationId, string? Person, DateTimeOffset At);
