using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

/// <summary>A subscription: where to post, which event types (<c>handoff-offered</c>, …, or <c>["*"]</c>).</summary>
public sealed record WebhookRequest(
    [property: MaxLength(Limits.Url)] string Url,
    [property: MaxLength(Limits.Codes), ItemMaxLength(Limits.Code)] IReadOnlyList<string> Events,
    [property: MaxLength(Limits.WebhookDescription)] string? Description = null);

public enum WebhookStatus
{
    Active,
    Disabled,
}

/// <summary>A subscription as its organization reads it. <see cref="Secret"/> is only in the answer that made it (create, rotate).</summary>
public sealed record WebhookView(
    Guid Id,
    string Url,
    IReadOnlyList<string> Events,
    string? Description,
    WebhookStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DisabledAt,
    WebhookDisabledReason? DisabledReason,
    DateTimeOffset? FailingSince,
    string? Secret = null);

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}

public enum WebhookAttemptOutcome
{
    Delivered,
    Failed,
    Timeout,
    Unreachable,
    TargetRefused,
    Gone,
}

/// <summary>One attempt to post a delivery: when, how long it took, what the receiver answered, when the next try is.</summary>
public sealed record WebhookAttemptView(
    int Number,
    DateTimeOffset At,
    int DurationMs,
    int? ResponseStatus,
    WebhookAttemptOutcome Outcome,
    DateTimeOffset? NextAttemptAt);

/// <summary>A message for one subscription. <see cref="WebhookId"/> is the <c>webhook-id</c> header: the same for every retry and replay.</summary>
public sealed record WebhookDeliveryView(
    Guid Id,
    string WebhookId,
    string Type,
    Guid? ReferralId,
    int? EventNumber,
    WebhookDeliveryStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    IReadOnlyList<WebhookAttemptView> Attempts);
