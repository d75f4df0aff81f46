using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Groups;

/// <summary>A return group as stored (sealed like every grain row): who holds it, its members by referral id, and the operation under way.</summary>
[GenerateSerializer, Alias("group-state")]
public sealed class GroupState
{
    [Id(0)] public Guid Id { get; set; }

    [Id(1)] public string Holder { get; set; } = "";

    [Id(2)] public string HolderCountry { get; set; } = "";

    [Id(3)] public string Nationality { get; set; } = "";

    [Id(4)] public string Label { get; set; } = "";

    [Id(5)] public DateTimeOffset CreatedAt { get; set; }

    [Id(6)] public int Version { get; set; }

    [Id(7)] public List<GroupMember> Members { get; set; } = [];

    /// <summary>The organization the group's custody offer went to; it may read the group and answers the offer.</summary>
    [Id(8)] public string? OfferedTo { get; set; }

    [Id(9)] public GroupOperation? Operation { get; set; }

    /// <summary>When the holder withdrew the group; it takes no further step, and its members are free for another.</summary>
    [Id(10)] public DateTimeOffset? WithdrawnAt { get; set; }

    public bool Exists => Version > 0;

    public GroupView ToView() => new(
        Id, Label, Nationality, Holder, OfferedTo, Operation?.Kind,
        [.. Members.Select(m => new GroupMemberView(m.ReferralId, m.Status, m.HandoffId, m.Problem, m.HandoverConfirmedBy is { Count: > 0 } by ? [.. by] : null))],
        CreatedAt, Version, WithdrawnAt);
}

[GenerateSerializer, Alias("group-member")]
public sealed class GroupMember
{
    [Id(0)] public Guid ReferralId { get; set; }

    [Id(1)] public GroupMemberStatus Status { get; set; }

    [Id(2)] public Guid? HandoffId { get; set; }

    /// <summary>Why this person's own call was refused, the last time the group tried; null otherwise.</summary>
    [Id(3)] public BatchItemProblem? Problem { get; set; }

    /// <summary>The sides that confirmed this person's handover, as the referral records them.</summary>
    [Id(4)] public List<Contracts.ReturnSide>? HandoverConfirmedBy { get; set; }

    /// <summary>Whether a member at <paramref name="status"/> is held by their group (of a group not withdrawn): until their return there is settled.</summary>
    public static bool HoldsOpen(GroupMemberStatus status) => status is not (
        GroupMemberStatus.Rejected or GroupMemberStatus.Returned or GroupMemberStatus.Missing or GroupMemberStatus.DeclinedReturn or GroupMemberStatus.Withdrawn);
}

/// <summary>The durable intent of a group operation: saved before any member is reached, and the members still to reach.</summary>
[GenerateSerializer, Alias("group-operation")]
public sealed class GroupOperation
{
    [Id(0)] public GroupOperationKind Kind { get; set; }

    /// <summary>Who asked: every member's call is made as them, under their organization's rules and their role.</summary>
    [Id(1)] public Caller Caller { get; set; } = null!;

    [Id(2)] public DateTimeOffset StartedAt { get; set; }

    [Id(3)] public List<Guid> Pending { get; set; } = [];

    [Id(4)] public OrganizationRef? To { get; set; }

    [Id(5)] public string? Message { get; set; }

    [Id(6)] public DateTimeOffset? RespondBy { get; set; }

    [Id(7)] public string? Reason { get; set; }

    /// <summary>The countries with a focal point when the offer was asked for: who a person of each nationality returns to.</summary>
    [Id(8)] public List<string>? FocalPointCountries { get; set; }

    /// <summary>What each member gets, for operations whose members differ (a verification, a plan, a manifest).</summary>
    [Id(9)] public Dictionary<Guid, GroupInstruction>? Instructions { get; set; }

    [Id(10)] public DateOnly? PlannedFor { get; set; }

    [Id(11)] public string? CrossingPoint { get; set; }

    [Id(12)] public string? Escort { get; set; }

    [Id(13)] public DateTimeOffset? HandedOverAt { get; set; }
}

[GenerateSerializer, Alias("group-instruction")]
public sealed class GroupInstruction
{
    [Id(0)] public Contracts.NationalityOutcome? Outcome { get; set; }

    [Id(1)] public string? Reason { get; set; }

    [Id(2)] public Contracts.TravelDocument? TravelDocument { get; set; }

    [Id(3)] public HandoverOutcome? Handover { get; set; }
}
