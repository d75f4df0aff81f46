using Microsoft.AspNetCore.Http.HttpResults;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Subjects;

public static class SubjectEndpoints
{
    public static IEndpointRouteBuilder MapSubjectApi(this IEndpointRouteBuilder app)
    {
        app.MapApiGroup("referrals", "Referrals")
            .MapGet("/{id:guid}/subject", SubjectAsync)
            .RequireAuthorization(Scopes.SubjectRead)
            .WithName("GetReferralSubject")
            .WithSummary("The subject compartment. Every read is recorded with who, when and why.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<SubjectView>> SubjectAsync(Guid id, string? reason, HttpContext http, IGrainFactory grains)
    {
        if (reason is { Length: > 500 })
        {
            throw ProblemException.Invalid("reason", "At most 500 characters.");
        }

        var view = await grains.GetGrain<IReferralGrain>(id).ReadSubject(Caller.From(http.User), string.IsNullOrWhiteSpace(reason) ? "case-work" : reason);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(view);
    }
}
