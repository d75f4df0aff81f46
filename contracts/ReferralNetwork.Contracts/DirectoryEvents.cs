namespace ReferralNetwork.Contracts;

// Events of the service directory. Their namespace and names are the wire identity: they never move. They name
// organizations and services only, never a person (not even the one who made the change).

/// <summary>
/// An organization reported how much of a service it has free. <see cref="ChangeId"/> identifies this change:
/// a consumer that sees it twice (events are published at least once) applies it once.
/// </summary>
public sealed record CapacityChanged(
    Guid ChangeId,
    string OrganizationId,
    string Country,
    ServiceKind Service,
    string Unit,
    int Available,
    int Maximum,
    DateTimeOffset OccurredAt);
