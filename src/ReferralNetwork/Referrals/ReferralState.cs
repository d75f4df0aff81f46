using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

namespace ReferralNetwork.Referrals;

/// <summary>
/// A referral's workflow state and its rules (DESIGN §2). Each rule checks everything first, then
/// changes the state and records one numbered event: nothing is half-applied. The events after
/// <see cref="PublishedThrough"/> are the ones still to publish (saved in the same write as the state).
/// </summary>
[GenerateSerializer, Alias("referral-state")]
public sealed class ReferralState
{
    /// <summary>The acting organization of what the platform does by itself (an offer expiring).</summary>
    public const string Platform = "referral-network";

    public static readonly TimeSpan EmergencyAccessDuration = TimeSpan.FromHours(3);

    [Id(0)] public Guid Id { get; private set; }
    [Id(1)] public Stage Stage { get; private set; }
    [Id(2)] public string Holder { get; private set; } = "";
    [Id(3)] public List<string> Participants { get; private set; } = [];
    [Id(4)] public string IdentifiedIn { get; private set; } = "";
    [Id(5)] public string Nationality { get; private set; } = "";
    [Id(6)] public DateTimeOffset IdentifiedAt { get; private set; }
    [Id(7)] public string IdentifiedBy { get; private set; } = "";
    [Id(8)] public Sex Sex { get; private set; }
    [Id(9)] public AgeBand AgeBand { get; private set; }
    [Id(10)] public List<ExploitationForm> Exploitation { get; private set; } = [];
    [Id(11)] public bool NonPunishment { get; private set; }

    /// <summary>Hash of the create request when it carried an Idempotency-Key.</summary>
    [Id(12)] public string? CreateRequestHash { get; private set; }

    [Id(13)] public List<IReferralEvent> History { get; private set; } = [];

    /// <summary>Number of the last event known to be published. Advanced after publishing; saved with the next write.</summary>
    [Id(14)] public int PublishedThrough { get; set; }

    [Id(15)] public string HolderCountry { get; private set; } = "";
    [Id(16)] public List<ScreeningRecord> Screenings { get; private set; } = [];
    [Id(17)] public List<ConsentRecord> Consents { get; private set; } = [];
    [Id(18)] public List<HandoffRecord> Handoffs { get; private set; } = [];
    [Id(19)] public ReturnPlanRecord? ReturnPlan { get; private set; }
    [Id(20)] public List<ReturnConfirmationRecord> ReturnConfirmations { get; private set; } = [];
    [Id(21)] public List<ServiceRecord> Services { get; private set; } = [];
    [Id(22)] public List<EmergencyAccessRecord> EmergencyAccess { get; private set; } = [];
    [Id(23)] public ClosureReason? ClosureReason { get; private set; }
    [Id(24)] public string? NationalityRejectionReason { get; private set; }

    /// <summary>
    /// The person behind each event, by event number (systems and the platform itself leave none). Kept here and
    /// shown in the history, never put in the events: they carry organizations only.
    /// </summary>
    [Id(25)] public Dictionary<int, string> ActingPeople { get; private set; } = [];

    public bool Exists => History.Count > 0;

    public int Version => History.Count;

    public IEnumerable<IReferralEvent> Unpublished => History.Skip(PublishedThrough);

    public ScreeningRecord? Screening => Screenings.LastOrDefault();

    public IEnumerable<HandoffRecord> OpenHandoffs => Handoffs.Where(h => h.IsOpen);

    public bool IsVisibleTo(string organizationId) => Exists && (Holder == organizationId || Participants.Contains(organizationId));

    /// <summary>The target of an open offer may answer it, though it cannot see the referral yet.</summary>
    public bool IsOfferedTo(string organizationId, Guid handoffId) =>
        Handoffs.Any(h => h.Id == handoffId && h.To.Id == organizationId);

    // ---- identification and screening ---------------------------------------------------------

