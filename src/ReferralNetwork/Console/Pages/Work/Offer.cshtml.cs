using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.ReadModel;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// An offer made to the person's organization, before it is answered: only what is needed to decide (countries,
/// stage, screening outcome, services asked, who offers, the deadline), never the referral. Accepting opens the
/// referral; declining needs a reason.
/// </summary>
public sealed class OfferModel : WorkPage
{
    [BindProperty(SupportsGet = true)]
    public Guid HandoffId { get; set; }

    public InboxRow Offer { get; private set; } = null!;

    public DateTimeOffset At { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFoundPage();

    public Task<IActionResult> OnPostAcceptAsync() =>
        AnswerAsync("Done.Accept", offer => Referral(offer.ReferralId).Accept(Caller, null, HandoffId), offer => RedirectToPage("Referral", new { id = offer.ReferralId }));

    public Task<IActionResult> OnPostDeclineAsync(string? reason) =>
        AnswerAsync("Done.Decline", offer => Referral(offer.ReferralId).Decline(Caller, null, ReferralCommand.Decline.From(HandoffId, new ReasonRequest(string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()))),
            _ => RedirectToPage("Home"));

    private async Task<IActionResult> AnswerAsync(string done, Func<InboxRow, Task> answer, Func<InboxRow, IActionResult> then)
    {
        if (!await LoadAsync())
        {
            return NotFoundPage();
        }

        var offer = Offer;
        return await CommandAsync(() => answer(offer), done, () => then(offer), async () => await LoadAsync() ? Page() : NotFoundPage());
    }

    private async Task<bool> LoadAsync()
    {
        At = Now;
        var organization = Caller.OrganizationId;
        var offer = await Db.Inbox.AsNoTracking().SingleOrDefaultAsync(i => i.HandoffId == HandoffId && i.ToOrganizationId == organization, HttpContext.RequestAborted);
        if (offer is null)
        {
            return false;
        }

        Offer = offer;
        await LoadDirectoryAsync();
        return true;
    }

    public IEnumerable<ServiceKind> Services => Offer.ToItem().Services;

    public bool IsOpen => Offer.Status == HandoffStatus.Offered;
}
