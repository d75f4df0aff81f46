using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Matching;
using ReferralNetwork.Referrals.ReadModel;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// A national focal point's possible matches: each with its band, when it was found, the focal point's own referral,
/// the other side's country and where the decision stands, the match's own audit, and Confirm and Dismiss through the
/// same <see cref="MatchBoard"/> as the API. Nothing of the other referral is shown until both sides confirmed; then
/// it is linked. Any other organization is told the page is not for it.
/// </summary>
public sealed class MatchesModel(MatchBoard board) : WorkPage
{
    public IReadOnlyList<MatchView> Matches { get; private set; } = [];

    /// <summary>Each match's own audit, oldest first.</summary>
    public IReadOnlyDictionary<Guid, List<MatchAuditEntry>> Audits { get; private set; } = new Dictionary<Guid, List<MatchAuditEntry>>();

    /// <summary>The focal point's own referrals of the matches, as its referral list shows them.</summary>
    public IReadOnlyDictionary<Guid, ReferralListRow> Own { get; private set; } = new Dictionary<Guid, ReferralListRow>();

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostConfirmAsync(Guid match) =>
        DecideAsync(() => board.ConfirmAsync(Caller, match, HttpContext.RequestAborted), "Done.MatchConfirmed");

    public Task<IActionResult> OnPostDismissAsync(Guid match) =>
        DecideAsync(() => board.DismissAsync(Caller, match, HttpContext.RequestAborted), "Done.MatchDismissed");

    /// <summary>What the match's state means to this side: the words the page shows for it.</summary>
    public static string StateKey(MatchView match) => match.Status switch
    {
        MatchStatus.Open => "Matches.State.awaiting-you",
        MatchStatus.ConfirmedByYou => "Matches.State.awaiting-other",
        MatchStatus.Confirmed => "Matches.State.confirmed",
        _ => "Matches.State.dismissed",
    };

    private Task<IActionResult> DecideAsync(Func<Task> decide, string done) =>
        NotForThisKind() is { } refused ? Task.FromResult(refused) : CommandAsync(decide, done, () => RedirectToPage(), ShowAsync);

    private async Task<IActionResult> ShowAsync()
    {
        if (NotForThisKind() is { } refused)
        {
            return refused;
        }

        // The work first: matches awaiting this side's answer, then the other side's, then the decided ones; oldest first in each.
        Matches = [.. (await board.ListAsync(Caller, HttpContext.RequestAborted)).OrderBy(m => m.Status switch
        {
            MatchStatus.Open => 0,
            MatchStatus.ConfirmedByYou => 1,
            _ => 2,
        })];
        var ids = Matches.Select(m => m.Id).Distinct().ToList();
        var entries = await Db.MatchAudit.AsNoTracking().Where(a => ids.Contains(a.MatchId)).OrderBy(a => a.Id).ToListAsync(HttpContext.RequestAborted);
        var own = Matches.Select(m => m.ReferralId).Distinct().ToList();
        Own = await Db.Referrals.AsNoTracking().Where(r => own.Contains(r.Id)).ToDictionaryAsync(r => r.Id, HttpContext.RequestAborted);
        Audits = entries.GroupBy(a => a.MatchId).ToDictionary(g => g.Key, g => g.Select(a => a.ToEntry()).ToList());
        await LoadDirectoryAsync();
        return Page();
    }

    /// <summary>The page is a national focal point's: anyone else is refused, as the dashboards refuse a shelter.</summary>
    private IActionResult? NotForThisKind() =>
        Caller.Kind == OrganizationKind.FocalPoint && Caller.Has(Scopes.ReferralsRead)
            ? null
            : Refused(RefusalCode.MatchesNotForThisKind, StatusCodes.Status403Forbidden);
}
