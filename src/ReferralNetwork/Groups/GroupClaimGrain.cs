namespace ReferralNetwork.Groups;

/// <summary>
/// Which return group a person (keyed by their referral's id) is in: one open group at a time, so that no one is offered
/// on two flights. A group claims each member before it is created. The group itself is the truth about who it holds: a
/// claim counts while its group holds the person open (<see cref="IGroupGrain.HoldsOpen"/>), or, while the group does not
/// exist, for the short while its creation may still take, so that a crash between the claims and the group's first write
/// blocks no one for long.
/// </summary>
[Alias("group-claim")]
public interface IGroupClaimGrain : IGrainWithGuidKey
{
    /// <summary>Claims the person for <paramref name="groupId"/>; answers false when another group holds them open.</summary>
    [Alias("claim")] Task<bool> Claim(Guid groupId);

    /// <summary>Gives the person up, if <paramref name="groupId"/> holds the claim (a group whose creation was refused).</summary>
    [Alias("release")] Task Release(Guid groupId);
}

[GenerateSerializer, Alias("group-claim-state")]
public sealed class GroupClaimState
{
    [Id(0)] public Guid? GroupId { get; set; }

    [Id(1)] public DateTimeOffset ClaimedAt { get; set; }
}

public sealed class GroupClaimGrain(
    [PersistentState("group-claim", GroupsFeature.GrainStorage)] IPersistentState<GroupClaimState> claim,
    TimeProvider time) : Grain, IGroupClaimGrain
{
    /// <summary>Longer than any group's creation takes (its claims, then its first write).</summary>
    public static readonly TimeSpan CreationWindow = TimeSpan.FromMinutes(2);

    public async Task<bool> Claim(Guid groupId)
    {
        if (claim.State.GroupId is { } held && held != groupId && await StillHeldAsync(held))
        {
            return false;
        }

        if (claim.State.GroupId != groupId)
        {
            claim.State = new GroupClaimState { GroupId = groupId, ClaimedAt = time.GetUtcNow() };
            await claim.WriteStateAsync();
        }

        return true;
    }

    /// <summary>The group that made the claim holds the person open, or may still be being created.</summary>
    private async Task<bool> StillHeldAsync(Guid held) =>
        await GrainFactory.GetGrain<IGroupGrain>(held).HoldsOpen(this.GetPrimaryKey()) switch
        {
            { } open => open,
            null => time.GetUtcNow() - claim.State.ClaimedAt < CreationWindow,
        };

    public async Task Release(Guid groupId)
    {
        if (claim.State.GroupId == groupId)
        {
            await claim.ClearStateAsync();
        }
    }
}
