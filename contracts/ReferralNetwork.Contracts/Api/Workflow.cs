using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

public sealed record ScreeningRequest([property: MaxLength(Limits.Codes), ItemMaxLength(Limits.Code)] IReadOnlyList<string>? Indicators);

public sealed record ScreeningElements(bool Act, bool Means, bool Purpose);

/// <summary>The outcome is computed by the Palermo rule, never typed in.</summary>
public sealed record ScreeningResult(ScreeningOutcome Outcome, ScreeningElements Elements, bool Child);

public sealed record ConsentRequest(
    ConsentPurpose? Purpose, [property: MaxLength(Limits.OrganizationId)] string? OrganizationId, bool? Given, ConsentMethod? Method);

public sealed record HandoffRequest(
    [property: MaxLength(Limits.OrganizationId)] string? ToOrganizationId,
    HandoffKind? Kind,
    [property: MaxLength(Limits.Codes)] IReadOnlyList<ServiceKind>? Services,
    [property: MaxLength(Limits.Text)] string? Message,
    DateTimeOffset? RespondBy,
    [property: MaxLength(Limits.Text)] string? ConsentOverrideReason);

/// <summary>Body of decline (reason required) and withdraw (reason optional).</summary>
public sealed record ReasonRequest([property: MaxLength(Limits.Text)] string? Reason);

public sealed record NationalityVerificationRequest(NationalityOutcome? Outcome, [property: MaxLength(Limits.Text)] string? Reason);

public sealed record ReturnPlanRequest(
    TravelDocument? TravelDocument,
    DateOnly? PlannedFor,
    [property: MaxLength(Limits.CrossingPoint)] string? CrossingPoint,
    [property: MaxLength(Limits.Escort)] string? Escort);

public sealed record ReturnConfirmationRequest(DateTimeOffset? HandedOverAt);

public sealed record ServiceRequest(ServiceKind? Service, ServiceStatus? Status, [property: MaxLength(Limits.Text)] string? Note);

public sealed record CloseRequest(ClosureReason? Reason);

public sealed record EmergencyAccessRequest([property: MaxLength(Limits.Text)] string? Reason);

public sealed record ScreeningView(
    ScreeningOutcome Outcome, ScreeningElements Elements, bool Child, IReadOnlyList<string> Indicators, DateTimeOffset ScreenedAt, string ScreenedBy);

public sealed record ConsentView(ConsentPurpose Purpose, string? OrganizationId, bool Given, ConsentMethod Method, DateTimeOffset RecordedAt, string RecordedBy);

/// <summary>An offer as its holder and participants see it; <see cref="CrossBorder"/> marks a return (see <see cref="HandoffOffered"/>).</summary>
public sealed record HandoffView(
    Guid Id,
    HandoffKind Kind,
    string From,
    string To,
    IReadOnlyList<ServiceKind> Services,
    HandoffStatus Status,
    bool CrossBorder,
    DateTimeOffset OfferedAt,
    DateTimeOffset RespondBy,
    DateTimeOffset? RespondedAt,
    string? Reason,
    string? Message)
{
    public override string ToString() => $"{nameof(HandoffView)} {{ Id = {Id}, Kind = {Kind}, Status = {Status} }}";
}

public sealed record ReturnPlanView(TravelDocument TravelDocument, DateOnly PlannedFor, string CrossingPoint, string? Escort, string PlannedBy);

public sealed record ReturnConfirmationView(ReturnSide Side, string OrganizationId, DateTimeOffset HandedOverAt);

public sealed record ServiceView(ServiceKind Service, ServiceStatus Status, string OrganizationId, DateTimeOffset RecordedAt, string? Note);

public sealed record EmergencyAccessView(string OrganizationId, DateTimeOffset OpenedAt, DateTimeOffset Until, string Reason);

/// <summary>
/// What a target sees of an offer before accepting it: enough to decide, nothing about the person. <see cref="CapacityAtOffer"/>
/// is the target's own reported capacity for the offered services as it stood when the offer was made.
/// </summary>
public sealed record InboxItem(
    Guid HandoffId,
    Guid ReferralId,
    HandoffKind Kind,
    string From,
    IReadOnlyList<string> Countries,
    Stage Stage,
    ScreeningOutcome? ScreeningOutcome,
    IReadOnlyList<ServiceKind> Services,
    DateTimeOffset OfferedAt,
    DateTimeOffset RespondBy,
    IReadOnlyList<ServiceCapacityView>? CapacityAtOffer = null);

public sealed record IndicatorView(string Code, PalermoElement Element, string Category, string Label, string Language, bool AwaitingReview);
