using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Subjects;

/// <summary>
/// The subject compartment: the person's identifying data, kept in its own grain state (and storage
/// provider), never in events, logs or read models. Every read is recorded.
/// </summary>
[GenerateSerializer, Alias("subject-state")]
public sealed class SubjectState
{
    [Id(0)] public string GivenName { get; set; } = "";
    [Id(1)] public string FamilyName { get; set; } = "";
    [Id(2)] public Sex Sex { get; set; }
    [Id(3)] public DateOnly? DateOfBirth { get; set; }
    [Id(4)] public string Nationality { get; set; } = "";
    [Id(5)] public List<string> Languages { get; set; } = [];

    /// <summary>Free-text case narrative: it tends to name people and places, so it lives here.</summary>
    [Id(6)] public string? Summary { get; set; }

    [Id(7)] public List<SubjectAccess> Accesses { get; set; } = [];

    public static SubjectState From(ReferralCommand.Create command) => new()
    {
        GivenName = command.Subject.GivenName,
        FamilyName = command.Subject.FamilyName,
        Sex = command.Subject.Sex,
        DateOfBirth = command.Subject.DateOfBirth,
        Nationality = command.Subject.Nationality,
        Languages = [.. command.Subject.Languages],
        Summary = command.Summary,
    };

    public SubjectView ToView(Guid referralId) =>
        new(referralId, GivenName, FamilyName, Sex, DateOfBirth, Nationality, [.. Languages], Summary,
            [.. Accesses.Select(a => new SubjectAccessView(a.OrganizationId, a.At, a.Reason))]);
}

/// <summary>One read of the subject compartment: who, when, why.</summary>
[GenerateSerializer, Immutable, Alias("subject-access")]
public sealed record SubjectAccess(
    [property: Id(0)] string OrganizationId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Reason);

/// <summary>
/// The subject compartment as a grain of its own, reached only through the referral grain, which decides
/// who may read it. A referral activates without loading anyone's identity, and the compartment leaves
/// memory as soon as it has answered.
/// </summary>
[Alias("subject")]
public interface ISubjectGrain : IGrainWithGuidKey
{
    [Alias("record")] Task Record(SubjectState subject);

    /// <summary>Records the read (who, when, why) before it answers: no unaudited read.</summary>
    [Alias("read")] Task<SubjectView> Read(string organizationId, string reason);
}

// The state name "subject" keys the stored row (with the referral's id): the same row the referral grain wrote
// when it kept the compartment itself.
public sealed class SubjectGrain(
    [PersistentState("subject", SubjectsFeature.GrainStorage)] IPersistentState<SubjectState> subject,
    TimeProvider time) : Grain, ISubjectGrain
{
    public async Task Record(SubjectState state)
    {
        subject.State = state;
        await subject.WriteStateAsync();
        DeactivateOnIdle();
    }

    public async Task<SubjectView> Read(string organizationId, string reason)
    {
        subject.State.Accesses.Add(new SubjectAccess(organizationId, time.GetUtcNow(), reason));
        await subject.WriteStateAsync();
        DeactivateOnIdle();
        return subject.State.ToView(this.GetPrimaryKey());
    }
}
