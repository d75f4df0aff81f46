using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Groups;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// One return group, for its two sides: its people by referral (a short reference, never a name), where each is, and the
/// step the caller may take now. Every step is the API's own (<see cref="GroupBoard"/>): the group answers at once and
/// reaches its people in the background, so the page comes back showing the operation under way. Each person is
/// chosen on their own line (consent, verification, travel document and handover are each person's, never one box for all).
/// </summary>
public sealed class GroupModel(GroupBoard board, PersonTime time) : WorkPage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    /// <summary>The version the form was shown with (its If-Match).</summary>
    [BindProperty]
    public int? Version { get; set; }

    public GroupView View { get; private set; } = null!;

    /// <summary>Where the group's custody offer may go: the focal point of the people's country, or an embassy here that handles it.</summary>
    public IReadOnlyList<Organization> Targets { get; private set; } = [];

    public DateTimeOffset At { get; private set; }

    public bool IsHolder => View.Holder == Caller.OrganizationId;

    public bool IsOrigin => View.OfferedTo == Caller.OrganizationId;

    /// <summary>Whether the forms are for this person: their role allows group operations and nothing is under way.</summary>
    public bool MayAct => Caller.Has(Scopes.ReferralsWrite) && Caller.May(CaseAction.GroupOperations) && View.Operation is null && View.WithdrawnAt is null;

    /// <summary>This side at a handover.</summary>
    public ReturnSide Side => IsHolder ? ReturnSide.Sending : ReturnSide.Receiving;

    public bool HasManifest => View.Members.Any(m => m.Status is GroupMemberStatus.Planned or GroupMemberStatus.Returned or GroupMemberStatus.Missing or GroupMemberStatus.DeclinedReturn);

    public IEnumerable<GroupMemberView> Members(params GroupMemberStatus[] statuses) => View.Members.Where(m => statuses.Contains(m.Status));

    /// <summary>People planned whose handover this side has not confirmed yet.</summary>
    public IEnumerable<GroupMemberView> AwaitingHandover =>
        View.Members.Where(m => m.Status == GroupMemberStatus.Planned && !(m.HandoverConfirmedBy ?? []).Contains(Side));

    public string LocalNow => time.LocalInput(At);

    /// <summary>A person's reference on the page: the random end of their referral id (the start of a v7 id is a timestamp that neighbours share).</summary>
    public static string ShortRef(Guid referralId) => referralId.ToString("N")[^8..];

    /// <summary>Where the caller may open a person's referral, or their open offer; null where it would be a "not found".</summary>
    public string? LinkOf(GroupMemberView member) => IsHolder
        ? $"/console/referrals/{member.ReferralId}"
        : member.Status switch
        {
            GroupMemberStatus.Offered when member.HandoffId is { } handoff => $"/console/offers/{handoff}",
            GroupMemberStatus.Listed or GroupMemberStatus.Offered or GroupMemberStatus.Declined or GroupMemberStatus.Refused => null,
            _ => $"/console/referrals/{member.ReferralId}",
        };

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostOfferAsync(string? toOrganizationId, string? message, string? respondBy) =>
        Do("Done.GroupOffer", () =>
        {
            var deadline = time.ParseLocalTime(respondBy);
            if (respondBy is { Length: > 0 } && deadline is null)
            {
                throw ProblemException.Invalid("respondBy", "Not a date and time.");
            }

            return board.OfferAsync(Caller, Id, Version, new GroupOfferRequest(Blank(toOrganizationId), Blank(message), deadline), HttpContext.RequestAborted);
        });

    public Task<IActionResult> OnPostAcceptAsync(List<Guid>? referrals) =>
        Do("Done.GroupAccept", () => board.AnswerAsync(Caller, Id, Version, new GroupAnswerRequest(referrals ?? [], null), decline: false));

    public Task<IActionResult> OnPostDeclineAsync(List<Guid>? referrals, string? reason) =>
        Do("Done.GroupDecline", () => board.AnswerAsync(Caller, Id, Version, new GroupAnswerRequest(referrals ?? [], Blank(reason)), decline: true));

    /// <summary>The lines with an outcome chosen; a line left at "not now" is not part of this list.</summary>
    public Task<IActionResult> OnPostVerifyAsync(List<VerifyLine>? verify) =>
        Do("Done.GroupVerify", () => board.VerifyAsync(Caller, Id, Version, new GroupVerificationRequest(
            [.. (verify ?? []).Where(l => l.Outcome is not null).Select(l => new GroupVerificationItem(l.ReferralId, l.Outcome, Blank(l.Reason)))])));

    public Task<IActionResult> OnPostPlanAsync(string? plannedFor, string? crossingPoint, string? escort, List<PlanLine>? plan) =>
        Do("Done.GroupPlan", () =>
        {
            var date = time.ParseDate(plannedFor);
            if (plannedFor is { Length: > 0 } && date is null)
            {
                throw ProblemException.Invalid("plannedFor", "Not a date.");
            }

            return board.PlanAsync(Caller, Id, Version, new GroupReturnPlanRequest(date, Blank(crossingPoint), Blank(escort),
                [.. (plan ?? []).Where(l => l.TravelDocument is not null).Select(l => new GroupTravelDocument(l.ReferralId, l.TravelDocument))]));
        });

    public Task<IActionResult> OnPostHandoverAsync(string? handedOverAt, List<HandoverLine>? handover) =>
        Do("Done.GroupHandover", () => board.HandoverAsync(Caller, Id, Version, new GroupHandoverRequest(time.ParseLocalTime(handedOverAt),
            [.. (handover ?? []).Where(l => l.Outcome is not null).Select(l => new GroupHandoverItem(l.ReferralId, l.Outcome))])));

    public Task<IActionResult> OnPostWithdrawAsync(string? reason) =>
        Do("Done.GroupWithdraw", () => board.WithdrawAsync(Caller, Id, Version, new GroupWithdrawRequest(Blank(reason))));

    public sealed record VerifyLine(Guid? ReferralId, NationalityOutcome? Outcome, string? Reason);

    public sealed record PlanLine(Guid? ReferralId, TravelDocument? TravelDocument);

    public sealed record HandoverLine(Guid? ReferralId, HandoverOutcome? Outcome);

    /// <summary>A step, refused as the API refuses it: without the scope that the route requires, before the group is asked.</summary>
    private Task<IActionResult> Do(string done, Func<Task> command) =>
        Caller.Has(Scopes.ReferralsWrite)
            ? CommandAsync(command, done, () => RedirectToPage(new { Id }), ShowAsync)
            : Task.FromResult(Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden));

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private async Task<IActionResult> ShowAsync()
    {
        At = Now;
        if (!Caller.Has(Scopes.ReferralsRead))
        {
            return Refused(RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);
        }

        try
        {
            View = await board.GetAsync(Caller, Id);
        }
        catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
        {
            return NotFoundPage();
        }
        catch (ProblemException problem)
        {
            return Refused(problem.Code ?? RefusalCode.RoleDoesNotAllow, Problems.StatusOf(problem.Kind));
        }

        await LoadDirectoryAsync();
        Targets = [.. Directory.Values
            .Where(o => o.Id != View.Holder
                && (o.Kind == OrganizationKind.FocalPoint && o.Country == View.Nationality || o.Handles(View.Nationality) && o.Country == Caller.Country))
            .OrderBy(o => o.Kind != OrganizationKind.FocalPoint).ThenBy(o => o.Name)];
        return Page();
    }
}
