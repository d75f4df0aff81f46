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
        OneAtATimeAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATimeAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private async Task OneAtATimeAsync(Func<Task> write)
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
}
