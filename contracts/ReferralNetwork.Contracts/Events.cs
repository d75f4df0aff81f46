namespace ReferralNetwork.Contracts;

// The events of a referral's history. Their namespace and names are the wire identity (MassTransit
// message URNs): they never move. No personal data: an age band and sex at most.

/// <summary>What every referral event carries.</summary>
public interface IReferralEvent
{
    /// <summary>The referral.</summary>
    Guid ReferralId { get; }

    /// <summary>Position in the referral's history: 1, 2, 3… without gaps.</summary>
    int Number { get; }

    DateTimeOffset OccurredAt { get; }

    /// <summary>The organization whose action this was.</summary>
    string ActingOrganizationId { get; }

    /// <summary>The countries involved (ISO 3166-1 alpha-2), for routing and dashboards.</summary>
    IReadOnlyList<string> Countries { get; }

    /// <summary>The referral's stage after this event.</summary>
    Stage Stage { get; }

    /// <summary>The organization responsible after this event.</summary>
    string Holder { get; }
}

/// <summary>An outcome the organizations that handed the case on are told about (closing the loop).</summary>
public interface IReportedOutcome : IReferralEvent
{
    /// <summary>The organizations that handed the case on and hear of this outcome.</summary>
    IReadOnlyList<string> ReportTo { get; }
}

public sealed record ReferralIdentified(
    Guid ReferralId,
    int Number,
    DateTimeOffset OccurredAt,
    string ActingOrganizationId,
    IReadOnlyList<string> Countries,
    Stage Stage,
    string Holder,
    string IdentifiedIn,
    string Nationality,
    Sex Sex,
    AgeBand AgeBand,
    IReadOnlyList<ExploitationForm> Exploitation,
    DateTimeOffset IdentifiedAt) : IReferralEvent;

public sealed record ReferralScreened(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    ScreeningOutcome Outcome,
    bool Act,
    bool Means,
    bool Purpose,
    bool Child,
    IReadOnlyList<string> Indicators,
    bool NonPunishment) : IReferralEvent;

/// <summary>A consent given or withdrawn; the wording the person agreed to stays with the holder.</summary>
public sealed record ConsentRecorded(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    ConsentPurpose Purpose,
    string? OrganizationId,
    bool Given,
    ConsentMethod Method) : IReferralEvent;

/// <summary>
/// <see cref="CrossBorder"/> marks a return (a repatriation): custody to the focal point of the person's country, or,
/// for a nationality without a focal point on the platform, to the embassy registered for it in the holder's country.
/// </summary>
public sealed record HandoffOffered(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    Guid HandoffId,
    HandoffKind Kind,
    string FromOrganizationId,
    string ToOrganizationId,
    IReadOnlyList<ServiceKind> Services,
    DateTimeOffset RespondBy,
    bool CrossBorder,
    ScreeningOutcome? ScreeningOutcome,
    bool ConsentOverridden) : IReferralEvent;

public sealed record HandoffAccepted(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    Guid HandoffId,
    HandoffKind Kind,
    string FromOrganizationId,
    string ToOrganizationId,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

/// <summary>The reason given stays in the referral (it is free text); the event says only that it was declined.</summary>
public sealed record HandoffDeclined(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    Guid HandoffId,
    HandoffKind Kind,
    string FromOrganizationId,
    string ToOrganizationId,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

public sealed record HandoffWithdrawn(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    Guid HandoffId,
    HandoffKind Kind,
    string FromOrganizationId,
    string ToOrganizationId) : IReferralEvent;

/// <summary>An offer left unanswered past its deadline; the holder is told through this event.</summary>
public sealed record HandoffExpired(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    Guid HandoffId,
    HandoffKind Kind,
    string FromOrganizationId,
    string ToOrganizationId,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

public sealed record NationalityVerified(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    string Nationality,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

public sealed record NationalityRejected(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

public sealed record ReturnPlanned(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    TravelDocument TravelDocument,
    DateOnly PlannedFor,
    string CrossingPoint,
    bool Escorted) : IReferralEvent;

/// <summary>One side's confirmation of the handover; <see cref="Completed"/> when both sides have confirmed and custody moved.</summary>
public sealed record ReturnConfirmed(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    ReturnSide Side,
    DateTimeOffset HandedOverAt,
    bool Completed,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

public sealed record ServiceRecorded(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    ServiceKind Service,
    ServiceStatus Status,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

/// <summary>Emergency ("break the glass") access to the subject, opened for a limited time and flagged to the holder.</summary>
public sealed record EmergencyAccessOpened(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    DateTimeOffset Until) : IReferralEvent;

public sealed record ReferralClosed(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    ClosureReason Reason,
    IReadOnlyList<string> ReportTo) : IReportedOutcome;

/// <summary>
/// The holder corrected or completed the subject. Says which fields changed (their names, never their values) and
/// what the workflow derives from them: nationality (it routes repatriation), sex and age band.
/// </summary>
public sealed record SubjectCorrected(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    IReadOnlyList<string> ChangedFields,
    string Nationality,
    Sex Sex,
    AgeBand AgeBand) : IReferralEvent;

/// <summary>A document (passport scan, photo) was added to the subject compartment; its content stays there.</summary>
public sealed record SubjectDocumentAdded(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    Guid DocumentId,
    DocumentKind Kind) : IReferralEvent;

/// <summary>
/// Both focal points confirmed that this referral and one in another country (or the same) are the same person:
/// <see cref="FocalPointId"/>, the other referral's focal point, is a participant from now on (read access; a closed
/// referral accepts this one change). Names neither the other referral nor anything of the person.
/// </summary>
public sealed record ReferralLinked(
    Guid ReferralId, int Number, DateTimeOffset OccurredAt, string ActingOrganizationId, IReadOnlyList<string> Countries, Stage Stage, string Holder,
    Guid MatchId,
    string FocalPointId) : IReferralEvent;
