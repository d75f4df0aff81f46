using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Groups;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// The organization's return groups (<see cref="GroupBoard.ListAsync"/>, as <c>GET /api/v1/groups</c>): those it holds and
/// those offered to it, newest first, each with where its people are. Nothing of a person: a label, a nationality, counts.
/// </summary>
public sealed class GroupsModel(GroupBoard board) : WorkPage
{
    public IReadOnlyList<GroupView> Groups { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Caller.Has(Scopes.ReferralsRead))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        try
        {
            var listed = await board.ListAsync(Caller);
            // The list names the groups; each group says where its people are (a read of grains held in memory). A group
            // offered since to another organization is in this one's list still, and no longer this organization's to see.
            Groups = [.. (await Task.WhenAll(listed.Select(VisibleAsync))).OfType<GroupView>()];
        }
        catch (ProblemException problem)
        {
            return Refused(problem.Code ?? RefusalCode.RoleDoesNotAllow, Problems.StatusOf(problem.Kind));
        }

        await LoadDirectoryAsync();
        return Page();
    }

    private async Task<GroupView?> VisibleAsync(GroupSummary group)
    {
        try
        {
            return await board.GetAsync(Caller, group.Id);
        }
        catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>How many of the group's people are at each status, in the order of a return.</summary>
    public static IEnumerable<(GroupMemberStatus Status, int Count)> Counts(GroupView group) =>
        group.Members.GroupBy(m => m.Status).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()));
}
