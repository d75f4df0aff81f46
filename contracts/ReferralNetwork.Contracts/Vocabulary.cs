using System.Text.Json.Serialization;

namespace ReferralNetwork.Contracts;

// Enums travel as kebab-case strings ("in-protection", "focal-point"); the member names are part of the contract.

public enum Stage
{
    Identified,
    Screened,
    InProtection,
    RepatriationRequested,
    NationalityVerified,
    ReturnPlanned,
    Returned,
    Reintegration,
    Closed,
}

public enum Sex
{
    Female,
    Male,
    Other,
    Unknown,
}

/// <summary>The only trace of age that leaves the subject compartment.</summary>
public enum AgeBand
{
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("0-11")] Under12,
    [JsonStringEnumMemberName("12-17")] From12To17,
    [JsonStringEnumMemberName("18-24")] From18To24,
    [JsonStringEnumMemberName("25-34")] From25To34,
    [JsonStringEnumMemberName("35-49")] From35To49,
    [JsonStringEnumMemberName("50+")] From50,
}

public enum OrganizationKind
{
    FocalPoint,
    Shelter,
    Ngo,
    LawEnforcement,
    SocialServices,

    /// <summary>An international organization (IOM, UNHCR, …); the directory may mark it as handling nationalities that have no focal point.</summary>
    International,

    /// <summary>An embassy or consulate sitting in a tenant country, for the nationalities it represents that have no focal point on the platform.</summary>
    Embassy,
}

public enum ServiceKind
{
    Shelter,
    Medical,
    Psychosocial,
    LegalAid,
    FamilyTracing,
    Vocational,
    Reintegration,
}

/// <summary>Forms of exploitation recorded at identification.</summary>
public enum ExploitationForm
{
    ForcedCriminality,
    ForcedLabour,
    SexualExploitation,
    ForcedMarriage,
    DomesticServitude,
    Begging,
    OrganRemoval,
    Other,
}

public static class AgeBands
{
    /// <summary>The band of a person born on <paramref name="dateOfBirth"/>, at <paramref name="at"/>.</summary>
    public static AgeBand At(DateOnly? dateOfBirth, DateOnly at)
    {
        if (dateOfBirth is not { } born || born > at)
        {
            return AgeBand.Unknown;
        }

        var age = at.Year - born.Year - (at < born.AddYears(at.Year - born.Year) ? 1 : 0);
        return age switch
        {
            < 12 => AgeBand.Under12,
            < 18 => AgeBand.From12To17,
            < 25 => AgeBand.From18To24,
            < 35 => AgeBand.From25To34,
            < 50 => AgeBand.From35To49,
            _ => AgeBand.From50,
        };
    }

    public static bool IsChild(this AgeBand band) => band is AgeBand.Under12 or AgeBand.From12To17;
}

public enum PalermoElement
{
    Act,
    Means,
    Purpose,
}

public enum ScreeningOutcome
{
    PresumedVictim,
    NotAVictim,
    Inconclusive,
}

public enum ConsentPurpose
{
    /// <summary>To receive services (shelter, medical, …).</summary>
    Services,

    /// <summary>To share the subject with one named organization.</summary>
    Share,

    /// <summary>To be returned to the country of nationality.</summary>
    Return,
}

public enum ConsentMethod
{
    Verbal,
    Written,
}

public enum HandoffKind
{
    /// <summary>Moves responsibility (cross-border repatriation, domestic placement).</summary>
    Custody,

    /// <summary>Asks for services while the holder stays responsible.</summary>
    Service,
}

public enum HandoffStatus
{
    Offered,
    Accepted,
    Declined,
    Withdrawn,
    Expired,
}

public enum NationalityOutcome
{
    Confirmed,
    Rejected,
}

public enum TravelDocument
{
    Passport,
    EmergencyTravelDocument,
}

/// <summary>Which side of a border crossing confirmed the handover.</summary>
public enum ReturnSide
{
    Sending,
    Receiving,
}

public enum ServiceStatus
{
    Started,
    Delivered,
}

public enum ClosureReason
{
    Reintegrated,
    LocalIntegration,
    ThirdCountry,
    DeclinedAssistance,
    LostContact,
    Deceased,
    NotAVictim,
    Duplicate,
}

/// <summary>Why someone reads the subject compartment: a fixed list, so that no free text goes into a URL (a note goes in the <c>Access-Note</c> header).</summary>
public enum AccessPurpose
{
    CaseWork,
    NationalityVerification,
    ReturnPlanning,
    ServiceDelivery,
    FamilyTracing,
    LegalAssistance,
    Emergency,
}

/// <summary>What a document in the subject compartment is.</summary>
public enum DocumentKind
{
    PassportScan,
    IdentityCard,
    Photo,
    Other,
}
