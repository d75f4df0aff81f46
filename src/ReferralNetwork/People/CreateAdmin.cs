using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.People;

/// <summary>
/// The <c>create-admin &lt;organization&gt; &lt;e-mail&gt;</c> command: the first admin of an organization in a production
/// deployment, which seeds no one. An account without a password and a one-time invitation link (72 hours), e-mailed
/// when SMTP is configured, else printed once. The admin then sets a password, a second factor, and invites the others.
/// </summary>
public static class CreateAdmin
{
    public static async Task RunAsync(IServiceProvider services, string organizationId, string email, TextWriter output, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, cancellationToken)
            ?? throw new StartupRefusedException("create-admin changed nothing.", [$"There is no organization {organizationId}: import it first (import-directory)."]);
        var roles = PersonRoles.OrganizationAdmin | (organization.Country == Country.Regional ? PersonRoles.SecretariatAdmin : PersonRoles.None);

        // Links point at the platform's public address, which production requires to be set.
        var issuer = TokenServerOptions.From(scope.ServiceProvider.GetRequiredService<IConfiguration>()).Issuer ?? new Uri("http://localhost:5080/");
        try
        {
            var (person, invitation) = await scope.ServiceProvider.GetRequiredService<InvitationBook>().InviteAsync(
                scope.ServiceProvider.GetRequiredService<UserManager<Person>>(), scope.ServiceProvider.GetRequiredService<InvitationMail>(),
                organization, email, roles, language: null, issuer, cancellationToken);
            output.WriteLine($"admin {person.Id} of {organization.Id}: created ({string.Join(", ", RolePermissions.Names(roles))})");
            output.WriteLine(invitation.SentByEmail
                ? $"invitation: sent by e-mail, valid until {invitation.ExpiresAt:u}"
                : $"invitation (shown once, valid until {invitation.ExpiresAt:u}): {invitation.Link}");
        }
        catch (ProblemException refused)
        {
            throw new StartupRefusedException("create-admin changed nothing.", [refused.Message]);
        }
    }
}
