using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Groups;

/// <summary>
/// The return groups of one organization (keyed by its id): those it holds and those offered to it, newest first, so that
/// a focal point finds its groups again. A group adds itself when created and when offered; nothing of a person is here.
/// </summary>
[Alias("group-list")]
public interface IGroupListGrain : IGrainWithStringKey
{
    [Alias("put")] Task Put(GroupSummary group);

    [Alias("list")] Task<IReadOnlyList<GroupSummary>> List();
}

[GenerateSerializer, Alias("group-list-state")]
public sealed class GroupListState
{
    [Id(0)] public List<GroupSummary> Groups { get; set; } = [];
}

public sealed class GroupListGrain([PersistentState("group-list", GroupsFeature.GrainStorage)] IPersistentState<GroupListState> list) : Grain, IGroupListGrain
{
    public async Task Put(GroupSummary group)
    {
        var known = list.State.Groups.FindIndex(g => g.Id == group.Id);
        if (known >= 0 && list.State.Groups[known] == group)
        {
            return;
        }

        if (known >= 0)
        {
            list.State.Groups[known] = group;
        }
        else
        {
            list.State.Groups.Add(group);
        }

        await list.WriteStateAsync();
    }

    public Task<IReadOnlyList<GroupSummary>> List() =>
        Task.FromResult<IReadOnlyList<GroupSummary>>([.. list.State.Groups.OrderByDescending(g => g.CreatedAt)]);
}
