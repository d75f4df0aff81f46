using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Webhooks;

namespace ReferralNetwork.WebConsole.Pages.Work.Admin;

/// <summary>One subscription's delivery log, newest first, every attempt with its answer; a delivery sent again from here keeps its webhook-id.</summary>
public sealed class WebhookModel(OrganizationWebhooks webhooks) : WorkPage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public WebhookView Subscription { get; private set; } = null!;

    public IReadOnlyList<WebhookDeliveryView> Deliveries { get; private set; } = [];

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostReplayAsync(Guid delivery) =>
        CommandAsync(() => webhooks.ReplayAsync(Caller, Id, delivery, HttpContext.RequestAborted), "Done.WebhookReplayed", () => RedirectToPage(new { Id }), ShowAsync);

    public Task<IActionResult> OnPostTestAsync() =>
        CommandAsync(() => webhooks.TestAsync(Caller, Id, HttpContext.RequestAborted), "Done.WebhookTested", () => RedirectToPage(new { Id }), ShowAsync);

    private async Task<IActionResult> ShowAsync()
    {
        if (!Caller.May(CaseAction.ManageWebhooks))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        try
        {
            Subscription = await webhooks.GetAsync(Caller, Id, HttpContext.RequestAborted);
            Deliveries = await webhooks.DeliveriesAsync(Caller, Id, 100, HttpContext.RequestAborted);
        }
        catch (ProblemException e) when (e.Kind == ProblemKind.NotFound)
        {
            return NotFoundPage();
        }

        return Page();
    }
}
