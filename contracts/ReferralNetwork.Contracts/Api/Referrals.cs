using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

// Request bodies are nullable field by field so that a missing field is reported by name
// (400 with an error per field) instead of failing deserialization as a whole.

public sealed record CreateReferralRequest(
    SubjectInput? Subject,
    [property: MaxLength(Limits.CountryCode)] string? IdentifiedIn,
    DateTimeOffset? IdentifiedAt,
    [property: MaxLength(Limits.Codes)] IReadOnlyList<ExploitationForm>? Exploitation,
    [property: MaxLength(Limits.Summary)] string? Summary);

public sealed record SubjectInput(
    [property: MaxLength(Limits.Name)] string? GivenName,
    [property: MaxLength(Limits.Name)] string? FamilyName,
    Sex? Sex,
    DateOnly? DateOfBirth,
    [property: MaxLength(Limits.CountryCode)] string? Nationality,
    [property: MaxLength(Limits.Languages), ItemMaxLength(Limits.LanguageTag)] IReadOnlyList<string>? Languages);

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
    string? NationalityRejectionReason)
{
    /// <summary>Free text (reasons, messages, notes) stays out of logs and traces.</summary>
    public override string ToString() => $"{nameof(ReferralView)} {{ Id = {Id}, Stage = {Stage}, Version = {Version} }}";
}

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
    IReadOnlyList<DocumentView> Documents)
{
    /// <summary>Names no one: a view that ends up in a log or a trace must not carry the person there.</summary>
    public override string ToString() => $"{nameof(SubjectView)} {{ ReferralId = {ReferralId} }}";
}

/// <summary>The holder's correction of the subject (a full replacement; the same fields as at creation, and the summary).</summary>
public sealed record SubjectCorrectionRequest(
    [property: MaxLength(Limits.Name)] string? GivenName,
    [property: MaxLength(Limits.Name)] string? FamilyName,
    Sex? Sex,
    DateOnly? DateOfBirth,
    [property: MaxLength(Limits.CountryCode)] string? Nationality,
    [property: MaxLength(Limits.Languages), ItemMaxLength(Limits.LanguageTag)] IReadOnlyList<string>? Languages,
    [property: MaxLength(Limits.Summary)] string? Summary);

/// <summary>A document of the subject compartment, as listed with the subject (its content is read on its own).</summary>
public sealed record DocumentView(Guid Id, DocumentKind Kind, string ContentType, long Length, DateTimeOffset AddedAt, string AddedBy);

/// <summary>
/// One read of the subject compartment (or of one of its documents), for the holder's access log: who (organization, and
/// the person once people sign in), when, for what purpose, with what note, and whether it was emergency access.
/// </summary>
public sealed record AccessLogEntry(
    string OrganizationId, string? Person, DateTimeOffset At, AccessPurpose? Purpose, string? Note, bool EmergencyAccess, Guid? DocumentId)
{
    public override string ToString() => $"{nameof(AccessLogEntry)} {{ {OrganizationId}, {At:O}, {Purpose} }}";
}

/// <summary>
/// One numbered entry of a referral's history; <see cref="Event"/> is the published event itself.
/// <see cref="ActingPerson"/> is the opaque id of the person who did it (null when a system or the platform did).
/// </summary>
public sealed record HistoryEntry(int Number, string Type, DateTimeOffset OccurredAt, string ActingOrganizationId, object Event, string? ActingPerson = null);

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
