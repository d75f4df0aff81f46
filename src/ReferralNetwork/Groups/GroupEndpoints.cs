using Microsoft.AspNetCore.Http.HttpResults;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

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

    private static async Task<Accepted<GroupView>> WithdrawAsync(Guid id, GroupWithdrawRequest? request, HttpContext http, GroupBoard board) =>
        Started(http, id, await board.WithdrawAsync(Caller.From(http.User), id, http.Request.ExpectedVersion(), request));

    private static async Task<Ok<GroupManifest>> ManifestAsync(Guid id, HttpContext http, GroupBoard board)
    {
        var manifest = await board.ManifestAsync(Caller.From(http.User), id);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(manifest);
    }

    private static async Task<Accepted<GroupView>> VerifyAsync(Guid id, GroupVerificationRequest request, HttpContext http, GroupBoard board) =>
        Started(http, id, await board.VerifyAsync(Caller.From(http.User), id, http.Request.ExpectedVersion(), request));

    private static async Task<Accepted<GroupView>> PlanAsync(Guid id, GroupReturnPlanRequest request, HttpContext http, GroupBoard board) =>
        Started(http, id, await board.PlanAsync(Caller.From(http.User), id, http.Request.ExpectedVersion(), request));

    private static async Task<Accepted<GroupView>> HandoverAsync(Guid id, GroupHandoverRequest request, HttpContext http, GroupBoard board) =>
        Started(http, id, await board.HandoverAsync(Caller.From(http.User), id, http.Request.ExpectedVersion(), request));

    private static async Task<Created<GroupView>> CreateAsync(CreateGroupRequest request, HttpContext http, GroupBoard board)
    {
        var view = await board.CreateAsync(Caller.From(http.User), request);
        http.Response.SetETag(view.Version);
        return TypedResults.Created($"/api/v1/groups/{view.Id}", view);
    }

    private static async Task<Ok<IReadOnlyList<GroupSummary>>> ListAsync(HttpContext http, GroupBoard board) =>
        TypedResults.Ok(await board.ListAsync(Caller.From(http.User)));

    private static async Task<Ok<GroupView>> GetAsync(Guid id, HttpContext http, GroupBoard board)
    {
        var view = await board.GetAsync(Caller.From(http.User), id);
        http.Response.SetETag(view.Version);
        return TypedResults.Ok(view);
    }

    private static async Task<Accepted<GroupView>> OfferAsync(Guid id, GroupOfferRequest request, HttpContext http, GroupBoard board) =>
        Started(http, id, await board.OfferAsync(Caller.From(http.User), id, http.Request.ExpectedVersion(), request, http.RequestAborted));

    private static async Task<Accepted<GroupView>> AcceptAsync(Guid id, GroupAnswerRequest? request, HttpContext http, GroupBoard board) =>
        Started(http, id, await board.AnswerAsync(Caller.From(http.User), id, http.Request.ExpectedVersion(), request, decline: false));

    private static async Task<Accepted<GroupView>> DeclineAsync(Guid id, GroupAnswerRequest request, HttpContext http, GroupBoard board) =>
        Started(http, id, await board.AnswerAsync(Caller.From(http.User), id, http.Request.ExpectedVersion(), request, decline: true));

    private static Accepted<GroupView> Started(HttpContext http, Guid id, GroupView view)
    {
        http.Response.SetETag(view.Version);
        return TypedResults.Accepted($"/api/v1/groups/{id}", view);
    }
}
