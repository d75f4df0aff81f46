namespace ReferralNetwork.Contracts;

// Events of the webhook feature itself. Like the referral events they carry no personal data; a subscription's
// URL and description stay with the platform (sealed at rest) and are never in an event.

public enum WebhookDisabledReason
{
    /// <summary>The receiver answered <c>410 Gone</c>.</summary>
    Gone,

    /// <summary>Every delivery failed for the configured period (five days by default).</summary>
    Failing,
}

/// <summary>The platform stopped sending to a subscription; its organization is told (other subscriptions of it receive this).</summary>
public sealed record WebhookDisabled(
    Guid SubscriptionId,
    string OrganizationId,
    DateTimeOffset OccurredAt,
    WebhookDisabledReason Reason,
    DateTimeOffset? FailingSince);

/// <summary>What the "send a test event" action delivers: it lets a partner check its receiver and its signature check.</summary>
public sealed record WebhookTest(
    Guid SubscriptionId,
    string OrganizationId,
    DateTimeOffset OccurredAt);
