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
/// What an organization's admin does to its people, whether through the API or the console: invitations, roles,
/// disabling, resetting a second factor. Only the caller's own organization: a person of another one is a 404.
/// </summary>
public sealed class OrganizationPeople(
    UserManager<Person> people, PlatformDbContext db, InvitationBook invitations, InvitationMail mail, IOpenIddictTokenManager tokens,
    RevocationList revocations, TimeProvider time)
{
    public async Task<List<PersonView>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        var members = await people.Users.Where(p => p.OrganizationId == caller.OrganizationId).ToListAsync(cancellationToken);
        var views = new List<PersonView>();
        foreach (var person in members.OrderBy(p => p.UserName, StringComparer.Ordinal))
        {
            views.Add(await ViewAsync(person, cancellationToken));
        }

        return views;
    }

    /// <summary>An account without a password and a one-time link to set it; <paramref name="linkBase"/> is the platform's address as the caller sees it.</summary>
    public async Task<(string PersonId, InvitationView Invitation)> InviteAsync(Caller caller, InvitePersonRequest request, Uri linkBase, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        FieldErrors.Of(request).ThrowIfAny();
        var organization = await OrganizationOfAsync(caller, cancellationToken);
        var roles = ParseRoles(request.Roles, organization);
        var (person, invitation) = await invitations.InviteAsync(people, mail, organization, request.Email, roles, request.Language, linkBase, cancellationToken);
        return (person.Id, invitation);
    }

    public async Task<InvitationView> ReinviteAsync(Caller caller, string id, Uri linkBase, CancellationToken cancellationToken)
    {
        var person = await MemberAsync(caller, id);
        if (await people.HasPasswordAsync(person))
        {
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "This person has set a password already; an invitation is only for a first sign-in.");
        }

        return await invitations.SendAsync(person, await OrganizationOfAsync(caller, cancellationToken), mail, linkBase, cancellationToken);
    }

    public async Task<PersonView> SetRolesAsync(Caller caller, string id, PersonRolesRequest request, CancellationToken cancellationToken)
    {
        var person = await MemberAsync(caller, id);
        FieldErrors.Of(request).ThrowIfAny();
        person.Roles = ParseRoles(request.Roles, await OrganizationOfAsync(caller, cancellationToken));
        await people.UpdateAsync(person);

        // Roles are read afresh at every token refresh; the session's cookie is renewed at its next validation.
        await people.UpdateSecurityStampAsync(person);
        return await ViewAsync(person, cancellationToken);
    }

    public async Task DisableAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var person = await MemberAsync(caller, id);
        if (person.Id == caller.Person)
        {
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "You cannot disable your own account; another admin of your organization can.");
        }

        person.DisabledAt ??= time.GetUtcNow();
        await people.UpdateAsync(person);
        await PersonSignIn.EndEverySessionAsync(person, people, tokens, revocations, cancellationToken);
    }

    public async Task EnableAsync(Caller caller, string id)
    {
        var person = await MemberAsync(caller, id);
        person.DisabledAt = null;
        await people.UpdateAsync(person);
        await people.SetLockoutEndDateAsync(person, null);
        await people.ResetAccessFailedCountAsync(person);
    }

    public async Task ResetSecondFactorAsync(Caller caller, string id)
    {
        var person = await MemberAsync(caller, id);
        await people.SetTwoFactorEnabledAsync(person, false);
        await people.RemoveAuthenticationTokenAsync(person, "[AspNetUserStore]", "AuthenticatorKey");
        await people.RemoveAuthenticationTokenAsync(person, "[AspNetUserStore]", "RecoveryCodes");
        await people.UpdateSecurityStampAsync(person);
    }

    /// <summary>A system with <c>admin</c>, or a person who is its organization's admin.</summary>
    private static void RequireAdmin(Caller caller) => caller.Require(CaseAction.ManagePeople);

    private Task<Organization> OrganizationOfAsync(Caller caller, CancellationToken cancellationToken) =>
        db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, cancellationToken);

    private async Task<Person> MemberAsync(Caller caller, string id)
    {
        RequireAdmin(caller);
        return await people.FindByIdAsync(id) is { } person && person.OrganizationId == caller.OrganizationId
            ? person
            : throw new ProblemException(ProblemKind.NotFound, "No such person in your organization.");
    }

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

    private async Task<PersonView> ViewAsync(Person person, CancellationToken cancellationToken) => new(
        person.Id,
        person.UserName!,
        [.. RolePermissions.Names(person.Roles)],
        person.Language,
        person.TwoFactorEnabled,
        person.IsDisabled,
        await people.IsLockedOutAsync(person),
        await invitations.IsPendingAsync(person.Id, cancellationToken));
}
