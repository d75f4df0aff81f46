using Microsoft.AspNetCore.Http.HttpResults;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

namespace ReferralNetwork.Matching;

/// <summary>
/// Possible cross-border duplicates, for focal points (scope <c>referrals.read</c> to list, <c>referrals.write</c> to decide;
/// a person deciding needs the officer role). Other organizations get an empty list; a match outside the caller's reach is 404.
/// </summary>
public static class MatchEndpoints
{
    public static IEndpointRouteBuilder MapMatchesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("matches", "Matches");
        api.MapGet("/", ListAsync).WithName("ListMatches").RequireAuthorization(Scopes.ReferralsRead)
            .WithSummary("Possible duplicates of referrals held in the caller's country: the caller's own referral and the counterpart's country only (focal points; anyone else gets an empty list).");
        api.MapGet("/{id:uuid}/audit", AuditAsync).WithName("GetMatchAudit").RequireAuthorization(Scopes.ReferralsRead)
            .WithSummary("The match's own audit: found, seen, confirmed, dismissed and linked, by whom and when (the two focal points only).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:uuid}/confirm", ConfirmAsync).WithName("ConfirmMatch").RequireAuthorization(Scopes.ReferralsWrite)
            .WithSummary("Confirm the caller's side; once both sides have, each focal point becomes a participant of the other referral (ReferralLinked on each).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{id:uuid}/dismiss", DismissAsync).WithName("DismissMatch").RequireAuthorization(Scopes.ReferralsWrite)
            .WithSummary("Dismiss the match (for both sides), until both have confirmed it. Nothing of it ever reaches either referral.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Ok<List<MatchView>>> ListAsync(HttpContext http, MatchBoard board, CancellationToken cancellationToken) =>
        TypedResults.Ok(await board.ListAsync(Caller.From(http.User), cancellationToken));

    private static async Task<Ok<List<MatchAuditEntry>>> AuditAsync(Guid id, HttpContext http, MatchBoard board, CancellationToken cancellationToken) =>
        TypedResults.Ok(await board.AuditAsync(Caller.From(http.User), id, cancellationToken));

    private static async Task<Ok<MatchView>> ConfirmAsync(Guid id, HttpContext http, MatchBoard board, CancellationToken cancellationToken) =>
        TypedResults.Ok(await board.ConfirmAsync(Caller.From(http.User), id, cancellationToken));

    private static async Task<Ok<MatchView>> DismissAsync(Guid id, HttpContext http, MatchBoard board, CancellationToken cancellationToken) =>
        TypedResults.Ok(await board.DismissAsync(Caller.From(http.User), id, cancellationToken));
}
