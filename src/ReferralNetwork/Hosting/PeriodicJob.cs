namespace ReferralNetwork.Hosting;

/// <summary>
/// Work a silo does on a timer (pruning, notices, retention): once per period, at start too when asked, a failed round
/// logged and tried again next period, stopped quietly with the host. Every silo runs its own; each job says why two
/// silos running it at once is harmless.
/// </summary>
public abstract class PeriodicJob(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>The clock of the timer, for the job's own idea of now.</summary>
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Period { get; }

    /// <summary>Whether the first round runs at start, rather than one period after it.</summary>
    protected virtual bool RunsAtStart => true;

    /// <summary>What the log says a failed round was, e.g. "Looking for offers coming due".</summary>
    protected abstract string Name { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, Time);
        try
        {
            if (!RunsAtStart)
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }

            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "{Job} failed; trying again in {Period}", Name, Period);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops.
        }
    }
}
