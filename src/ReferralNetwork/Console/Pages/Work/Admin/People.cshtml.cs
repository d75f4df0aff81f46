using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Work.Admin;

/// <summary>
/// An organization's admin manages its people here, through the same <see cref="OrganizationPeople"/> as the API:
/// invitations (the link is shown once, in the answer to the form, when the platform sends no e-mail), roles, disabling
/// and enabling, resetting a second factor.
/// </summary>
public sealed class PeopleModel(OrganizationPeople organization) : WorkPage
{
    public IReadOnlyList<PersonView> People { get; private set; } = [];

    /// <summary>The invitation just made, with its link when it was not e-mailed: shown this once.</summary>
    public InvitationView? Invitation { get; private set; }

    public static IReadOnlyList<string> Roles { get; } = ["officer", "supervisor", "organization-admin"];

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public async Task<IActionResult> OnPostInviteAsync(string? email, List<string>? roles, string? language)
    {
        InvitationView? made = null;
        var page = await CommandAsync(
            async () => made = (await organization.InviteAsync(Caller, new InvitePersonRequest(email ?? "", roles ?? [], language), LinkBase, HttpContext.RequestAborted)).Invitation,
            "Done.Invite",
            () => new EmptyResult(),
            ShowAsync);
        if (made is null)
        {
            return page;
        }

        // Not a redirect: the link is a secret shown once, in this answer only (never cached, never in a URL).
        Invitation = made;
        return await ShowAsync();
    }

    public Task<IActionResult> OnPostDisableAsync(string id) => Act(() => organization.DisableAsync(Caller, id, HttpContext.RequestAborted), "Done.Disable");

    public Task<IActionResult> OnPostEnableAsync(string id) => Act(() => organization.EnableAsync(Caller, id), "Done.Enable");

    public Task<IActionResult> OnPostResetSecondFactorAsync(string id) => Act(() => organization.ResetSecondFactorAsync(Caller, id), "Done.ResetSecondFactor");

    private Uri LinkBase => new($"{Request.Scheme}://{Request.Host}{Request.PathBase}/");

    private Task<IActionResult> Act(Func<Task> command, string done) => CommandAsync(command, done, () => RedirectToPage(), ShowAsync);

    private async Task<IActionResult> ShowAsync()
    {
        if (!Caller.May(CaseAction.ManagePeople))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        People = await organization.ListAsync(Caller, HttpContext.RequestAborted);
        return Page();
    }
}
