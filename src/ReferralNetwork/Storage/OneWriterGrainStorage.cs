using Orleans.Storage;

namespace ReferralNetwork.Storage;

/// <summary>
/// Grain state on SQLite, one write at a time per database file. SQLite allows one writer per file; grains writing at
/// once would otherwise collide on its lock, and the loser of each collision sleeps 150 ms in the data provider before
/// it tries again (a blocked thread as well). Queued here instead, each write waits only for the ones ahead of it.
/// Reads are not queued: in WAL mode they do not wait for a writer.
/// </summary>
public sealed class OneWriterGrainStorage(IGrainStorage inner, SemaphoreSlim writes) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        writes.OneAtATimeAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        writes.OneAtATimeAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}

/// <summary>
/// Reminders on SQLite live in the grain state's file, so their writes join the same queue: an offer registers its
/// expiry reminder and an answer removes it, and each of those writes used to collide with grain writes on the file's
/// lock (a grain write then slept 150 ms in the data provider while every other grain write waited behind it).
/// </summary>
public sealed class OneWriterReminderTable(IReminderTable inner, SemaphoreSlim writes) : IReminderTable
{
    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

    [Obsolete("Orleans calls StartAsync.")]
    public Task Init() => inner.StartAsync();

    public Task<ReminderTableData> ReadRows(GrainId grainId) => inner.ReadRows(grainId);

    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) => inner.ReadRows(grainId, cancellationToken);

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => inner.ReadRows(begin, end);

    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken) => inner.ReadRows(begin, end, cancellationToken);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => inner.ReadRow(grainId, reminderName);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken) => inner.ReadRow(grainId, reminderName, cancellationToken);

    public Task<string?> UpsertRow(ReminderEntry entry) => writes.OneAtATimeAsync(() => inner.UpsertRow(entry));

    public Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken) => writes.OneAtATimeAsync(() => inner.UpsertRow(entry, cancellationToken));

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => writes.OneAtATimeAsync(() => inner.RemoveRow(grainId, reminderName, eTag));

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken) =>
        writes.OneAtATimeAsync(() => inner.RemoveRow(grainId, reminderName, eTag, cancellationToken));

    public Task TestOnlyClearTable() => writes.OneAtATimeAsync(inner.TestOnlyClearTable);

    public Task TestOnlyClearTable(CancellationToken cancellationToken) => writes.OneAtATimeAsync(() => inner.TestOnlyClearTable(cancellationToken));
}

internal static class OneAtATime
{
    public static async Task OneAtATimeAsync(this SemaphoreSlim writes, Func<Task> write)
    {
        await writes.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            writes.Release();
        }
    }

    public static async Task<T> OneAtATimeAsync<T>(this SemaphoreSlim writes, Func<Task<T>> write)
    {
        await writes.WaitAsync();
        try
        {
            return await write();
        }
        finally
        {
            writes.Release();
        }
    }
}
