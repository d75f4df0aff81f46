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
}

public sealed record ReferralIdentified(
    Guid ReferralId,
    int Number,
    DateTimeOffset OccurredAt,
    string ActingOrganizationId,
    IReadOnlyList<string> Countries,
    string IdentifiedIn,
    string Nationality,
    Sex Sex,
    AgeBand AgeBand,
    IReadOnlyList<ExploitationForm> Exploitation) : IReferralEvent;
