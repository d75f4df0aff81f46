using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Referrals.ReadModel;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// The first screen: the work waiting for the person's organization, read from the read models (never from grains):
/// offers to answer (oldest deadline first, overdue marked), nationality verifications to do, planned returns whose
/// handover is to be confirmed, and referrals the organization holds that have had no activity for 14 days.
/// </summary>
public sealed class HomeModel(ReferralNetwork.Notifications.NotificationOptions notifications) : WorkPage
{
    public const int Shown = 50;
    public static readonly TimeSpan Quiet = TimeSpan.FromDays(14);

    public IReadOnlyList<InboxRow> Offers { get; private set; } = [];

    public IReadOnlyList<ReferralListRow> Verifications { get; private set; } = [];

    public IReadOnlyList<ReferralListRow> Returns { get; private set; } = [];

    public IReadOnlyList<ReferralListRow> QuietReferrals { get; private set; } = [];

    public DateTimeOffset At { get; private set; }

    /// <summary>An offer not yet overdue whose deadline is this close is marked as due soon (and its target e-mailed once).</summary>
    public TimeSpan DueSoon => notifications.DueSoonWindow;

    public async Task<Microsoft.AspNetCore.Mvc.IActionResult> OnGetAsync()
    {
        // The secretariat holds no referral: its first screen is the dashboards.
        if (Caller.Country == ReferralNetwork.Organizations.Country.Regional)
        {
            return RedirectToPage("/Work/Dashboards/Index");
        }

        await LoadDirectoryAsync();
        At = Now;
        var organization = Caller.OrganizationId;
        var cancel = HttpContext.RequestAborted;
        Offers = await Db.Inbox.AsNoTracking()
            .Where(i => i.ToOrganizationId == organization && i.Status == HandoffStatus.Offered)
            .OrderBy(i => i.RespondBy).Take(Shown).ToListAsync(cancel);

        var access = Db.ReferralAccess;
        var mine = Db.Referrals.AsNoTracking().Where(r => access.Any(a => a.ReferralId == r.Id && a.OrganizationId == organization));
        // An embassy takes part in a referral only by accepting its return: every one of its referrals at these stages is
        // its to verify or confirm. (An international organization may also take part through services, so its lists
        // would not be this simple; it finds its returns in its referrals.)
        var representative = Caller.Kind == OrganizationKind.Embassy;
        Verifications = Caller.Kind == OrganizationKind.FocalPoint || representative
            ? await mine.Where(r => r.Stage == Stage.RepatriationRequested && (representative || r.Nationality == Caller.Country) && r.Holder != organization)
                .OrderBy(r => r.UpdatedAt).Take(Shown).ToListAsync(cancel)
            : [];
        Returns = Caller.Kind == OrganizationKind.FocalPoint || representative
            ? await mine.Where(r => r.Stage == Stage.ReturnPlanned).OrderBy(r => r.UpdatedAt).Take(Shown).ToListAsync(cancel)
            : [];

        var quietSince = At - Quiet;
        QuietReferrals = await mine.Where(r => r.Holder == organization && r.Stage != Stage.Closed && r.UpdatedAt < quietSince)
            .OrderBy(r => r.UpdatedAt).Take(Shown).ToListAsync(cancel);
        return Page();
    }
}
