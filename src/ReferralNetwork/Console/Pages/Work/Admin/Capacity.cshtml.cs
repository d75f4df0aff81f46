using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.WebConsole.Pages.Work.Admin;

/// <summary>
/// An organization's admin reports what it has free, per service and unit, through the same
/// <see cref="OrganizationCapacity"/> as the API (and so the same capacity-changed webhooks).
/// </summary>
public sealed class CapacityModel(OrganizationCapacity capacity) : WorkPage
{
    public IReadOnlyList<ServiceOfferView> Services { get; private set; } = [];

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostSaveAsync(ServiceKind service, string? unit, int? available, int? maximum) =>
        CommandAsync(
            () => capacity.SetAsync(Caller, Caller.OrganizationId, service, new CapacityRequest(unit, available, maximum), HttpContext.RequestAborted),
            "Done.CapacitySaved", () => RedirectToPage(), ShowAsync);

    private async Task<IActionResult> ShowAsync()
    {
        if (!Caller.May(CaseAction.ManageCapacity))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        Services = await capacity.OwnAsync(Caller, HttpContext.RequestAborted);
        return Page();
    }
}
