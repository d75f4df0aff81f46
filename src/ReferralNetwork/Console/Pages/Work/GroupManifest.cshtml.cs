using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Groups;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// The handover manifest to print: the API's own (<see cref="GroupBoard.ManifestAsync"/>), so the same fields and no more
/// (names, sex, date of birth, travel document), and the same record of each line as a read in that person's access log.
/// Refused as the API refuses it: without <c>subject:read</c> a 403, and to anyone not a side of the group a 404.
/// </summary>
public sealed class GroupManifestModel(GroupBoard board) : WorkPage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public GroupManifest Manifest { get; private set; } = null!;

    public DateTimeOffset At { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        At = Now;
        try
        {
            Manifest = await board.ManifestAsync(Caller, Id);
        }
        catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
        {
            return NotFoundPage();
        }
        catch (ProblemException problem)
        {
            return Refused(problem.Code ?? RefusalCode.RoleDoesNotAllow, Problems.StatusOf(problem.Kind));
        }

        // Every console page is no-store already (PageHygiene); said here too, as the API's manifest says it.
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
