using OpenIddict.Abstractions;

namespace ReferralNetwork.Identity;

/// <summary>
/// Removes authorization codes, refresh tokens and sign-in authorizations that can no longer be used (expired,
/// redeemed or revoked a day ago or more), so that token storage stays the size of the people signed in. Every
/// silo runs it; two pruning at once delete the same rows, which is harmless.
/// </summary>
internal sealed class TokenPruning(IServiceScopeFactory scopes, TimeProvider time, ILogger<TokenPruning> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneAsync(scopes, time.GetUtcNow().AddDays(-1), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Token storage could not be pruned; the next hour tries again.");
            }
        }
    }

    public static async Task PruneAsync(IServiceScopeFactory scopes, DateTimeOffset threshold, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
    }
}
