using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Referrals;

// The parts of a referral's state. Free text (reasons, messages, notes) lives here and in the views of
// those who may see the referral, never in events.

/// <summary>
/// An organization as the workflow needs it: where it is, what kind it is and, for an embassy or international
/// organization, the nationalities it handles (the directory's list).
/// </summary>
[GenerateSerializer, Immutable, Alias("organization-ref")]
public sealed record OrganizationRef(
    [property: Id(0)] string Id,
    [property: Id(1)] string Country,
    [property: Id(2)] OrganizationKind Kind,
    [property: Id(3)] IReadOnlyList<string>? Nationalities = null)
{
    /// <summary>An embassy or international organization registered for <paramref name="nationality"/>.</summary>
    public bool Represents(string nationality) =>
        Kind is OrganizationKind.Embassy or OrganizationKind.International && (Nationalities ?? []).Contains(nationality);
}

[GenerateSerializer, Alias("screening-record")]
public sealed record ScreeningRecord(
    [property: Id(0)] ScreeningOutcome Outcome,
    [property: Id(1)] bool Act,
    [property: Id(2)] bool Means,
    [property: Id(3)] bool Purpose,
    [property: Id(4)] bool Child,
    [property: Id(5)] List<string> Indicators,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] string By)
{
    public ScreeningView ToView() => new(Outcome, new ScreeningElements(Act, Means, Purpose), Child, [.. Indicators], At, By);
}

[GenerateSerializer, Alias("consent-record")]
public sealed record ConsentRecord(
    [property: Id(0)] ConsentPurpose Purpose,
    [property: Id(1)] string? OrganizationId,
    [property: Id(2)] bool Given,
    [property: Id(3)] ConsentMethod Method,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string By)
{
    public ConsentView ToView() => new(Purpose, OrganizationId, Given, Method, At, By);
}

[GenerateSerializer, Alias("handoff-record")]
public sealed class HandoffRecord
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public HandoffKind Kind { get; init; }
    [Id(2)] public string From { get; init; } = "";
    [Id(3)] public OrganizationRef To { get; init; } = null!;
    [Id(4)] public List<ServiceKind> Services { get; init; } = [];
    [Id(5)] public HandoffStatus Status { get; set; }
    [Id(6)] public bool CrossBorder { get; init; }
    [Id(7)] public DateTimeOffset OfferedAt { get; init; }
    [Id(8)] public DateTimeOffset RespondBy { get; init; }
    [Id(9)] public DateTimeOffset? RespondedAt { get; set; }
    [Id(10)] public string? Reason { get; set; }
    [Id(11)] public string? Message { get; init; }
    [Id(12)] public string? ConsentOverrideReason { get; init; }

    public bool IsOpen => Status == HandoffStatus.Offered;

    public bool IsRepatriation => Kind == HandoffKind.Custody && CrossBorder;

    public HandoffView ToView() =>
        new(Id, Kind, From, To.Id, [.. Services], Status, CrossBorder, OfferedAt, RespondBy, RespondedAt, Reason, Message);
}

[GenerateSerializer, Alias("return-plan-record")]
public sealed record ReturnPlanRecord(
    [property: Id(0)] TravelDocument TravelDocument,
    [property: Id(1)] DateOnly PlannedFor,
    [property: Id(2)] string CrossingPoint,
    [property: Id(3)] string? Escort,
    [property: Id(4)] string By)
{
    public ReturnPlanView ToView() => new(TravelDocument, PlannedFor, CrossingPoint, Escort, By);
}

[GenerateSerializer, Alias("return-confirmation-record")]
public sealed record ReturnConfirmationRecord(
    [property: Id(0)] ReturnSide Side,
    [property: Id(1)] string OrganizationId,
    [property: Id(2)] DateTimeOffset HandedOverAt)
{
    public ReturnConfirmationView ToView() => new(Side, OrganizationId, HandedOverAt);
}

[GenerateSerializer, Alias("service-record")]
public sealed record ServiceRecord(
    [property: Id(0)] ServiceKind Service,
    [property: Id(1)] ServiceStatus Status,
    [property: Id(2)] string OrganizationId,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string? Note)
{
    public ServiceView ToView() => new(Service, Status, OrganizationId, At, Note);
}

[GenerateSerializer, Alias("emergency-access-record")]
public sealed record EmergencyAccessRecord(
    [property: Id(0)] string OrganizationId,
    [property: Id(1)] DateTimeOffset OpenedAt,
    [property: Id(2)] DateTimeOffset Until,
    [property: Id(3)] string Reason)
{
    public EmergencyAccessView ToView() => new(OrganizationId, OpenedAt, Until, Reason);
}
