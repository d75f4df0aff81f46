namespace ReferralNetwork.Contracts.Api;

// Request bodies are nullable field by field so that a missing field is reported by name
// (400 with an error per field) instead of failing deserialization as a whole.

public sealed record CreateReferralRequest(
    SubjectInput? Subject,
    string? IdentifiedIn,
    DateTimeOffset? IdentifiedAt,
    IReadOnlyList<ExploitationForm>? Exploitation,
    string? Summary);

public sealed record SubjectInput(
    string? GivenName,
    string? FamilyName,
    Sex? Sex,
    DateOnly? DateOfBirth,
    string? Nationality,
    IReadOnlyList<string>? Languages);

/// <summary>A referral as its holder and participants see it: never the subject's names or date of birth.</summary>
public sealed record ReferralView(
    Guid Id,
    Stage Stage,
    string Holder,
    IReadOnlyList<string> Participants,
    string IdentifiedIn,
    string Nationality,
    DateTimeOffset IdentifiedAt,
    string IdentifiedBy,
    Sex Sex,
    AgeBand AgeBand,
    IReadOnlyList<ExploitationForm> Exploitation,
    bool NonPunishment,
    int Version,
    ScreeningView? Screening,
    IReadOnlyList<HandoffView> Handoffs,
    IReadOnlyList<ConsentView> Consents,
    ReturnPlanView? ReturnPlan,
    IReadOnlyList<ReturnConfirmationView> ReturnConfirmations,
    IReadOnlyList<ServiceView> Services,
    IReadOnlyList<EmergencyAccessView> EmergencyAccess,
    ClosureReason? ClosureReason,
    string? NationalityRejectionReason);

/// <summary>The subject compartment: identifying data, readable with <c>subject.read</c> and audited.</summary>
public sealed record SubjectView(
    Guid ReferralId,
    string GivenName,
    string FamilyName,
    Sex Sex,
    DateOnly? DateOfBirth,
    string Nationality,
    IReadOnlyList<string> Languages,
    string? Summary,
    IReadOnlyList<SubjectAccessView> Accesses);

/// <summary>One recorded read of the subject compartment: who, when and why.</summary>
public sealed record SubjectAccessView(string OrganizationId, DateTimeOffset At, string Reason);

/// <summary>One numbered entry of a referral's history; <see cref="Event"/> is the published event itself.</summary>
public sealed record HistoryEntry(int Number, string Type, DateTimeOffset OccurredAt, string ActingOrganizationId, object Event);

public sealed record ReferralSummary(
    Guid Id,
    Stage Stage,
    string Holder,
    string IdentifiedIn,
    string Nationality,
    DateTimeOffset IdentifiedAt,
    DateTimeOffset UpdatedAt,
    int Version);

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
