using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.ReadModel;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// Surge screening: the organization's referrals not yet screened, oldest first, one after another, each with the
/// indicator checklist; saving screens the referral (the same command as the single page) and shows the next. A
/// referral can be skipped (<c>?after=</c> its id) and comes round again once the queue starts over. The queue is the
/// referral list (a read model): a referral it still shows as unscreened after it was screened is passed over.
/// </summary>
public sealed class ScreeningQueueModel : WorkPage
{
    /// <summary>Rows looked at for one that is still unscreened when the list lags behind.</summary>
    private const int Lookahead = 20;

    /// <summary>The referral skipped last: the queue goes on after it.</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? After { get; set; }

    /// <summary>Referrals of the organization the list shows unscreened.</summary>
    public int Waiting { get; private set; }

    /// <summary>The referral to screen now; null when the queue is empty.</summary>
    public ReferralView? Current { get; private set; }

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostAsync(Guid id, int? version, List<string>? indicators) =>
        NotForThisPerson() is { } refused
            ? Task.FromResult(refused)
            : CommandAsync(
                () => Referral(id).Screen(Caller, version, ReferralCommand.Screen.From(new ScreeningRequest(indicators ?? []))),
                "Done.Screen",
                () => RedirectToPage(),
                () => ShowAsync(id));

    /// <param name="again">The referral whose screening was refused: shown again, with the reason.</param>
    private async Task<IActionResult> ShowAsync(Guid? again = null)
    {
        if (NotForThisPerson() is { } refused)
        {
            return refused;
        }

        var unscreened = Db.Referrals.AsNoTracking().Where(r => r.Holder == Caller.OrganizationId && r.Stage == Stage.Identified);
        Waiting = await unscreened.CountAsync(HttpContext.RequestAborted);
        var candidates = again is { } id ? [id] : await NextAsync(unscreened);
        foreach (var candidate in candidates)
        {
            try
            {
                var view = await Referral(candidate).Get(Caller);
                if (view.Stage == Stage.Identified && view.Holder == Caller.OrganizationId)
                {
                    Current = view;
                    break;
                }
            }
            catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
            {
                // Handed over since the list was written.
            }
        }

        return Page();
    }

    /// <summary>The next rows, oldest first, after the one skipped; from the start again when there is none after it.</summary>
    private async Task<List<Guid>> NextAsync(IQueryable<ReferralListRow> unscreened)
    {
        var ordered = unscreened.OrderBy(r => r.IdentifiedAt).ThenBy(r => r.Id);
        if (After is { } after && await Db.Referrals.AsNoTracking().Where(r => r.Id == after).Select(r => (DateTimeOffset?)r.IdentifiedAt).SingleOrDefaultAsync(HttpContext.RequestAborted) is { } skippedAt)
        {
            // From the skipped one's time on (ties are ordered by id here, as the query orders them), the ones after it.
            var from = await ordered.Where(r => r.IdentifiedAt >= skippedAt).Select(r => r.Id).Take(Lookahead * 4).ToListAsync(HttpContext.RequestAborted);
            var later = from.SkipWhile(id => id != after).Skip(1).Take(Lookahead).ToList();
            if (later.Count > 0)
            {
                return later;
            }
        }

        return await ordered.Select(r => r.Id).Take(Lookahead).ToListAsync(HttpContext.RequestAborted);
    }

    /// <summary>Screening is the holder's, for a person whose role screens.</summary>
    private IActionResult? NotForThisPerson() =>
        Caller.Has(Scopes.ReferralsWrite) && Caller.May(CaseAction.Screen) ? null : Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
}
