namespace ReferralNetwork.Hosting;

/// <summary>
/// Retries once a call from the API (not from a grain) to one of our grains that failed because the silo
/// hosting it was lost. After a silo crashes, the first call to each of its grains still goes to the
/// address cached for it and fails with <see cref="SiloUnavailableException"/>; the retry finds the grain
/// reactivated on a live silo. Grain-to-grain calls and reminders keep Orleans' own behaviour.
/// </summary>
/// <remarks>
/// The failed call either never reached a silo or died with it; in the second case its change may have been
/// saved, and the retry meets that state as a caller retrying by itself would: a change sent with If-Match
/// gets 412, a creation with its Idempotency-Key gets the first answer. Without them a change could be
/// applied twice, exactly as if the caller had retried after the error it would otherwise have received.
/// </remarks>
internal sealed class SiloLossRetryFilter(ILogger<SiloLossRetryFilter> logger) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceContext is not null || !IsOurs(context))
        {
            await context.Invoke();
            return;
        }

        try
        {
            await context.Invoke();
        }
        catch (SiloUnavailableException e)
        {
            Retrying(context, e);
            await context.Invoke();
            return;
        }

        if (context.Response?.Exception is SiloUnavailableException lost)
        {
            Retrying(context, lost);
            await context.Invoke();
        }
    }

    private static bool IsOurs(IOutgoingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType?.Namespace?.StartsWith("ReferralNetwork", StringComparison.Ordinal) == true;

    private void Retrying(IOutgoingGrainCallContext context, SiloUnavailableException e) =>
        logger.LogWarning("{Method} on {Grain} failed because its silo was lost ({Reason}); retrying once", context.MethodName, context.TargetId, e.Message);
}
