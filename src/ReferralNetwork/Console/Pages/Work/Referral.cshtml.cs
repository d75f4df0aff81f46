using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Organizations;
using ReferralNetwork.People;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// A referral as its holder and participants see it (never the person: the subject has its own page), with a form for
/// every workflow step. Each form carries the version it was shown with, so that a change someone else made in between
/// is explained rather than overwritten; every command is the API's own (<see cref="ReferralCommand"/>).
/// </summary>
public sealed class ReferralModel(PersonTime time) : WorkPage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    /// <summary>The version the form was shown with (its If-Match).</summary>
    [BindProperty]
    public int? Version { get; set; }

    public ReferralView View { get; private set; } = null!;

    public IReadOnlyList<HistoryEntry> History { get; private set; } = [];

    /// <summary>Names of the people of the caller's own organization in the history; others show as their organization.</summary>
    public IReadOnlyDictionary<string, string> Colleagues { get; private set; } = new Dictionary<string, string>();

    /// <summary>Organizations an offer may go to under the routing rules, with their services and capacity.</summary>
    public IReadOnlyList<Organization> Targets { get; private set; } = [];

    public bool IsHolder => View.Holder == Caller.OrganizationId;

    public DateTimeOffset At { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        try
        {
            await LoadAsync();
            return Page();
        }
        catch (ReferralNetwork.Http.ProblemException problem) when (problem.Kind == ReferralNetwork.Http.ProblemKind.NotFound)
        {
            return NotFoundPage();
        }
    }

    public Task<IActionResult> OnPostConsentAsync(ConsentPurpose? purpose, string? organizationId, bool? given, ConsentMethod? method) =>
        Do("Done.Consent", async () =>
        {
            var exists = organizationId is { Length: > 0 } && await Db.Organizations.AnyAsync(o => o.Id == organizationId, HttpContext.RequestAborted);
            var command = ReferralCommand.RecordConsent.From(new ConsentRequest(purpose, organizationId, given, method), exists);
            await Referral(Id).RecordConsent(Caller, Version, command);
        });

    public Task<IActionResult> OnPostOfferAsync(
        string? toOrganizationId, HandoffKind? kind, List<ServiceKind>? services, string? message, string? respondBy, string? consentOverrideReason) =>
        Do("Done.Offer", async () =>
        {
            var deadline = time.ParseLocalTime(respondBy);
            if (respondBy is { Length: > 0 } && deadline is null)
            {
                throw ReferralNetwork.Http.ProblemException.Invalid("respondBy", "Not a date and time.");
            }

            var target = await WorkflowEndpoints.TargetAsync(Db, toOrganizationId, HttpContext.RequestAborted);
            var command = ReferralCommand.Offer.From(
                new HandoffRequest(toOrganizationId, kind, services, Blank(message), deadline, Blank(consentOverrideReason)), target, Now,
                await WorkflowEndpoints.FocalPointCountriesAsync(Db, HttpContext.RequestAborted));
            await Referral(Id).Offer(Caller, Version, command);
        });

    public Task<IActionResult> OnPostWithdrawAsync(Guid handoffId, string? reason) =>
        Do("Done.Withdraw", () => Referral(Id).Withdraw(Caller, Version, ReferralCommand.Withdraw.From(handoffId, new ReasonRequest(reason))));

    public Task<IActionResult> OnPostVerifyAsync(NationalityOutcome? outcome, string? reason) =>
        Do("Done.Verify", () => Referral(Id).VerifyNationality(Caller, Version, ReferralCommand.VerifyNationality.From(new NationalityVerificationRequest(outcome, Blank(reason)))));

    public Task<IActionResult> OnPostPlanAsync(TravelDocument? travelDocument, string? plannedFor, string? crossingPoint, string? escort) =>
        Do("Done.Plan", async () =>
        {
            var date = time.ParseDate(plannedFor);
            if (plannedFor is { Length: > 0 } && date is null)
            {
                throw ReferralNetwork.Http.ProblemException.Invalid("plannedFor", "Not a date.");
            }

            await Referral(Id).PlanReturn(Caller, Version, ReferralCommand.PlanReturn.From(new ReturnPlanRequest(travelDocument, date, Blank(crossingPoint), Blank(escort))));
        });

    public Task<IActionResult> OnPostConfirmAsync(string? handedOverAt) =>
        Do("Done.Confirm", () => Referral(Id).ConfirmReturn(Caller, Version, ReferralCommand.ConfirmReturn.From(new ReturnConfirmationRequest(time.ParseLocalTime(handedOverAt)))));

    public Task<IActionResult> OnPostServiceAsync(ServiceKind? service, ServiceStatus? status, string? note) =>
        Do("Done.Service", () => Referral(Id).RecordService(Caller, Version, ReferralCommand.RecordService.From(new ServiceRequest(service, status, Blank(note)))));

    public Task<IActionResult> OnPostCloseAsync(ClosureReason? reason) =>
        Do("Done.Close", () => Referral(Id).Close(Caller, Version, ReferralCommand.Close.From(new CloseRequest(reason))));

    /// <summary>The moment a datetime-local input shows by default: now, in the person's time zone.</summary>
    public string LocalNow => time.LocalInput(At);

    /// <summary>The default deadline of a new offer, as the input shows it (the workflow applies the country pair's when left empty).</summary>
    public string Local(DateTimeOffset instant) => time.LocalInput(instant);

    private Task<IActionResult> Do(string done, Func<Task> command) =>
        CommandAsync(command, done, () => RedirectToPage(new { Id }), async () =>
        {
            await LoadAsync();
            return Page();
        });

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private async Task LoadAsync()
    {
        At = Now;
        var grain = Referral(Id);
        View = await grain.Get(Caller);
        History = await grain.GetHistory(Caller);
        await LoadDirectoryAsync();

        var people = History.Select(h => h.ActingPerson).OfType<string>().Distinct().ToList();
        Colleagues = people.Count == 0
            ? new Dictionary<string, string>()
            : (await Db.Set<Person>().AsNoTracking().Where(p => people.Contains(p.Id) && p.OrganizationId == Caller.OrganizationId).ToListAsync(HttpContext.RequestAborted))
                .ToDictionary(p => p.Id, p => p.UserName ?? p.Id);

        // What the routing rule allows: anyone in the holder's country (an embassy only for the nationalities it
        // handles), or across the border the focal point of the person's nationality. The workflow checks again; the
        // form only spares the person a choice that would be refused.
        var holderCountry = Directory.TryGetValue(View.Holder, out var holder) ? holder.Country : Caller.Country;
        Targets = [.. Directory.Values
            .Where(o => o.Id != View.Holder && (o.Kind != OrganizationKind.Embassy || o.Handles(View.Nationality))
                && (o.Country == holderCountry || o.Kind == OrganizationKind.FocalPoint && o.Country == View.Nationality))
            .OrderBy(o => o.Country != holderCountry).ThenBy(o => o.Name)];
    }
}
