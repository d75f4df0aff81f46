using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

namespace ReferralNetwork.People;

/// <summary>
/// An organization's admin manages its people: invitations, roles, disabling, resetting a second factor. Only the
/// caller's own organization: a person of another one is a 404, as if they did not exist.
/// </summary>
public static class PeopleEndpoints
{
    /// <summary>People's ids are UUIDs; anything longer is no one's.</summary>
    private const int MaxPersonId = 64;

    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("people", "People")
            .RequireAuthorization(Scopes.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/", ListAsync).WithName("ListPeople").WithSummary("The people of the caller's organization.");
        api.MapPost("/invitations", InviteAsync)
            .WithName("InvitePerson")
            .WithSummary("Invites a person: an account without a password, and a one-time link (72 hours) to set it, sent by e-mail when the platform has SMTP, else returned here once.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{id}/invitation", ReinviteAsync)
            .WithName("ReinvitePerson")
            .WithSummary("A new invitation for a person who has not set a password yet; earlier links stop working.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPut("/{id}/roles", SetRolesAsync).WithName("SetPersonRoles").WithSummary("Replaces the person's roles.").ProducesValidationProblem();
        api.MapPost("/{id}/disable", DisableAsync)
            .WithName("DisablePerson")
            .WithSummary("Disables the account: no new sign-in, and every token and session of the person refused within a minute on every silo.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{id}/enable", EnableAsync).WithName("EnablePerson").WithSummary("Enables a disabled account again.");
        api.MapPost("/{id}/reset-second-factor", ResetSecondFactorAsync)
            .WithName("ResetPersonSecondFactor")
            .WithSummary("Removes the person's authenticator and recovery codes; they set up a new one at their next sign-in.");
        return app;
    }

    private static async Task<Ok<List<PersonView>>> ListAsync(HttpContext http, OrganizationPeople people) =>
        TypedResults.Ok(await people.ListAsync(Caller.From(http.User), http.RequestAborted));

    private static async Task<Created<InvitationView>> InviteAsync(HttpContext http, InvitePersonRequest request, OrganizationPeople people)
    {
        var (id, invitation) = await people.InviteAsync(Caller.From(http.User), request, LinkBase(http), http.RequestAborted);
        return TypedResults.Created($"/api/v1/people/{id}", invitation);
    }

    private static async Task<Ok<InvitationView>> ReinviteAsync(HttpContext http, [MaxLength(MaxPersonId)] string id, OrganizationPeople people) =>
        TypedResults.Ok(await people.ReinviteAsync(Caller.From(http.User), id, LinkBase(http), http.RequestAborted));

    private static async Task<Ok<PersonView>> SetRolesAsync(HttpContext http, [MaxLength(MaxPersonId)] string id, PersonRolesRequest request, OrganizationPeople people) =>
        TypedResults.Ok(await people.SetRolesAsync(Caller.From(http.User), id, request, http.RequestAborted));

    private static async Task<NoContent> DisableAsync(HttpContext http, [MaxLength(MaxPersonId)] string id, OrganizationPeople people)
    {
        await people.DisableAsync(Caller.From(http.User), id, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> EnableAsync(HttpContext http, [MaxLength(MaxPersonId)] string id, OrganizationPeople people)
    {
        await people.EnableAsync(Caller.From(http.User), id);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ResetSecondFactorAsync(HttpContext http, [MaxLength(MaxPersonId)] string id, OrganizationPeople people)
    {
        await people.ResetSecondFactorAsync(Caller.From(http.User), id);
        return TypedResults.NoContent();
    }

    /// <summary>The platform's address as the caller reached it: where an invitation link leads.</summary>
    internal static Uri LinkBase(HttpContext http) => new($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/");
}
