using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Identity;
using ReferralNetwork.Infrastructure;

namespace ReferralNetwork.Referrals;

/// <summary>
/// A referral's workflow state. Each rule is a method that checks, builds the event and applies it; the
/// history of events is the audit trail, and the events after <see cref="PublishedThrough"/> are the
/// ones still to publish (saved in the same write as the state they explain).
/// </summary>
[GenerateSerializer, Alias("referral-state")]
public sealed class ReferralState
{
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

    public bool Exists => History.Count > 0;

    public int Version => History.Count;

    public IEnumerable<IReferralEvent> Unpublished => History.Skip(PublishedThrough);

    public bool IsVisibleTo(string organizationId) => Exists && (Holder == organizationId || Participants.Contains(organizationId));

    public ReferralIdentified Identify(Guid id, Caller caller, CreateReferralRequest request, string? requestHash, DateTimeOffset now)
    {
        if (Exists)
        {
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "The referral already exists.");
        }

        var subject = request.Subject!;
        var identifiedAt = request.IdentifiedAt!.Value;
        var nationality = subject.Nationality!.ToUpperInvariant();
        var identifiedIn = request.IdentifiedIn!.ToUpperInvariant();
        CreateRequestHash = requestHash;
        return Apply(new ReferralIdentified(
            id,
            NextNumber,
            now,
            caller.OrganizationId,
            [.. new[] { identifiedIn, nationality }.Distinct()],
            identifiedIn,
            nationality,
            subject.Sex!.Value,
            AgeBands.At(subject.DateOfBirth, DateOnly.FromDateTime(identifiedAt.UtcDateTime)),
            [.. request.Exploitation!.Distinct()]));
    }

    private int NextNumber => History.Count + 1;

    private TEvent Apply<TEvent>(TEvent @event) where TEvent : IReferralEvent
    {
        switch (@event)
        {
            case ReferralIdentified e:
                Id = e.ReferralId;
                Stage = Stage.Identified;
                Holder = e.ActingOrganizationId;
                IdentifiedBy = e.ActingOrganizationId;
                IdentifiedIn = e.IdentifiedIn;
                Nationality = e.Nationality;
                IdentifiedAt = e.OccurredAt;
                Sex = e.Sex;
                AgeBand = e.AgeBand;
                Exploitation = [.. e.Exploitation];
                break;
        }

        History.Add(@event);
        return @event;
    }

    public ReferralView ToView() => new(
        Id, Stage, Holder, [.. Participants], IdentifiedIn, Nationality, IdentifiedAt, IdentifiedBy, Sex, AgeBand, [.. Exploitation], NonPunishment, Version);

    public IReadOnlyList<HistoryEntry> ToHistory() =>
        [.. History.Select(e => new HistoryEntry(e.Number, e.GetType().Name, e.OccurredAt, e.ActingOrganizationId, e))];
}
