using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Groups;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals.ReadModel;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// A new return group (<see cref="GroupBoard.CreateAsync"/>, as <c>POST /api/v1/groups</c>): a nationality first, then
/// the people of it the organization holds whose return is open, each on their own line by their short reference (never
/// a name). A flight holds hundreds: the lines come from the referral list's read model in one query, and the people
/// the organization's groups hold already are left out by one read per group; whatever the list did not know yet, the
/// group refuses on that person's line.
/// </summary>
public sealed class NewGroupModel(GroupBoard board) : WorkPage
{
    /// <summary>Stages after which there is no return to plan (the list stores stages as text: compared by name, not order).</summary>
    private static readonly Stage[] Settled = [Stage.Returned, Stage.Reintegration, Stage.Closed];

    [BindProperty(SupportsGet = true)]
    public string? Nationality { get; set; }

    /// <summary>Every line shown ticked (the "select all" link: a link, so that it works without script).</summary>
    [BindProperty(SupportsGet = true)]
    public bool All { get; set; }

    /// <summary>The nationalities of the open referrals the organization holds, other than its own country's.</summary>
    public IReadOnlyList<string> Nationalities { get; private set; } = [];

    /// <summary>The people of <see cref="Nationality"/> who may go into a group, oldest identified first, at most a group's worth.</summary>
    public IReadOnlyList<ReferralListRow> Rows { get; private set; } = [];

    /// <summary>How many may go into a group: more than <see cref="Rows"/> when they are more than one group holds.</summary>
    public int Total { get; private set; }

    public string? Label { get; private set; }

    /// <summary>The people ticked when the form was sent (shown ticked again when it is refused).</summary>
    public IReadOnlySet<Guid> Chosen { get; private set; } = new HashSet<Guid>();

    /// <summary>Why the group refused a person, by referral (a text key of the console).</summary>
    public IReadOnlyDictionary<Guid, string> Refusals { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>The person may create groups: their role allows group operations, with the scope the API's route requires.</summary>
    public static bool MayCreate(Caller caller) => caller.Has(Scopes.ReferralsWrite) && caller.May(CaseAction.GroupOperations);

    public Task<IActionResult> OnGetAsync() => MayCreate(Caller) ? ShowAsync() : Task.FromResult(Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden));

    public async Task<IActionResult> OnPostCreateAsync(string? label, List<Guid>? referrals)
    {
        if (!MayCreate(Caller))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        var chosen = referrals ?? [];
        GroupView? created = null;
        var page = await CommandAsync(
            async () => created = await board.CreateAsync(Caller, new CreateGroupRequest(label, chosen)),
            "Done.GroupCreate",
            () => new EmptyResult(),
            () =>
            {
                Label = label;
                Chosen = chosen.ToHashSet();
                Refusals = RefusalsOf(chosen);
                return ShowAsync();
            });
        return created is null ? page : Redirect($"/console/groups/{created.Id}");
    }

    /// <summary>The refusal of each person's line (<c>referrals[i]</c> is the i-th person sent), in the console's words.</summary>
    private Dictionary<Guid, string> RefusalsOf(List<Guid> chosen)
    {
        var refused = new Dictionary<Guid, string>();
        for (var i = 0; i < chosen.Count; i++)
        {
            if (FieldErrors.TryGetValue($"referrals[{i}]", out var messages) && messages.Length > 0)
            {
                refused[chosen[i]] = messages[0] switch
                {
                    GroupCommand.Create.NoSuchReferral or GroupCommand.Create.NotHolder => "NewGroup.Error.NotHeld",
                    GroupCommand.Create.OtherNationality => "NewGroup.Error.Nationality",
                    GroupCommand.Create.OwnCountry => "NewGroup.Error.OwnCountry",
                    GroupCommand.Create.InAnotherGroup => "NewGroup.Error.InGroup",
                    _ => "Refusal.other",
                };
            }
        }

        return refused;
    }

    /// <summary>The address of this page for a nationality, every line ticked or none.</summary>
    public string LinkFor(string nationality, bool all) => QueryString.Create(new Dictionary<string, string?>
    {
        ["nationality"] = nationality,
        ["all"] = all ? "true" : null,
    }.Where(p => p.Value is not null)).ToUriComponent();

    private async Task<IActionResult> ShowAsync()
    {
        await LoadDirectoryAsync();
        var organization = Caller.OrganizationId;
        var own = Caller.Country;
        var open = Db.Referrals.AsNoTracking().Where(r => r.Holder == organization && !Settled.Contains(r.Stage) && r.Nationality != own);
        var cancel = HttpContext.RequestAborted;
        Nationalities = await open.Select(r => r.Nationality).Distinct().OrderBy(n => n).ToListAsync(cancel);
        if (Nationality is { Length: 2 } nationality && Nationalities.Contains(nationality.ToUpperInvariant()))
        {
            Nationality = nationality.ToUpperInvariant();
            var grouped = await board.HeldOpenAsync(Caller);
            var free = (await open.Where(r => r.Nationality == Nationality).OrderBy(r => r.IdentifiedAt).ThenBy(r => r.Id).ToListAsync(cancel))
                .Where(r => !grouped.Contains(r.Id) || Chosen.Contains(r.Id)).ToList();
            Total = free.Count;
            Rows = [.. free.Take(Limits.GroupMembers)];
        }
        else
        {
            Nationality = null;
        }

        return Page();
    }
}