    public ReferralIdentified Identify(Guid id, Caller caller, ReferralCommand.Create command, DateTimeOffset now)
    {
        if (Exists)
        {
            throw ProblemException.NotNow(RefusalCode.ReferralExists, "The referral already exists.");
        }

        Id = id;
        Stage = Stage.Identified;
        Holder = IdentifiedBy = caller.OrganizationId;
        HolderCountry = caller.Country;
        IdentifiedIn = command.IdentifiedIn;
        Nationality = command.Identity.Nationality;
        IdentifiedAt = command.IdentifiedAt;
        Sex = command.Identity.Sex;
        AgeBand = AgeBands.At(command.Identity.DateOfBirth, DateOnly.FromDateTime(IdentifiedAt.UtcDateTime));
        Exploitation = [.. command.Exploitation];
        CreateRequestHash = command.RequestHash;
        return Record(n => new ReferralIdentified(
            Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, IdentifiedIn, Nationality, Sex, AgeBand, [.. Exploitation], IdentifiedAt));
    }

    /// <summary>Palermo: an act, a means and a purpose; for a child, the means is not needed.</summary>
    public ReferralScreened Screen(Caller caller, IReadOnlyList<Indicator> indicators, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureHolder(caller, RefusalCode.OnlyHolderScreens, "Only the holder screens a referral.");
        var known = indicators.DistinctBy(i => i.Code).ToList();
        var act = known.Any(i => i.Element == PalermoElement.Act);
        var means = known.Any(i => i.Element == PalermoElement.Means);
        var purpose = known.Any(i => i.Element == PalermoElement.Purpose);
        var child = AgeBand.IsChild();
        var outcome = act && purpose && (means || child) ? ScreeningOutcome.PresumedVictim
            : known.Count == 0 ? ScreeningOutcome.NotAVictim
            : ScreeningOutcome.Inconclusive;

        Screenings.Add(new ScreeningRecord(outcome, act, means, purpose, child, [.. known.Select(i => i.Code)], now, caller.OrganizationId));
        NonPunishment |= outcome == ScreeningOutcome.PresumedVictim;
        if (Stage == Stage.Identified)
        {
            Stage = Stage.Screened;
        }

        return Record(n => new ReferralScreened(
            Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, outcome, act, means, purpose, child, [.. known.Select(i => i.Code)], NonPunishment));
    }

    // ---- consent -------------------------------------------------------------------------------

    public ConsentRecorded RecordConsent(Caller caller, ConsentPurpose purpose, string? organizationId, bool given, ConsentMethod method, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureHolder(caller, RefusalCode.OnlyHolderRecordsConsent, "Only the holder records the person's consent.");
        var organization = purpose == ConsentPurpose.Share ? organizationId : null;
        Consents.Add(new ConsentRecord(purpose, organization, given, method, now, caller.OrganizationId));
        return Record(n => new ConsentRecorded(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, purpose, organization, given, method));
    }

    /// <summary>The latest consent for the purpose (and organization, for sharing) counts.</summary>
    public bool HasConsent(ConsentPurpose purpose, string? organizationId = null) =>
        Consents.LastOrDefault(c => c.Purpose == purpose && (purpose != ConsentPurpose.Share || c.OrganizationId == organizationId))?.Given == true;

    // ---- handoffs ------------------------------------------------------------------------------

