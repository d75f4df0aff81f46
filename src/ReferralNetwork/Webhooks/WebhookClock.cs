namespace ReferralNetwork.Webhooks;

/// <summary>
/// The time the webhook feature goes by (when a delivery is due, when a lease runs out, when a rotation's overlap
/// ends), apart from the platform's: tests move it days ahead without sleeping and without expiring tokens.
/// </summary>
public sealed class WebhookClock(TimeProvider time)
{
    public TimeProvider Time => time;

    public DateTimeOffset Now => time.GetUtcNow();
}

/// <summary>Wakes the sender when deliveries were stored in this process, rather than waiting for its next poll.</summary>
public sealed class WebhookSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Woken already.
        }
    }

    /// <summary>Waits for a wake or the timeout; answers whether it was woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
