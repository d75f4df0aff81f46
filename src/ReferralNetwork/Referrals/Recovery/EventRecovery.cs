using Microsoft.Extensions.Options;
using ReferralNetwork.Referrals;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Referrals.Recovery;

/// <summary>The <c>EventRecovery</c> configuration section.</summary>
public sealed class EventRecoveryOptions
{
    public const string Section = "EventRecovery";

    /// <summary>How often the cluster looks for referrals whose events a dead process may have left unpublished.</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

[Alias("event-recovery")]
public interface IEventRecoveryGrain : IGrainWithIntegerKey
{
    /// <summary>Sets the durable reminder and sweeps once right away (after a crash, the sooner the better).</summary>
    [Alias("start")] Task Start();

    /// <summary>Wakes every referral the index lists with unpublished events; answers how many it touched.</summary>
    [Alias("sweep")] Task<int> Sweep();
}

/// <summary>
/// A change is saved with its events and published right after; a process that dies in between leaves
/// them saved but unpublished until the referral activates again. This singleton, on a durable reminder,
/// wakes every referral the <see cref="ReferralIndex"/> lists as not fully published, so that such events go
/// out within a sweep period even if nobody touches the referral. Waking a live referral costs one call.
/// </summary>
public sealed class EventRecoveryGrain(
    IServiceScopeFactory scopes,
    IOptions<EventRecoveryOptions> options,
    ILogger<EventRecoveryGrain> logger) : Grain, IEventRecoveryGrain, IRemindable
{
    private const string Reminder = "sweep";
    private const int Page = 1000;
    private const int Parallelism = 64;

    public async Task Start()
    {
        await this.RegisterOrUpdateReminder(Reminder, options.Value.SweepPeriod, options.Value.SweepPeriod);
        this.RegisterGrainTimer(_ => Sweep(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Reminder)
        {
            await Sweep();
        }
    }

    public async Task<int> Sweep()
    {
        var touched = 0;
        Guid? after = null;
        while (true)
        {
            List<Guid> page;
            await using (var scope = scopes.CreateAsyncScope())
            {
                page = await ReferralIndex.UnpublishedAsync(scope.ServiceProvider.GetRequiredService<PlatformDbContext>(), after, Page, CancellationToken.None);
            }

            foreach (var chunk in page.Chunk(Parallelism))
            {
                await Task.WhenAll(chunk.Select(id => GrainFactory.GetGrain<IReferralGrain>(id).EnsurePublished()));
            }

            touched += page.Count;
            if (page.Count < Page)
            {
                break;
            }

            after = page[^1];
        }

        if (touched > 0)
        {
            logger.LogInformation("Event recovery woke {Count} referrals with unpublished events", touched);
        }

        return touched;
    }
}