    /// <summary>
    /// <paramref name="focalPointCountries"/>: the countries with a focal point on the platform (null: every country). A
    /// person of any other nationality returns through the embassy or international organization registered for that
    /// nationality in the holder's country, never across the border; for the others the route is focal point to focal point.
    /// </summary>
    public HandoffOffered Offer(Caller caller, Guid handoffId, OrganizationRef to, HandoffKind kind, IReadOnlyList<ServiceKind> services,
        string? message, DateTimeOffset respondBy, string? consentOverrideReason, DateTimeOffset now, IReadOnlyCollection<string>? focalPointCountries = null)
    {
        EnsureOpen();
        EnsureHolder(caller, RefusalCode.OnlyHolderOffers, "Only the holder hands a referral on.");
        if (to.Id == Holder)
        {
            throw ProblemException.Invalid("toOrganizationId", "The holder cannot hand a referral to itself.", RefusalCode.HandoffToSelf);
        }

        var withoutFocalPoint = focalPointCountries is not null && !focalPointCountries.Contains(Nationality);
        var crossBorder = to.Country != HolderCountry;
        if (to.Kind == OrganizationKind.Embassy && !to.Represents(Nationality))
        {
            throw new ProblemException(ProblemKind.HandoffRouteNotAllowed,
                $"{to.Id} is an embassy for {string.Join(", ", to.Nationalities ?? [])}: it receives people of those nationalities only, not of {Nationality}.",
                code: RefusalCode.EmbassyOfAnotherNationality);
        }

        if (crossBorder)
        {
            if (kind != HandoffKind.Custody || caller.Kind != OrganizationKind.FocalPoint || to.Kind != OrganizationKind.FocalPoint)
            {
                throw new ProblemException(ProblemKind.HandoffRouteNotAllowed,
                    "Across a border, only custody handoffs from focal point to focal point are allowed; inside a country, the holder may hand to any organization of it.",
                    code: RefusalCode.CrossBorderRoute);
            }

            if (withoutFocalPoint)
            {
                throw new ProblemException(ProblemKind.HandoffRouteNotAllowed,
                    $"{Nationality} has no focal point on the platform: the return goes to the embassy or international organization registered for {Nationality} in {HolderCountry}, not to another country's focal point.",
                    code: RefusalCode.ReturnThroughEmbassy);
            }

            if (to.Country != Nationality)
            {
                throw new ProblemException(ProblemKind.HandoffRouteNotAllowed,
                    $"A cross-border custody handoff is a repatriation: it goes to the focal point of the person's country of nationality ({Nationality}).",
                    code: RefusalCode.RepatriationToNationality);
            }
        }
        else if (kind == HandoffKind.Custody && to.Kind == OrganizationKind.Embassy && !withoutFocalPoint)
        {
            throw new ProblemException(ProblemKind.HandoffRouteNotAllowed,
                $"{Nationality} has a focal point on the platform: the return goes focal point to focal point, not to an embassy.",
                code: RefusalCode.RepatriationToNationality);
        }

        // Custody to the embassy (or international organization) representing the person's nationality is the return
        // itself, as custody to the focal point of that country across the border is: the same steps follow.
        var repatriation = kind == HandoffKind.Custody && (crossBorder || withoutFocalPoint && to.Represents(Nationality));
        if (repatriation)
        {
            if (caller.Kind != OrganizationKind.FocalPoint)
            {
                throw new ProblemException(ProblemKind.HandoffRouteNotAllowed,
                    "A return is handed on by the focal point of the holder's country: hand the referral to it first.",
                    code: RefusalCode.CrossBorderRoute);
            }

            if (Stage is not (Stage.Identified or Stage.Screened or Stage.InProtection))
            {
                throw ProblemException.NotNow(RefusalCode.RepatriationNotNow, $"Repatriation cannot be requested at stage '{Stage}'.");
            }

            if (!HasConsent(ConsentPurpose.Return))
            {
                throw new ProblemException(ProblemKind.ConsentRequired, "The person has not consented to return; a return is never overridden.", code: RefusalCode.ReturnConsentRequired);
            }
        }

        if (OpenHandoffs.Any(h => h.To.Id == to.Id))
        {
            throw ProblemException.NotNow(RefusalCode.OfferAlreadyOpen, $"An offer to {to.Id} is already open.");
        }

        if (kind == HandoffKind.Custody && OpenHandoffs.Any(h => h.Kind == HandoffKind.Custody))
        {
            throw ProblemException.NotNow(RefusalCode.CustodyOfferAlreadyOpen, "Another custody handoff is already open.");
        }

        if (kind == HandoffKind.Service && !HasConsent(ConsentPurpose.Services))
        {
            throw new ProblemException(ProblemKind.ConsentRequired, "The person has not consented to services.", code: RefusalCode.ServicesConsentRequired);
        }

        var overridden = false;
        if (!HasConsent(ConsentPurpose.Share, to.Id))
        {
            if (!caller.Has(Scopes.ConsentOverride) || string.IsNullOrWhiteSpace(consentOverrideReason))
            {
                throw new ProblemException(ProblemKind.ConsentRequired,
                    $"No consent covers sharing the person's data with {to.Id}: record one, or override it with the consent-override permission and a written reason.",
                    code: RefusalCode.ShareConsentRequired);
            }

            overridden = true;
        }

        Handoffs.Add(new HandoffRecord
        {
            Id = handoffId, Kind = kind, From = caller.OrganizationId, To = to, Services = [.. services.Distinct()], Status = HandoffStatus.Offered,
            CrossBorder = repatriation, OfferedAt = now, RespondBy = respondBy, Message = message,
            ConsentOverrideReason = overridden ? consentOverrideReason : null,
        });
        if (repatriation)
        {
            Stage = Stage.RepatriationRequested;
        }

        return Record(n => new HandoffOffered(
            Id, n, now, caller.OrganizationId, Countries(to.Country), Stage, Holder, handoffId, kind, caller.OrganizationId, to.Id, [.. services.Distinct()],
            respondBy, repatriation, Screening?.Outcome, overridden));
    }

