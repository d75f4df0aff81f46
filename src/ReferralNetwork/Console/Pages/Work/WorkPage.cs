using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals;
using ReferralNetwork.Storage;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// What every signed-in page stands on: the caller (from the console cookie, as the API has it from a token), the
/// directory to name organizations, and one way to run a workflow command. The console holds no rule of its own: a
/// command that the workflow refuses comes back as the refusal's reason code, shown in the person's language; a
/// referral the person may not see is the same "not found" page as one that does not exist.
/// </summary>
public abstract class WorkPage : PageModel
{
    private Caller? _caller;
    private Dictionary<string, Organization>? _directory;

    public Caller Caller => _caller ??= Caller.From(User);

    protected IGrainFactory Grains => HttpContext.RequestServices.GetRequiredService<IGrainFactory>();

    protected PlatformDbContext Db => HttpContext.RequestServices.GetRequiredService<PlatformDbContext>();

    protected DateTimeOffset Now => HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    /// <summary>The reason code of the last refusal (<see cref="RefusalCode"/>, or a console code such as <c>stale</c>).</summary>
    public string? Refusal { get; private set; }

    /// <summary>Fields the last form got wrong, and why (in English: validation messages name the field's rule).</summary>
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>A confirmation of what the last command did (a text key), shown once at the top of the page.</summary>
    [TempData]
    public string? Done { get; set; }

    public IReadOnlyDictionary<string, Organization> Directory => _directory ?? throw new InvalidOperationException("Load the directory first.");

    protected async Task LoadDirectoryAsync() =>
        _directory ??= await Db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Id, HttpContext.RequestAborted);

    /// <summary>An organization's name, or its id when the directory does not know it.</summary>
    public string NameOf(string organizationId) => Directory.TryGetValue(organizationId, out var o) ? o.Name : organizationId;

    public IReferralGrain Referral(Guid id) => Grains.GetGrain<IReferralGrain>(id);

    /// <summary>The page of a referral the person may not see, or that does not exist: the same page, and a 404.</summary>
    protected IActionResult NotFoundPage() => new ViewResult { ViewName = "/Console/Pages/Work/_NotFound.cshtml", StatusCode = StatusCodes.Status404NotFound };

    /// <summary>
    /// Runs a command: on success, remembers <paramref name="done"/> and goes to <paramref name="then"/> (a GET, so that
    /// reloading does not send the form again). On a refusal, the page is shown again with the reason; a referral
    /// that is not there is the not-found page; a stale version says someone else changed it and shows it as it is now.
    /// </summary>
    /// <summary>
    /// A command whose answer holds a secret (a client's, a webhook's): not a redirect, the page shown again with what it
    /// made, so that the secret is in this answer only (never cached, never in a URL).
    /// </summary>
    protected async Task<IActionResult> ShowOnceAsync<T>(Func<Task<T>> command, string done, Action<T> keep, Func<Task<IActionResult>> show)
        where T : class
    {
        T? made = null;
        var page = await CommandAsync(async () => made = await command(), done, () => new EmptyResult(), show);
        if (made is null)
        {
            return page;
        }

        keep(made);
        return await show();
    }

    protected async Task<IActionResult> CommandAsync(Func<Task> command, string done, Func<IActionResult> then, Func<Task<IActionResult>> again)
    {
        try
        {
            await command();
            Done = done;
            return then();
        }
        catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
        {
            return NotFoundPage();
        }
        catch (ProblemException problem)
        {
            Refusal = problem.Kind == ProblemKind.PreconditionFailed ? RefusalCode.Stale : problem.Code ?? Refused(problem.Kind);
            FieldErrors = problem.Errors ?? [];
            ModelState.Clear(); // the page shows what is stored now, not what the form sent
            var page = await again();
            HttpContext.Response.StatusCode = Problems.StatusOf(problem.Kind);
            return page;
        }
    }

    /// <summary>This page is not for the person (their role does not allow it): the page says why, with <paramref name="status"/>.</summary>
    protected IActionResult Refused(string code, int status)
    {
        Refusal = code;
        return new ViewResult
        {
            ViewName = "/Console/Pages/Work/_Refused.cshtml",
            StatusCode = status,
            ViewData = new Microsoft.AspNetCore.Mvc.ViewFeatures.ViewDataDictionary<WorkPage>(ViewData, this),
        };
    }

    /// <summary>A refusal without a code of its own: the kind of problem says it.</summary>
    private static string Refused(ProblemKind kind) => "kind-" + JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());
}
