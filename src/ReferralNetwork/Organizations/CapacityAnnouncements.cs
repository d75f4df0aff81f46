using MassTransit;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Organizations;

/// <summary>
/// Publishes <see cref="Contracts.CapacityChanged"/> for each saved change: at once after the change is saved, and
/// again from a sweep for any change a process saved but did not get to publish (it stopped in between). Consumers
/// apply a change once by its id, so the sweep of several silos at once does no harm.
/// </summary>
public sealed class CapacityAnnouncements(IServiceScopeFactory scopes, TimeProvider time, ILogger<CapacityAnnouncements> logger) : BackgroundService
{
    /// <summary>How often the sweep looks for changes left unpublished, and how old one must be to be taken for left.</summary>
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromMinutes(1);

    public async Task PublishAsync(CapacityChange change, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await bus.Publish(change.ToEvent(), cancellationToken);
        var now = time.GetUtcNow();
        await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().CapacityChanges
            .Where(c => c.Id == change.Id && c.PublishedAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.PublishedAt, now), cancellationToken);
    }

    /// <summary>Publishes a change just saved; one the bus did not take now is left to the sweep (the change itself is saved).</summary>
    public async Task TryPublishAsync(CapacityChange change)
    {
        try
        {
            await PublishAsync(change, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Capacity change {ChangeId} is saved but not yet published; the sweep publishes it.", change.Id);
        }
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - SweepPeriod / 2;
        List<CapacityChange> left;
        await using (var scope = scopes.CreateAsyncScope())
        {
            left = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().CapacityChanges.AsNoTracking()
                .Where(c => c.PublishedAt == null && c.At < before)
                .ToListAsync(cancellationToken);
        }

        foreach (var change in left.OrderBy(c => c.At))
        {
            await PublishAsync(change, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepPeriod, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Capacity changes left unpublished could not be published; the next sweep tries again.");
            }
        }
    }
}