    public HandoffAccepted Accept(Caller caller, Guid handoffId, DateTimeOffset now)
    {
        var handoff = OpenOfferTo(caller, handoffId, "Only the organization the offer was made to may accept it.");
        handoff.Status = HandoffStatus.Accepted;
        handoff.RespondedAt = now;
        AddParticipant(handoff.To.Id);
        switch (handoff)
        {
            case { Kind: HandoffKind.Custody, CrossBorder: false }:
                MoveCustodyTo(handoff.To);
                break;
            case { Kind: HandoffKind.Service } when Stage is Stage.Identified or Stage.Screened:
                Stage = Stage.InProtection;
                break;
            case { Kind: HandoffKind.Service } when Stage is Stage.Returned:
                Stage = Stage.Reintegration;
                break;
        }

        return Record(n => new HandoffAccepted(
            Id, n, now, caller.OrganizationId, Countries(handoff.To.Country), Stage, Holder, handoff.Id, handoff.Kind, handoff.From, handoff.To.Id, [handoff.From]));
    }

    public HandoffDeclined Decline(Caller caller, Guid handoffId, string reason, DateTimeOffset now)
    {
        var handoff = OpenOfferTo(caller, handoffId, "Only the organization the offer was made to may decline it.");
        Resolve(handoff, HandoffStatus.Declined, reason, now);
        return Record(n => new HandoffDeclined(
            Id, n, now, caller.OrganizationId, Countries(handoff.To.Country), Stage, Holder, handoff.Id, handoff.Kind, handoff.From, handoff.To.Id, [handoff.From]));
    }

    public HandoffWithdrawn Withdraw(Caller caller, Guid handoffId, string? reason, DateTimeOffset now)
    {
        var handoff = Handoffs.SingleOrDefault(h => h.Id == handoffId) ?? throw ProblemException.NotFound();
        if (caller.OrganizationId != handoff.From || caller.OrganizationId != Holder)
        {
            throw ProblemException.OnlyMay(RefusalCode.OnlyOfferingHolderWithdraws, "Only the holder that made the offer may withdraw it.");
        }

        EnsureOpen();
        EnsureOffered(handoff);
        Resolve(handoff, HandoffStatus.Withdrawn, reason, now);
        return Record(n => new HandoffWithdrawn(
            Id, n, now, caller.OrganizationId, Countries(handoff.To.Country), Stage, Holder, handoff.Id, handoff.Kind, handoff.From, handoff.To.Id));
    }

