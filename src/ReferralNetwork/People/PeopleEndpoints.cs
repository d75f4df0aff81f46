using System.Globalization;
using System.Net.Mail;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.People;

/// <summary>
/// An organization's admin manages its people: invitations, roles, disabling, resetting a second factor. Only the
/// caller's own organization: a person of another one is a 404, as if they did not exist.
/// </summary>
public static class PeopleEndpoints
{
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

    private static async Task<Ok<List<PersonView>>> ListAsync(HttpContext http, UserManager<Person> people, InvitationBook invitations)
    {
        var caller = AdminOf(http);
        var members = await people.Users.Where(p => p.OrganizationId == caller.OrganizationId).ToListAsync(http.RequestAborted);
        var views = new List<PersonView>();
        foreach (var person in members.OrderBy(p => p.UserName, StringComparer.Ordinal))
        {
            views.Add(await ViewAsync(person, people, invitations, http.RequestAborted));
        }

        return TypedResults.Ok(views);
    }

    private static async Task<Created<InvitationView>> InviteAsync(
        HttpContext http, InvitePersonRequest request, UserManager<Person> people, PlatformDbContext db, InvitationBook invitations, InvitationMail mail)
    {
        var caller = AdminOf(http);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, http.RequestAborted);
        var roles = ParseRoles(request.Roles, organization);
        var (person, invitation) = await invitations.InviteAsync(people, mail, organization, request.Email, roles, request.Language, LinkBase(http), http.RequestAborted);
        return TypedResults.Created($"/api/v1/people/{person.Id}", invitation);
    }

    private static async Task<Ok<InvitationView>> ReinviteAsync(
        HttpContext http, string id, UserManager<Person> people, PlatformDbContext db, InvitationBook invitations, InvitationMail mail)
    {
        var caller = AdminOf(http);
        var person = await MemberAsync(people, caller, id);
        if (await people.HasPasswordAsync(person))
        {
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "This person has set a password already; an invitation is only for a first sign-in.");
        }

        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, http.RequestAborted);
        return TypedResults.Ok(await invitations.SendAsync(person, organization, mail, LinkBase(http), http.RequestAborted));
    }

    private static async Task<Ok<PersonView>> SetRolesAsync(
        HttpContext http, string id, PersonRolesRequest request, UserManager<Person> people, PlatformDbContext db, InvitationBook invitations)
    {
        var caller = AdminOf(http);
        var person = await MemberAsync(people, caller, id);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, http.RequestAborted);
        person.Roles = ParseRoles(request.Roles, organization);
        await people.UpdateAsync(person);

        // Roles are read afresh at every token refresh; the session's cookie is renewed at its next validation.
        await people.UpdateSecurityStampAsync(person);
        return TypedResults.Ok(await ViewAsync(person, people, invitations, http.RequestAborted));
    }

    private static async Task<NoContent> DisableAsync(
        HttpContext http, string id, UserManager<Person> people, IOpenIddictTokenManager tokens, RevocationList revocations, TimeProvider time)
    {
        var caller = AdminOf(http);
        var person = await MemberAsync(people, caller, id);
        if (person.Id == caller.Person)
        {
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "You cannot disable your own account; another admin of your organization can.");
        }

        person.DisabledAt ??= time.GetUtcNow();
        await people.UpdateAsync(person);
        await PersonSignIn.EndEverySessionAsync(person, people, tokens, revocations, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> EnableAsync(HttpContext http, string id, UserManager<Person> people)
    {
        var person = await MemberAsync(people, AdminOf(http), id);
        person.DisabledAt = null;
        await people.UpdateAsync(person);
        await people.SetLockoutEndDateAsync(person, null);
        await people.ResetAccessFailedCountAsync(person);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ResetSecondFactorAsync(HttpContext http, string id, UserManager<Person> people)
    {
        var person = await MemberAsync(people, AdminOf(http), id);
        await people.SetTwoFactorEnabledAsync(person, false);
        await people.RemoveAuthenticationTokenAsync(person, "[AspNetUserStore]", "AuthenticatorKey");
        await people.RemoveAuthenticationTokenAsync(person, "[AspNetUserStore]", "RecoveryCodes");
        await people.UpdateSecurityStampAsync(person);
        return TypedResults.NoContent();
    }

    private static Uri LinkBase(HttpContext http) => new($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/");

    /// <summary>The caller, who must be allowed to manage its organization's people (a system with <c>admin</c>, or a person who is its admin).</summary>
    private static Caller AdminOf(HttpContext http)
    {
        var caller = Caller.From(http.User);
        caller.Require(CaseAction.ManagePeople);
        return caller;
    }

    private static async Task<Person> MemberAsync(UserManager<Person> people, Caller caller, string id) =>
        await people.FindByIdAsync(id) is { } person && person.OrganizationId == caller.OrganizationId
            ? person
            : throw new ProblemException(ProblemKind.NotFound, "No such person in your organization.");

    private static PersonRoles ParseRoles(IReadOnlyList<string>? names, Organization organization)
    {
        var allowed = organization.Country == Country.Regional
            ? PersonRoles.Officer | PersonRoles.Supervisor | PersonRoles.OrganizationAdmin | PersonRoles.SecretariatAdmin
            : PersonRoles.Officer | PersonRoles.Supervisor | PersonRoles.OrganizationAdmin;
        var unknown = (names ?? []).Where(n => RolePermissions.Parse([n]) is var r && (r == PersonRoles.None || !allowed.HasFlag(r))).ToList();
        var roles = RolePermissions.Parse(names ?? []);
        if (roles == PersonRoles.None || unknown.Count > 0)
        {
            throw ProblemException.Invalid("roles", $"One or more of: {string.Join(", ", RolePermissions.Names(allowed))}.");
        }

        return roles;
    }

    private static async Task<PersonView> ViewAsync(Person person, UserManager<Person> people, InvitationBook invitations, CancellationToken cancellationToken) => new(
        person.Id,
        person.UserName!,
        [.. RolePermissions.Names(person.Roles)],
        person.Language,
        person.TwoFactorEnabled,
        person.IsDisabled,
        await people.IsLockedOutAsync(person),
        await invitations.IsPendingAsync(person.Id, cancellationToken));
}
