using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

/// <summary>
/// Bulk intake (<c>POST /api/v1/referrals/batch</c>): up to <see cref="Limits.BatchItems"/> people, each created on its
/// own exactly as <c>POST /api/v1/referrals</c> with that item's key as its <c>Idempotency-Key</c> would create it.
/// </summary>
public sealed record CreateReferralBatchRequest(
    [property: MaxLength(Limits.BatchItems)] IReadOnlyList<ReferralBatchItem>? Items);

/// <summary>
/// One person of a batch. The key is an identifier of the sender's choosing (a row number, a UUID), unique per
/// organization, stored in plain text: it must not carry personal data (no name, no document number).
/// </summary>
public sealed record ReferralBatchItem(
    [property: MaxLength(Limits.IdempotencyKey), RegularExpression(Limits.IdempotencyKeyPattern)] string? IdempotencyKey,
    CreateReferralRequest? Referral);

/// <summary>The answer for every item, in the order sent.</summary>
public sealed record ReferralBatchResult(IReadOnlyList<ReferralBatchItemResult> Items);

/// <summary>
/// What became of one item: <c>created</c> now, <c>already-exists</c> (created earlier with this key: <see cref="Id"/> is that
/// referral's), or <c>refused</c> with the problem a single create would have answered, having changed nothing.
/// </summary>
public sealed record ReferralBatchItemResult(
    string? IdempotencyKey,
    BatchItemStatus Status,
    Guid? Id,
    BatchItemProblem? Problem);

public enum BatchItemStatus
{
    Created,
    AlreadyExists,
    Refused,
}

/// <summary>An item's refusal: the RFC 9457 problem members a single create answers with (the trace id is the batch's).</summary>
public sealed record BatchItemProblem(
    string Type,
    string Title,
    int Status,
    string? Detail,
    string? Code,
    IReadOnlyDictionary<string, string[]>? Errors);