    /// <summary>Expires the open offers whose deadline has passed; the holder is told through the events.</summary>
    public IReadOnlyList<HandoffExpired> ExpireDue(DateTimeOffset now)
    {
        var due = OpenHandoffs.Where(h => h.RespondBy <= now).ToList();
        return [.. due.Select(handoff =>
        {
            Resolve(handoff, HandoffStatus.Expired, null, now);
            return Record(n => new HandoffExpired(
                Id, n, now, Platform, Countries(handoff.To.Country), Stage, Holder, handoff.Id, handoff.Kind, handoff.From, handoff.To.Id, [handoff.From]));
        })];
    }

    public DateTimeOffset? NextDeadline => OpenHandoffs.Select(h => (DateTimeOffset?)h.RespondBy).Min();

    // ---- repatriation --------------------------------------------------------------------------

    public IReportedOutcome VerifyNationality(Caller caller, NationalityOutcome outcome, string? reason, DateTimeOffset now)
    {
        EnsureOpen();
        var repatriation = AcceptedRepatriation();
        if (!IsOriginSide(caller))
        {
            throw ProblemException.OnlyMay(RefusalCode.OnlyOriginVerifies,
                "Only the focal point of the person's country of nationality, or the embassy or international organization the return was offered to for a country without one, verifies nationality.");
        }

        if (Stage != Stage.RepatriationRequested)
        {
            throw ProblemException.NotNow(RefusalCode.VerificationNotNow, $"Nationality is verified at stage repatriation-requested, not '{Stage}'.");
        }

        if (repatriation is null || caller.OrganizationId != repatriation.To.Id)
        {
            throw ProblemException.NotNow(RefusalCode.VerificationBeforeAcceptance, "The origin side verifies nationality after accepting the custody handoff.");
        }

        if (outcome == NationalityOutcome.Confirmed)
        {
            Stage = Stage.NationalityVerified;
            return Record(n => new NationalityVerified(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, Nationality, [Holder]));
        }

        Stage = Stage.InProtection;
        NationalityRejectionReason = reason;
        return Record(n => new NationalityRejected(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, [Holder]));
    }

    public ReturnPlanned PlanReturn(Caller caller, TravelDocument document, DateOnly plannedFor, string crossingPoint, string? escort, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureFocalPointOfTheReturn(caller, "Only the two sides of the return (the holder's focal point and the origin's focal point or embassy) plan it.");
        if (Stage is not (Stage.NationalityVerified or Stage.ReturnPlanned))
        {
            throw ProblemException.NotNow(RefusalCode.ReturnPlanNotNow, "A return is planned once nationality is verified.");
        }

        ReturnPlan = new ReturnPlanRecord(document, plannedFor, crossingPoint, escort, caller.OrganizationId);
        ReturnConfirmations.Clear();
        Stage = Stage.ReturnPlanned;
        return Record(n => new ReturnPlanned(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, document, plannedFor, crossingPoint, escort is not null));
    }

    /// <summary>Each side confirms once; custody moves to the origin focal point only when both have.</summary>
    public ReturnConfirmed ConfirmReturn(Caller caller, DateTimeOffset handedOverAt, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureFocalPointOfTheReturn(caller, "Only the two sides of the return (the holder's focal point and the origin's focal point or embassy) confirm the handover.");
        if (Stage != Stage.ReturnPlanned)
        {
            throw ProblemException.NotNow(RefusalCode.HandoverNotNow, "The handover is confirmed once the return is planned.");
        }

        var side = caller.OrganizationId == Holder ? ReturnSide.Sending : ReturnSide.Receiving;
        if (ReturnConfirmations.Any(c => c.Side == side))
        {
            throw ProblemException.NotNow(RefusalCode.HandoverAlreadyConfirmed, $"The {side.ToString().ToLowerInvariant()} side has already confirmed the handover.");
        }

        ReturnConfirmations.Add(new ReturnConfirmationRecord(side, caller.OrganizationId, handedOverAt));
        var completed = ReturnConfirmations.Count == 2;
        var other = side == ReturnSide.Sending ? AcceptedRepatriation()!.To.Id : Holder;
        if (completed)
        {
            Stage = Stage.Returned;
            MoveCustodyTo(AcceptedRepatriation()!.To);
        }

        return Record(n => new ReturnConfirmed(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, side, handedOverAt, completed, [other]));
    }

