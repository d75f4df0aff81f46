using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using ReferralNetwork.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.Identity;

/// <summary>A subject (a person's id or a client's id) whose access tokens issued before <see cref="NotBefore"/> are refused.</summary>
public sealed class Revocation
{
    public required string Subject { get; init; }

    public DateTimeOffset NotBefore { get; set; }
}

internal sealed class RevocationConfiguration : IEntityTypeConfiguration<Revocation>
{
    public void Configure(EntityTypeBuilder<Revocation> e)
    {
        e.ToTable("Revocations");
        e.HasKey(r => r.Subject);
        e.Property(r => r.Subject).HasMaxLength(200);
    }
}

/// <summary>
/// The one revocation list of the platform: access tokens are signed JWTs that stay valid until they expire, so
/// disabling a person, signing out or revoking a client records here that the subject's earlier tokens are refused.
/// Every silo keeps the list in memory and reloads it from the platform database every
/// <see cref="TokenServerOptions.RevocationRefreshInterval"/> (20 seconds by default),
/// so a revocation made on one silo holds on all of them within that time. Rows older than the longest access
/// token lifetime can no longer refuse anything and are pruned.
/// </summary>
public sealed class RevocationList(IServiceScopeFactory scopes, TimeProvider time, TokenServerOptions options, ILogger<RevocationList> logger) : BackgroundService
{
    private volatile IReadOnlyDictionary<string, DateTimeOffset> _revoked = new Dictionary<string, DateTimeOffset>();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _local = new();

    public bool IsRevoked(string subject, DateTimeOffset issued) =>
        _revoked.TryGetValue(subject, out var notBefore) && issued < notBefore
        || _local.TryGetValue(subject, out notBefore) && issued < notBefore;

    /// <summary>Refuses from now on every access token of <paramref name="subject"/> issued until now.</summary>
    public async Task RevokeAsync(string subject, CancellationToken cancellationToken)
    {
        // Token times are whole seconds: a token issued in this second is refused too.
        var notBefore = time.GetUtcNow().AddSeconds(1);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var row = await db.Set<Revocation>().SingleOrDefaultAsync(r => r.Subject == subject, cancellationToken);
        if (row is null)
        {
            db.Add(new Revocation { Subject = subject, NotBefore = notBefore });
        }
        else
        {
            row.NotBefore = notBefore;
        }

        await db.SaveChangesAsync(cancellationToken);
        _local[subject] = notBefore;
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var expired = time.GetUtcNow() - options.AccessTokenLifetime - TimeSpan.FromMinutes(5);
        await db.Set<Revocation>().Where(r => r.NotBefore < expired).ExecuteDeleteAsync(cancellationToken);
        _revoked = await db.Set<Revocation>().AsNoTracking().ToDictionaryAsync(r => r.Subject, r => r.NotBefore, cancellationToken);
        foreach (var (subject, notBefore) in _local)
        {
            if (_revoked.TryGetValue(subject, out var stored) && stored >= notBefore)
            {
                _local.TryRemove(subject, out _);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.RevocationRefreshInterval, time);
        do
        {
            try
            {
                await ReloadAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The last list stays in force; the next tick tries again.
                logger.LogWarning(e, "The revocation list could not be reloaded.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Refuses a revoked subject's access token as the API validates it (401 invalid_token).</summary>
    internal sealed class RefuseRevokedTokens(RevocationList revocations) : IOpenIddictValidationHandler<OpenIddictValidationEvents.ValidateTokenContext>
    {
        public ValueTask HandleAsync(OpenIddictValidationEvents.ValidateTokenContext context)
        {
            // The subject is a person or a system's client; a person's token names the client it was issued through
            // as well, and a revoked client takes the people's tokens it obtained with it.
            if (context.Principal is { } principal
                && principal.GetCreationDate() is { } issued
                && (principal.GetClaim(Claims.Subject) is { } subject && revocations.IsRevoked(subject, issued)
                    || principal.GetClaim(Claims.ClientId) is { } client && revocations.IsRevoked(client, issued)))
            {
                context.Reject(Errors.InvalidToken, "The token was revoked: its person was disabled or signed out, or its client revoked.");
            }

            return default;
        }
    }
}
