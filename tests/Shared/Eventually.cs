namespace ReferralNetwork.Testing;

public static class Eventually
{
    /// <summary>Read models follow events: polls until <paramref name="probe"/> yields a value that satisfies <paramref name="done"/>.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        // A stopwatch, not the wall clock: CI machines' clocks have jumped by hours in the middle of a run.
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value) || waited.Elapsed > limit)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