    // ---- services, emergency access, closure ---------------------------------------------------

    public ServiceRecorded RecordService(Caller caller, ServiceKind service, ServiceStatus status, string? note, DateTimeOffset now)
    {
        EnsureOpen();
        var provider = caller.OrganizationId == Holder
            || Handoffs.Any(h => h is { Kind: HandoffKind.Service, Status: HandoffStatus.Accepted } && h.To.Id == caller.OrganizationId && h.Services.Contains(service));
        if (!provider)
        {
            throw ProblemException.OnlyMay(RefusalCode.OnlyServiceProviderRecords, $"Only the holder, or an organization that accepted a service handoff for {service}, records it.");
        }

        Services.Add(new ServiceRecord(service, status, caller.OrganizationId, now, note));
        return Record(n => new ServiceRecorded(
            Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, service, status, caller.OrganizationId == Holder ? [] : [Holder]));
    }

    public EmergencyAccessOpened OpenEmergencyAccess(Caller caller, string reason, DateTimeOffset now)
    {
        EnsureOpen();
        if (caller.OrganizationId == Holder || !caller.Has(Scopes.SubjectRead))
        {
            throw ProblemException.OnlyMay(RefusalCode.EmergencyAccessNotForHolder, "Emergency access is for participants with subject.read; the holder reads the subject anyway.");
        }

        var until = now + EmergencyAccessDuration;
        EmergencyAccess.Add(new EmergencyAccessRecord(caller.OrganizationId, now, until, reason));
        return Record(n => new EmergencyAccessOpened(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, until));
    }

    /// <summary>Closing withdraws the offers still open, then closes; a closed referral refuses every change.</summary>
    public IReadOnlyList<IReferralEvent> Close(Caller caller, ClosureReason reason, DateTimeOffset now)
    {
        EnsureOpen();
        EnsureHolder(caller, RefusalCode.OnlyHolderCloses, "Only the holder closes a referral.");
        if (reason == Contracts.ClosureReason.Reintegrated && Stage is not (Stage.Returned or Stage.Reintegration))
        {
            throw ProblemException.NotNow(RefusalCode.ReintegratedBeforeReturn, "A referral is closed as reintegrated only after the return.");
        }

        var events = new List<IReferralEvent>();
        foreach (var handoff in OpenHandoffs.ToList())
        {
            Resolve(handoff, HandoffStatus.Withdrawn, "The referral was closed.", now);
            events.Add(Record(n => new HandoffWithdrawn(
                Id, n, now, caller.OrganizationId, Countries(handoff.To.Country), Stage, Holder, handoff.Id, handoff.Kind, handoff.From, handoff.To.Id)));
        }

        Stage = Stage.Closed;
        ClosureReason = reason;
        var handedOnBy = Handoffs.Where(h => h.Status == HandoffStatus.Accepted && h.From != caller.OrganizationId).Select(h => h.From).Distinct();
        events.Add(Record(n => new ReferralClosed(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, reason, [.. handedOnBy])));
        return events;
    }

    // ---- the subject compartment -----------------------------------------------------------------

