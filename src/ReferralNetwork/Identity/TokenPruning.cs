using OpenIddict.Abstractions;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Identity;

/// <summary>
/// Removes authorization codes, refresh tokens and sign-in authorizations that can no longer be used (expired,
/// redeemed or revoked a day ago or more), so that token storage stays the size of the people signed in. Every
/// silo runs it; two pruning at once delete the same rows, which is harmless.
/// </summary>
internal sealed class TokenPruning(IServiceScopeFactory scopes, TimeProvider time, ILogger<TokenPruning> logger) : PeriodicJob(time, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override TimeSpan Period => Interval;

    protected override bool RunsAtStart => false;

    protected override string Name => "Pruning token storage";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => PruneAsync(scopes, Time.GetUtcNow().AddDays(-1), cancellationToken);

    public static async Task PruneAsync(IServiceScopeFactory scopes, DateTimeOffset threshold, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
    }
}
