using System.Security.Cryptography;
using System.Text;
using System.Net.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.People;

/// <summary>
/// A one-time invitation: the person it was made for, until when it holds, whether it was used. The link carries a
/// random token; only its SHA-256 is stored, so a copy of the database opens no account.
/// </summary>
public sealed class Invitation
{
    public required string TokenHash { get; init; }

    public required string PersonId { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> e)
    {
        e.ToTable("Invitations");
        e.HasKey(i => i.TokenHash);
        e.Property(i => i.TokenHash).HasMaxLength(64);
        e.Property(i => i.PersonId).HasMaxLength(64);
        e.HasIndex(i => i.PersonId);
        e.HasOne<Person>().WithMany().HasForeignKey(i => i.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class InvitationBook(PlatformDbContext db, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(72);

    /// <summary>A new invitation for <paramref name="personId"/>; earlier unused ones for the same person stop working.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(string personId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Set<Invitation>().Where(i => i.PersonId == personId && i.UsedAt == null).ExecuteUpdateAsync(i => i.SetProperty(x => x.UsedAt, now), cancellationToken);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var invitation = new Invitation { TokenHash = Hash(token), PersonId = personId, ExpiresAt = now + Lifetime };
        db.Add(invitation);
        await db.SaveChangesAsync(cancellationToken);
        return (token, invitation.ExpiresAt);
    }

    /// <summary>The unused, unexpired invitation the token names, or null.</summary>
    public async Task<Invitation?> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token);
        var invitation = await db.Set<Invitation>().SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        return invitation is { UsedAt: null } && invitation.ExpiresAt > time.GetUtcNow() ? invitation : null;
    }

    /// <summary>Marks the invitation used; false when another request used it first (a link works once).</summary>
    public async Task<bool> UseAsync(Invitation invitation, CancellationToken cancellationToken) =>
        await db.Set<Invitation>()
            .Where(i => i.TokenHash == invitation.TokenHash && i.UsedAt == null)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.UsedAt, time.GetUtcNow()), cancellationToken) == 1;

    public async Task<bool> IsPendingAsync(string personId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.Set<Invitation>().AnyAsync(i => i.PersonId == personId && i.UsedAt == null && i.ExpiresAt > now, cancellationToken);
    }

    /// <summary>
    /// An account without a password in <paramref name="organization"/>, and its invitation (sent by e-mail when the
    /// platform has SMTP, else the link in the answer). Refuses an address that is not one, or that has an account.
    /// </summary>
    public async Task<(Person Person, InvitationView Invitation)> InviteAsync(
        UserManager<Person> people, InvitationMail mail, Organization organization, string? email, PersonRoles roles, string? language, Uri linkBase,
        CancellationToken cancellationToken)
    {
        email = email?.Trim() ?? "";
        if (email.Length is 0 or > 256 || !MailAddress.TryCreate(email, out var address) || address.Address != email)
        {
            throw ProblemException.Invalid("email", "An e-mail address, at most 256 characters.");
        }

        language ??= "en";
        if (!PeopleFeature.Languages.Contains(language))
        {
            throw ProblemException.Invalid("language", $"One of: {string.Join(", ", PeopleFeature.Languages)}.");
        }

        if (await people.FindByNameAsync(email) is not null || await people.FindByEmailAsync(email) is not null)
        {
            // Said without saying which organization has them: people's names are not shared across organizations.
            throw new ProblemException(ProblemKind.TransitionNotAllowed, "A person with this e-mail address already has an account on the platform.");
        }

        var person = new Person { OrganizationId = organization.Id, UserName = email, Email = email, Roles = roles, Language = language };
        var created = await people.CreateAsync(person);
        if (!created.Succeeded)
        {
            throw ProblemException.Invalid("email", string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        return (person, await SendAsync(person, organization, mail, linkBase, cancellationToken));
    }

    /// <summary>A new invitation for <paramref name="person"/>, by e-mail when possible, else its link in the answer.</summary>
    public async Task<InvitationView> SendAsync(Person person, Organization organization, InvitationMail mail, Uri linkBase, CancellationToken cancellationToken)
    {
        var (token, expiresAt) = await IssueAsync(person.Id, cancellationToken);
        var link = new Uri(linkBase, $"account/invitation?token={token}").ToString();
        var sent = await mail.SendAsync(person, organization, link, expiresAt, cancellationToken);
        return new InvitationView(person.Id, expiresAt, sent, sent ? null : link);
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();
}