    /// <summary>The holder corrects the subject; a new nationality re-routes repatriation, so it is refused once one is under way.</summary>
    public void EnsureMayCorrectSubject(Caller caller, string nationality)
    {
        EnsureOpen();
        EnsureHolder(caller, RefusalCode.OnlyHolderCorrectsSubject, "Only the holder corrects the subject.");
        if (nationality != Nationality && Stage is not (Stage.Identified or Stage.Screened or Stage.InProtection))
        {
            throw ProblemException.NotNow(RefusalCode.NationalityLocked, $"The nationality cannot change at stage '{Stage}': a repatriation to {Nationality} is under way or done.");
        }
    }

    public SubjectCorrected CorrectSubject(Caller caller, IReadOnlyList<string> changedFields, string nationality, Sex sex, DateOnly? dateOfBirth, DateTimeOffset now)
    {
        EnsureMayCorrectSubject(caller, nationality);
        Nationality = nationality;
        Sex = sex;
        AgeBand = AgeBands.At(dateOfBirth, DateOnly.FromDateTime(IdentifiedAt.UtcDateTime));
        return Record(n => new SubjectCorrected(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, [.. changedFields], Nationality, Sex, AgeBand));
    }

    public void EnsureMayAddDocument(Caller caller)
    {
        EnsureOpen();
        EnsureHolder(caller, RefusalCode.OnlyHolderAddsDocuments, "Only the holder adds documents to the subject.");
    }

    public SubjectDocumentAdded AddDocument(Caller caller, Guid documentId, DocumentKind kind, DateTimeOffset now)
    {
        EnsureMayAddDocument(caller);
        return Record(n => new SubjectDocumentAdded(Id, n, now, caller.OrganizationId, Countries(), Stage, Holder, documentId, kind));
    }

    /// <summary>A participant that reads only because it broke the glass: the read is flagged in the access log.</summary>
    public bool ReadsByEmergencyAccess(Caller caller, DateTimeOffset now) =>
        caller.OrganizationId != Holder && !HasConsent(ConsentPurpose.Share, caller.OrganizationId)
        && EmergencyAccess.Any(e => e.OrganizationId == caller.OrganizationId && e.Until > now);

    /// <summary>The holder; a participant whose latest share consent covers it; or one with emergency access still open.</summary>
    public bool MayReadSubject(Caller caller, DateTimeOffset now) =>
        caller.Has(Scopes.SubjectRead) && IsVisibleTo(caller.OrganizationId) && (
            caller.OrganizationId == Holder
            || HasConsent(ConsentPurpose.Share, caller.OrganizationId)
            || EmergencyAccess.Any(e => e.OrganizationId == caller.OrganizationId && e.Until > now));

    // ---- confirmed duplicates --------------------------------------------------------------------

