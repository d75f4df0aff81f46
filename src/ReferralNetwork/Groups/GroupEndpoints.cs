using Microsoft.AspNetCore.Http.HttpResults;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Groups;

/// <summary>
/// Return groups: many referrals of one nationality, offered and answered as one, each person's referral changed by its
/// own call. Operations answer <c>202</c> at once and reach the members in the background; the group shows their progress.
/// </summary>
public static class GroupEndpoints
{
    public static IEndpointRouteBuilder MapGroupsApi(this IEndpointRouteBuilder app)
    {
        var groups = app.MapApiGroup("groups", "Groups");
        groups.MapPost("/", CreateAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("CreateGroup")
            .WithSummary("Put referrals the caller's organization holds, of one nationality, in a return group (a flight, a bus).")
            .ProducesValidationProblem();
        groups.MapGet("/", ListAsync).RequireAuthorization(Scopes.ReferralsRead).WithName("ListGroups")
            .WithSummary("The caller's organization's return groups, newest first: those it holds and those offered to it (an array; a group's members and progress are in GET /{id}).");
        groups.MapGet("/{id:uuid}", GetAsync).RequireAuthorization(Scopes.ReferralsRead).WithName("GetGroup")
            .WithSummary("The group and each member's progress; for its holder and the organization it was offered to. The ETag is its version.");
        groups.MapPost("/{id:uuid}/offer", OfferAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("OfferGroup")
            .WithSummary("One custody offer for the group: each member not yet offered gets the handoff a single offer makes. Answers 202; the group shows the progress.");
        groups.MapPost("/{id:uuid}/accept", AcceptAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("AcceptGroup")
            .WithSummary("The target accepts the open offers of the members named, or of all. Answers 202.");
        groups.MapPost("/{id:uuid}/decline", DeclineAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("DeclineGroup")
            .WithSummary("The target declines, with a reason, the open offers of the members named, or of all. Answers 202.");
        groups.MapGet("/{id:uuid}/manifest", ManifestAsync).RequireAuthorization(Scopes.SubjectRead).WithName("GetGroupManifest")
            .WithSummary("The handover manifest: for each person planned for the handover, names, sex, date of birth and travel document, no more. Each line is a subject read recorded in that person's access log.");
        groups.MapPost("/{id:uuid}/nationality-verification", VerifyAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("VerifyGroupNationality")
            .WithSummary("The origin's verification list: each accepted member named is confirmed, or rejected with a reason, as one verification each. Answers 202.");
        groups.MapPost("/{id:uuid}/return-plan", PlanAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("PlanGroupReturn")
            .WithSummary("One return plan (date, crossing point or flight, escort) for the verified members named, each with their own travel document. Answers 202.");
        groups.MapPost("/{id:uuid}/handover", HandoverAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("ConfirmGroupHandover")
            .WithSummary("One side's handover manifest: each planned member named handed over (a return confirmation each), missing, or declining return. Answers 202.");
        groups.MapPost("/{id:uuid}/withdraw", WithdrawAsync).RequireAuthorization(Scopes.ReferralsWrite).WithName("WithdrawGroup")
            .WithSummary("The holder withdraws the group (a flight cancelled): each member's open offer is withdrawn, and every member is free for another group. The group takes no further step. Answers 202.");
        return app;
    }

    private static async Task<Accepted<GroupView>> WithdrawAsync(Guid id, GroupWithdrawRequest? request, HttpContext http, IGrainFactory grains) =>
        Started(http, id, await grains.GetGrain<IGroupGrain>(id).Withdraw(Caller.From(http.User), http.Request.ExpectedVersion(), GroupCommand.Withdraw.From(request)));

    private static async Task<Ok<GroupManifest>> ManifestAsync(Guid id, HttpContext http, IGrainFactory grains)
    {
        var manifest = await grains.GetGrain<IGroupGrain>(id).Manifest(Caller.From(http.User));
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(manifest);
    }

    private static async Task<Accepted<GroupView>> VerifyAsync(Guid id, GroupVerificationRequest request, HttpContext http, IGrainFactory grains) =>
        Started(http, id, await grains.GetGrain<IGroupGrain>(id).Verify(Caller.From(http.User), http.Request.ExpectedVersion(), GroupCommand.Verify.From(request)));

    private static async Task<Accepted<GroupView>> PlanAsync(Guid id, GroupReturnPlanRequest request, HttpContext http, IGrainFactory grains) =>
        Started(http, id, await grains.GetGrain<IGroupGrain>(id).Plan(Caller.From(http.User), http.Request.ExpectedVersion(), GroupCommand.Plan.From(request)));

    private static async Task<Accepted<GroupView>> HandoverAsync(Guid id, GroupHandoverRequest request, HttpContext http, IGrainFactory grains) =>
        Started(http, id, await grains.GetGrain<IGroupGrain>(id).Handover(Caller.From(http.User), http.Request.ExpectedVersion(), GroupCommand.Handover.From(request)));

    private static async Task<Created<GroupView>> CreateAsync(CreateGroupRequest request, HttpContext http, IGrainFactory grains)
    {
        var command = GroupCommand.Create.From(request);
        var id = Guid.CreateVersion7();
        var view = await grains.GetGrain<IGroupGrain>(id).Create(Caller.From(http.User), command);
        http.Response.SetETag(view.Version);
        return TypedResults.Created($"/api/v1/groups/{id}", view);
    }

    private static async Task<Ok<IReadOnlyList<GroupSummary>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.From(http.User);
        caller.Require(CaseAction.ReadReferrals);
        return TypedResults.Ok(await grains.GetGrain<IGroupListGrain>(caller.OrganizationId).List());
    }

    private static async Task<Ok<GroupView>> GetAsync(Guid id, HttpContext http, IGrainFactory grains)
    {
        var view = await grains.GetGrain<IGroupGrain>(id).Get(Caller.From(http.User));
        http.Response.SetETag(view.Version);
        return TypedResults.Ok(view);
    }

    private static async Task<Accepted<GroupView>> OfferAsync(
        Guid id, GroupOfferRequest request, HttpContext http, IGrainFactory grains, PlatformDbContext db, TimeProvider time)
    {
        var command = GroupCommand.Offer.From(
            request, await WorkflowEndpoints.TargetAsync(db, request.ToOrganizationId, http.RequestAborted), time.GetUtcNow(),
            await WorkflowEndpoints.FocalPointCountriesAsync(db, http.RequestAborted));
        return Started(http, id, await grains.GetGrain<IGroupGrain>(id).Offer(Caller.From(http.User), http.Request.ExpectedVersion(), command));
    }

    private static async Task<Accepted<GroupView>> AcceptAsync(Guid id, GroupAnswerRequest? request, HttpContext http, IGrainFactory grains) =>
        Started(http, id, await grains.GetGrain<IGroupGrain>(id).Answer(Caller.From(http.User), http.Request.ExpectedVersion(), GroupCommand.Answer.From(request, decline: false)));

    private static async Task<Accepted<GroupView>> DeclineAsync(Guid id, GroupAnswerRequest request, HttpContext http, IGrainFactory grains) =>
        Started(http, id, await grains.GetGrain<IGroupGrain>(id).Answer(Caller.From(http.User), http.Request.ExpectedVersion(), GroupCommand.Answer.From(request, decline: true)));

    private static Accepted<GroupView> Started(HttpContext http, Guid id, GroupView view)
    {
        http.Response.SetETag(view.Version);
        return TypedResults.Accepted($"/api/v1/groups/{id}", view);
    }
}
