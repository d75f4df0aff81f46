using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.Recovery;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards;

/// <summary>
/// <c>rebuild-dashboards</c>: clears the dashboards' tables and their projection's markers, then replays the events kept
/// in every referral's history through <see cref="DashboardProjection"/> alone. Referrals are enumerated through the
/// <see cref="ReferralIndex"/>, never Orleans' tables; each history is read from its grain (its events only, never the
/// subject). Events the live projection applies meanwhile are applied once either way (the markers).
/// </summary>
public static class DashboardRebuild
{
    private const int Page = 500;

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken = default)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.DashboardCases.ExecuteDeleteAsync(cancellationToken);
            await db.DashboardHandoffs.ExecuteDeleteAsync(cancellationToken);
            await db.Set<ProcessedEvent>().Where(p => p.Projection == DashboardProjection.ProjectionName).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var grains = services.GetRequiredService<IGrainFactory>();
        var referrals = 0;
        Guid? after = null;
        while (true)
        {
            List<Guid> page;
            await using (var scope = services.CreateAsyncScope())
            {
                page = await ReferralIndex.AllAsync(scope.ServiceProvider.GetRequiredService<PlatformDbContext>(), after, Page, cancellationToken);
            }

            if (page.Count == 0)
            {
                break;
            }

            foreach (var id in page)
            {
                var events = await grains.GetGrain<IReferralGrain>(id).Events();
                await using var scope = services.CreateAsyncScope();
                var projections = ActivatorUtilities.CreateInstance<ReferralProjections>(scope.ServiceProvider);
                foreach (var e in events.OrderBy(e => e.Number))
                {
                    await projections.ApplyAsync(e, DashboardProjection.ProjectionName, cancellationToken);
                }

                referrals += events.Count > 0 ? 1 : 0;
            }

            after = page[^1];
        }

        services.GetRequiredService<DashboardService>().Invalidate();
        await output.WriteLineAsync($"ReferralNetwork: the dashboards were rebuilt from the histories of {referrals} referrals.");
        return referrals;
    }
}
