namespace ReferralNetwork.Http;

/// <summary>
/// The stable reasons of refusals: every rule that can say no has one. A problem answer carries it as <c>code</c>
/// beside its English <c>detail</c>; the console shows the text of the code in the person's language
/// (<c>Refusal.{code}</c> in its resources, which a test keeps complete). A code is part of the API: never renamed.
/// </summary>
public static class RefusalCode
{
    public const string NotFound = "not-found";
    public const string ReferralExists = "referral-exists";
    public const string ReferralClosed = "referral-closed";
    public const string RoleDoesNotAllow = "role-does-not-allow";

    /// <summary>If-Match names a version the referral is no longer at (412): read it again and decide again.</summary>
    public const string Stale = "stale";

    public const string OnlyHolderScreens = "only-holder-screens";
    public const string OnlyHolderRecordsConsent = "only-holder-records-consent";
    public const string OnlyHolderOffers = "only-holder-offers";
    public const string OnlyHolderCloses = "only-holder-closes";
    public const string OnlyHolderCorrectsSubject = "only-holder-corrects-subject";
    public const string OnlyHolderAddsDocuments = "only-holder-adds-documents";
    public const string OnlyHolderReadsAccessLog = "only-holder-reads-access-log";

    public const string HandoffToSelf = "handoff-to-self";
    public const string CrossBorderRoute = "cross-border-route";
    public const string RepatriationToNationality = "repatriation-to-nationality";

    /// <summary>A person whose nationality has no focal point on the platform returns through the embassy registered for it in the holder's country.</summary>
    public const string ReturnThroughEmbassy = "return-through-embassy";

    /// <summary>An embassy receives people of the nationalities it is registered for only.</summary>
    public const string EmbassyOfAnotherNationality = "embassy-of-another-nationality";
    public const string RepatriationNotNow = "repatriation-not-now";
    public const string ReturnConsentRequired = "return-consent-required";
    public const string ServicesConsentRequired = "services-consent-required";
    public const string ShareConsentRequired = "share-consent-required";
    public const string OfferAlreadyOpen = "offer-already-open";
    public const string CustodyOfferAlreadyOpen = "custody-offer-already-open";
    public const string OfferNotOpen = "offer-not-open";
    public const string OnlyTargetAnswers = "only-target-answers";
    public const string OnlyOfferingHolderWithdraws = "only-offering-holder-withdraws";

    public const string OnlyOriginVerifies = "only-origin-verifies";
    public const string VerificationNotNow = "verification-not-now";
    public const string VerificationBeforeAcceptance = "verification-before-acceptance";
    public const string OnlyReturnFocalPoints = "only-return-focal-points";
    public const string ReturnPlanNotNow = "return-plan-not-now";
    public const string HandoverNotNow = "handover-not-now";
    public const string HandoverAlreadyConfirmed = "handover-already-confirmed";

    public const string OnlyServiceProviderRecords = "only-service-provider-records";
    public const string EmergencyAccessNotForHolder = "emergency-access-not-for-holder";
    public const string ReintegratedBeforeReturn = "reintegrated-before-return";
    public const string NationalityLocked = "nationality-locked";

    public const string TooManyWebhooks = "too-many-webhooks";
    public const string OnlyOwnCapacity = "only-own-capacity";

    public const string DashboardsNotForThisKind = "dashboards-not-for-this-kind";
    public const string DashboardsOwnCountryOnly = "dashboards-own-country-only";

    /// <summary>Figures per day are a focal point's own workload; the secretariat's periods are whole months.</summary>
    public const string DaysForFocalPointsOnly = "days-for-focal-points-only";
    public const string OnlySecretariatExports = "only-secretariat-exports";

    /// <summary>A possible match already dismissed (it cannot be confirmed) or confirmed by both sides (it cannot be dismissed).</summary>
    public const string MatchDecided = "match-decided";

    /// <summary>A return group created twice under one id.</summary>
    public const string GroupExists = "group-exists";

    /// <summary>No member of the return group is waiting for the step asked for (all offered already, or no open offer).</summary>
    public const string GroupNothingToDo = "group-nothing-to-do";

    /// <summary>The holder offers a return group; the organization it was offered to answers; nobody else does either.</summary>
    public const string GroupNotYours = "group-not-yours";

    /// <summary>The return group is still carrying out its last operation member by member.</summary>
    public const string GroupOperationUnderWay = "group-operation-under-way";

    /// <summary>The return group was withdrawn by its holder: it takes no further step.</summary>
    public const string GroupWithdrawn = "group-withdrawn";

    /// <summary>The console's page of possible matches is for national focal points only (the API gives anyone else an empty list).</summary>
    public const string MatchesNotForThisKind = "matches-not-for-this-kind";

    /// <summary>Every code, for the tests that keep each language complete.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. typeof(RefusalCode).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];
}
