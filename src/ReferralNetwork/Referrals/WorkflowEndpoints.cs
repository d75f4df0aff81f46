using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Referrals;

/// <summary>The state changes of a referral (DESIGN §5). Each honours If-Match and answers the new ETag.</summary>
public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("referrals/{id:uuid}", "Workflow")
            .RequireAuthorization(Scopes.ReferralsWrite)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesValidationProblem();

        api.MapPost("/screening", ScreenAsync).WithName("ScreenReferral")
            .WithSummary("Record an indicator assessment; the outcome is computed by the Palermo rule.");
        api.MapPost("/consents", ConsentAsync).WithName("RecordConsent")
            .WithSummary("Record the person's consent (services, sharing with a named organization, return).");
        api.MapPost("/handoffs", OfferAsync).WithName("OfferHandoff")
            .WithSummary("Offer a custody or service handoff to another organization.");
        api.MapPost("/handoffs/{handoffId:uuid}/accept", AcceptAsync).WithName("AcceptHandoff")
            .WithSummary("The target accepts the offer and becomes a participant.");
        api.MapPost("/handoffs/{handoffId:uuid}/decline", DeclineAsync).WithName("DeclineHandoff")
            .WithSummary("The target declines the offer, with a reason.");
        api.MapPost("/handoffs/{handoffId:uuid}/withdraw", WithdrawAsync).WithName("WithdrawHandoff")
            .WithSummary("The offering holder withdraws the offer.");
        api.MapPost("/nationality-verification", VerifyNationalityAsync).WithName("VerifyNationality")
            .WithSummary("The origin side confirms or rejects nationality and identity: the focal point of the person's country, or the embassy or international organization that accepted the return.");
        api.MapPost("/return-plan", PlanReturnAsync).WithName("PlanReturn")
            .WithSummary("Travel document, date, crossing point and escort of the return.");
        api.MapPost("/return-confirmation", ConfirmReturnAsync).WithName("ConfirmReturn")
            .WithSummary("Confirm the handover; the side follows from the caller. Custody moves when both sides confirmed.");
        api.MapPost("/services", RecordServiceAsync).WithName("RecordService")
            .WithSummary("Record a service started or delivered.");
        api.MapPost("/close", CloseAsync).WithName("CloseReferral")
            .WithSummary("Close the referral with a reason; it accepts no change afterwards.");
        app.MapApiGroup("referrals/{id:uuid}", "Workflow")
            .MapPost("/subject/emergency-access", EmergencyAccessAsync)
            .RequireAuthorization(Scopes.SubjectRead)
            .WithName("OpenEmergencyAccess")
            .WithSummary("Break the glass: open the subject for 3 hours, with a mandatory reason; the holder is told.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem();
        return app;
    }

    private static async Task<Ok<ScreeningResult>> ScreenAsync(Guid id, ScreeningRequest request, HttpContext http, IGrainFactory grains)
    {
        var command = ReferralCommand.Screen.From(request);
        var view = await Referral(grains, id).Screen(Caller.From(http.User), http.Request.ExpectedVersion(), command);
        http.Response.SetETag(view.Version);
        var screening = view.Screening!;
        return TypedResults.Ok(new ScreeningResult(screening.Outcome, screening.Elements, screening.Child));
    }

    private static async Task<Ok<ReferralView>> ConsentAsync(Guid id, ConsentRequest request, HttpContext http, IGrainFactory grains, PlatformDbContext db)
    {
        var exists = request.OrganizationId is { Length: > 0 } organization && await db.Organizations.AnyAsync(o => o.Id == organization, http.RequestAborted);
        var command = ReferralCommand.RecordConsent.From(request, exists);
        return Answer(http, await Referral(grains, id).RecordConsent(Caller.From(http.User), http.Request.ExpectedVersion(), command));
    }

    private static async Task<Created<HandoffView>> OfferAsync(Guid id, HandoffRequest request, HttpContext http, IGrainFactory grains, PlatformDbContext db, TimeProvider time)
    {
        var command = ReferralCommand.Offer.From(
            request, await TargetAsync(db, request.ToOrganizationId, http.RequestAborted), time.GetUtcNow(), await FocalPointCountriesAsync(db, http.RequestAborted));
        var handoff = await Referral(grains, id).Offer(Caller.From(http.User), http.Request.ExpectedVersion(), command);
        return TypedResults.Created($"/api/v1/referrals/{id}", handoff);
    }

    private static async Task<Ok<ReferralView>> AcceptAsync(Guid id, Guid handoffId, HttpContext http, IGrainFactory grains) =>
        Answer(http, (await Referral(grains, id).Accept(Caller.From(http.User), http.Request.ExpectedVersion(), handoffId))!);

    private static async Task<NoContent> DeclineAsync(Guid id, Guid handoffId, ReasonRequest request, HttpContext http, IGrainFactory grains)
    {
        var command = ReferralCommand.Decline.From(handoffId, request);
        await Referral(grains, id).Decline(Caller.From(http.User), http.Request.ExpectedVersion(), command);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ReferralView>> WithdrawAsync(Guid id, Guid handoffId, ReasonRequest? request, HttpContext http, IGrainFactory grains) =>
        Answer(http, await Referral(grains, id).Withdraw(Caller.From(http.User), http.Request.ExpectedVersion(), ReferralCommand.Withdraw.From(handoffId, request)));

    private static async Task<Ok<ReferralView>> VerifyNationalityAsync(Guid id, NationalityVerificationRequest request, HttpContext http, IGrainFactory grains) =>
        Answer(http, await Referral(grains, id).VerifyNationality(Caller.From(http.User), http.Request.ExpectedVersion(), ReferralCommand.VerifyNationality.From(request)));

    private static async Task<Ok<ReferralView>> PlanReturnAsync(Guid id, ReturnPlanRequest request, HttpContext http, IGrainFactory grains) =>
        Answer(http, await Referral(grains, id).PlanReturn(Caller.From(http.User), http.Request.ExpectedVersion(), ReferralCommand.PlanReturn.From(request)));

    private static async Task<Ok<ReferralView>> ConfirmReturnAsync(Guid id, ReturnConfirmationRequest request, HttpContext http, IGrainFactory grains) =>
        Answer(http, await Referral(grains, id).ConfirmReturn(Caller.From(http.User), http.Request.ExpectedVersion(), ReferralCommand.ConfirmReturn.From(request)));

    private static async Task<Ok<ReferralView>> RecordServiceAsync(Guid id, ServiceRequest request, HttpContext http, IGrainFactory grains) =>
        Answer(http, await Referral(grains, id).RecordService(Caller.From(http.User), http.Request.ExpectedVersion(), ReferralCommand.RecordService.From(request)));

    private static async Task<Ok<ReferralView>> CloseAsync(Guid id, CloseRequest request, HttpContext http, IGrainFactory grains) =>
        Answer(http, await Referral(grains, id).Close(Caller.From(http.User), http.Request.ExpectedVersion(), ReferralCommand.Close.From(request)));

    private static async Task<Ok<ReferralView>> EmergencyAccessAsync(Guid id, EmergencyAccessRequest request, HttpContext http, IGrainFactory grains) =>
        Answer(http, await Referral(grains, id).OpenEmergencyAccess(Caller.From(http.User), http.Request.ExpectedVersion(), ReferralCommand.OpenEmergencyAccess.From(request)));

    /// <summary>The directory's entry for the organization an offer names, as the workflow needs it; null when there is none.</summary>
    internal static async Task<OrganizationRef?> TargetAsync(PlatformDbContext db, string? organizationId, CancellationToken cancellationToken) =>
        organizationId is { Length: > 0 } id && await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken) is { } target
            ? new OrganizationRef(target.Id, target.Country, target.Kind, target.Nationalities.Count == 0 ? null : [.. target.Nationalities])
            : null;

    /// <summary>The countries with a focal point on the platform: the nationalities whose return goes focal point to focal point.</summary>
    internal static async Task<IReadOnlyList<string>> FocalPointCountriesAsync(PlatformDbContext db, CancellationToken cancellationToken) =>
        await db.Organizations.AsNoTracking().Where(o => o.Kind == OrganizationKind.FocalPoint).Select(o => o.Country).Distinct().ToListAsync(cancellationToken);

    private static IReferralGrain Referral(IGrainFactory grains, Guid id) => grains.GetGrain<IReferralGrain>(id);

    private static Ok<ReferralView> Answer(HttpContext http, ReferralView view)
    {
        http.Response.SetETag(view.Version);
        return TypedResults.Ok(view);
    }
}
