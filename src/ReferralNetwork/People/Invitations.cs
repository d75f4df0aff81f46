using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
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

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();
}
