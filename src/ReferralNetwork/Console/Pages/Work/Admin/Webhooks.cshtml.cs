using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Webhooks;

namespace ReferralNetwork.WebConsole.Pages.Work.Admin;

/// <summary>
/// An organization's admin manages its webhook subscriptions here, through the same <see cref="OrganizationWebhooks"/>
/// as the API: subscribe (the signing secret shown once, in the answer to the form), rotate the secret, enable again,
/// send a test event, delete. Each subscription's delivery log is its own page.
/// </summary>
public sealed class WebhooksModel(OrganizationWebhooks webhooks) : WorkPage
{
    public IReadOnlyList<WebhookView> Subscriptions { get; private set; } = [];

    /// <summary>A subscription just made or given a new secret, with that secret: shown this once.</summary>
    public WebhookView? WithSecret { get; private set; }

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostCreateAsync(string? url, List<string>? events, string? description) =>
        OnceAsync(() => webhooks.CreateAsync(Caller, new WebhookRequest(url ?? "", events ?? [], string.IsNullOrWhiteSpace(description) ? null : description), HttpContext.RequestAborted), "Done.WebhookCreated");

    public Task<IActionResult> OnPostRotateAsync(Guid id) => OnceAsync(() => webhooks.RotateSecretAsync(Caller, id, HttpContext.RequestAborted), "Done.WebhookRotated");

    public Task<IActionResult> OnPostEnableAsync(Guid id) =>
        CommandAsync(() => webhooks.EnableAsync(Caller, id, HttpContext.RequestAborted), "Done.WebhookEnabled", () => RedirectToPage(), ShowAsync);

    public Task<IActionResult> OnPostTestAsync(Guid id) =>
        CommandAsync(() => webhooks.TestAsync(Caller, id, HttpContext.RequestAborted), "Done.WebhookTested", () => RedirectToPage("Webhook", new { id }), ShowAsync);

    public Task<IActionResult> OnPostDeleteAsync(Guid id) =>
        CommandAsync(() => webhooks.DeleteAsync(Caller, id, HttpContext.RequestAborted), "Done.WebhookDeleted", () => RedirectToPage(), ShowAsync);

    private Task<IActionResult> OnceAsync(Func<Task<WebhookView>> command, string done) => ShowOnceAsync(command, done, made => WithSecret = made, ShowAsync);

    private async Task<IActionResult> ShowAsync()
    {
        if (!Caller.May(CaseAction.ManageWebhooks))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        Subscriptions = await webhooks.ListAsync(Caller, HttpContext.RequestAborted);
        return Page();
    }
}
