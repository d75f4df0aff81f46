using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.WebConsole.Pages.Work.Admin;

/// <summary>
/// An organization's admin manages the OAuth clients of its systems here, through the same
/// <see cref="OrganizationClients"/> as the API: a new client or a rotated secret is shown once, in the answer to the form.
/// </summary>
public sealed class ClientsModel(OrganizationClients clients) : WorkPage
{
    public IReadOnlyList<ClientView> Clients { get; private set; } = [];

    /// <summary>The scopes this organization's kind allows its clients.</summary>
    public IReadOnlyList<string> Allowed { get; private set; } = [];

    /// <summary>A client just created or rotated, with its secret: shown this once.</summary>
    public ClientView? WithSecret { get; private set; }

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostCreateAsync(string? name, List<string>? scopes, string? description) =>
        OnceAsync(() => clients.CreateAsync(Caller, new ClientRequest(name, scopes, string.IsNullOrWhiteSpace(description) ? null : description), HttpContext.RequestAborted), "Done.ClientCreated");

    public Task<IActionResult> OnPostRotateAsync(string id) => OnceAsync(() => clients.RotateSecretAsync(Caller, id, HttpContext.RequestAborted), "Done.ClientRotated");

    public Task<IActionResult> OnPostRevokeAsync(string id) =>
        CommandAsync(() => clients.RevokeAsync(Caller, id, callerClientId: null, HttpContext.RequestAborted), "Done.ClientRevoked", () => RedirectToPage(), ShowAsync);

    private Task<IActionResult> OnceAsync(Func<Task<ClientView>> command, string done) => ShowOnceAsync(command, done, made => WithSecret = made, ShowAsync);

    private async Task<IActionResult> ShowAsync()
    {
        if (!Caller.May(CaseAction.ManageClients))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        var organization = await Db.Organizations.AsNoTracking().SingleAsync(o => o.Id == Caller.OrganizationId, HttpContext.RequestAborted);
        Allowed = PartnerClients.KindAllows(organization);
        Clients = await clients.ListAsync(Caller, HttpContext.RequestAborted);
        return Page();
    }
}