    /// <summary>
    /// Both focal points confirmed a possible match: <paramref name="focalPointId"/> (of the other referral's country)
    /// becomes a participant, even of a closed referral (the one change it accepts, and read access only). Once per match.
    /// </summary>
    public ReferralLinked? Link(Guid matchId, string focalPointId, string focalPointCountry, DateTimeOffset now)
    {
        if (!Exists || History.OfType<ReferralLinked>().Any(l => l.MatchId == matchId))
        {
            return null;
        }

        AddParticipant(focalPointId);
        return Record(n => new ReferralLinked(Id, n, now, Platform, Countries(focalPointCountry), Stage, Holder, matchId, focalPointId));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void EnsureOpen()
    {
        if (Stage == Stage.Closed)
        {
            throw ProblemException.NotNow(RefusalCode.ReferralClosed, "The referral is closed; it accepts no further change.");
        }
    }

    private void EnsureHolder(Caller caller, string code, string rule)
    {
        if (caller.OrganizationId != Holder)
        {
            throw ProblemException.OnlyMay(code, rule);
        }
    }

    private static void EnsureOffered(HandoffRecord handoff)
    {
        if (!handoff.IsOpen)
        {
            throw ProblemException.NotNow(RefusalCode.OfferNotOpen, $"The offer is already {handoff.Status.ToString().ToLowerInvariant()}.");
        }
    }

    private HandoffRecord OpenOfferTo(Caller caller, Guid handoffId, string rule)
    {
        var handoff = Handoffs.SingleOrDefault(h => h.Id == handoffId) ?? throw ProblemException.NotFound();
        if (handoff.To.Id != caller.OrganizationId)
        {
            throw ProblemException.OnlyMay(RefusalCode.OnlyTargetAnswers, rule);
        }

        EnsureOpen();
        EnsureOffered(handoff);
        return handoff;
    }

    private void Resolve(HandoffRecord handoff, HandoffStatus status, string? reason, DateTimeOffset now)
    {
        handoff.Status = status;
        handoff.Reason = reason;
        handoff.RespondedAt = now;
        if (handoff.IsRepatriation && Stage == Stage.RepatriationRequested)
        {
            Stage = Stage.InProtection;
        }
    }

    private HandoffRecord? AcceptedRepatriation() =>
        Handoffs.LastOrDefault(h => h.IsRepatriation && h.Status == HandoffStatus.Accepted);

    /// <summary>
    /// Who speaks for the person's country: its focal point, or, for a country without one on the platform, the embassy
    /// or international organization a return was offered to as representing it (which verifies as the consul does).
    /// </summary>
    private bool IsOriginSide(Caller caller) =>
        caller.Kind == OrganizationKind.FocalPoint && caller.Country == Nationality
        || Handoffs.Any(h => h.IsRepatriation && h.To.Id == caller.OrganizationId && h.To.Represents(Nationality));

    private void EnsureFocalPointOfTheReturn(Caller caller, string rule)
    {
        if (caller.OrganizationId != Holder && caller.OrganizationId != AcceptedRepatriation()?.To.Id)
        {
            throw ProblemException.OnlyMay(RefusalCode.OnlyReturnFocalPoints, rule);
        }
    }

    /// <summary>The former holder stays a participant: it handed the case on and hears of its outcomes.</summary>
    private void MoveCustodyTo(OrganizationRef to)
    {
        var former = Holder;
        Participants.Remove(to.Id);
        Holder = to.Id;
        HolderCountry = to.Country;
        AddParticipant(former);
    }

    private void AddParticipant(string organizationId)
    {
        if (organizationId != Holder && !Participants.Contains(organizationId))
        {
            Participants.Add(organizationId);
        }
    }

    private List<string> Countries(string? also = null) =>
        [.. new[] { IdentifiedIn, Nationality, HolderCountry, also }.OfType<string>().Where(c => c.Length > 0).Distinct()];

    private TEvent Record<TEvent>(Func<int, TEvent> create) where TEvent : IReferralEvent
    {
        var @event = create(History.Count + 1);
        History.Add(@event);
        return @event;
    }

    public ReferralView ToView() => new(
        Id, Stage, Holder, [.. Participants], IdentifiedIn, Nationality, IdentifiedAt, IdentifiedBy, Sex, AgeBand, [.. Exploitation], NonPunishment, Version,
        Screening?.ToView(),
        [.. Handoffs.Select(h => h.ToView())],
        [.. Consents.Select(c => c.ToView())],
        ReturnPlan?.ToView(),
        [.. ReturnConfirmations.Select(c => c.ToView())],
        [.. Services.Select(s => s.ToView())],
        [.. EmergencyAccess.Select(e => e.ToView())],
        ClosureReason,
        NationalityRejectionReason);

    /// <summary>Remembers <paramref name="person"/> as the actor of every event recorded after <paramref name="versionBefore"/>.</summary>
    public void RecordActingPerson(int versionBefore, string? person)
    {
        if (person is null)
        {
            return;
        }

        foreach (var e in History.Skip(versionBefore))
        {
            ActingPeople[e.Number] = person;
        }
    }

    public IReadOnlyList<HistoryEntry> ToHistory() =>
        [.. History.Select(e => new HistoryEntry(e.Number, e.GetType().Name, e.OccurredAt, e.ActingOrganizationId, e, ActingPeople.GetValueOrDefault(e.Number)))];
}
