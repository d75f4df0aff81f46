using System.Data.Common;
using System.Net.Sockets;
using Orleans.Storage;

namespace ReferralNetwork.Subjects;

/// <summary>
/// The grain storage of the subject compartment (<see cref="SubjectsFeature.GrainStorage"/>). Orleans picks a storage
/// per grain type, not per grain, so the compartment's grains carry the country in their key (the referral's or the
/// document's id, with the country code as key extension) and this storage routes each one by it: to the store
/// <c>Residency:&lt;country&gt;</c> names, else to the shared one.
/// </summary>
/// <remarks>
/// A compartment not found in its store is looked for where it was kept before, and moved: in the shared store under the
/// same key (the country's residency was configured after it was written), then under the key of before the key carried
/// the country (an upgrade). It is written to its store first and only then cleared where it was, so that a failure
/// in between leaves a copy rather than nothing.
/// </remarks>
public sealed class ResidencyGrainStorage(
    IGrainStorage shared,
    IReadOnlyDictionary<string, CountryGrainStorage> countries,
    ILogger<ResidencyGrainStorage> logger) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var store = StoreOf(grainId);
        await store.ReadStateAsync(stateName, grainId, grainState);
        if (grainState.RecordExists)
        {
            return;
        }

        foreach (var (source, sourceId, why) in EarlierPlaces(grainId, store))
        {
            var found = new GrainState<T>();
            await source.ReadStateAsync(stateName, sourceId, found);
            if (!found.RecordExists)
            {
                continue;
            }

            grainState.State = found.State;
            await store.WriteStateAsync(stateName, grainId, grainState);
            await source.ClearStateAsync(stateName, sourceId, found);
            logger.LogInformation("Moved the {StateName} state of {GrainType} to the {Store} store ({Why})", stateName, grainId.Type, NameOf(store), why);
            return;
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        StoreOf(grainId).WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        StoreOf(grainId).ClearStateAsync(stateName, grainId, grainState);

    /// <summary>The country the key carries, or null for a key without one.</summary>
    public static string? CountryOf(GrainId grainId) =>
        grainId.TryGetGuidKey(out _, out var extension) && extension is { Length: > 0 } ? extension : null;

    private IGrainStorage StoreOf(GrainId grainId) =>
        CountryOf(grainId) is { } country && countries.TryGetValue(country, out var store) ? store : shared;

    private IEnumerable<(IGrainStorage Store, GrainId Id, string Why)> EarlierPlaces(GrainId grainId, IGrainStorage store)
    {
        if (store != shared)
        {
            yield return (shared, grainId, "residency configured after it was written");
        }

        if (grainId.TryGetGuidKey(out var id, out var extension) && extension is { Length: > 0 })
        {
            yield return (shared, GrainId.Create(grainId.Type, GrainIdKeyExtensions.CreateGuidKey(id)), "keyed without its country before the upgrade");
        }
    }

    private static string NameOf(IGrainStorage store) => store is CountryGrainStorage country ? country.Country : "shared";
}

/// <summary>
/// One country's store of compartments: an ADO.NET grain storage that starts on first use rather than with the silo, so
/// that a silo starts, and serves every other country, while this store is down. Whatever fails on the way to the store
/// (connection, server, time-out) is <see cref="SubjectStoreUnavailableException"/>: a 503 naming no one.
/// </summary>
public sealed class CountryGrainStorage(string country, Func<IGrainStorage> create, ILogger<CountryGrainStorage> logger) : IGrainStorage
{
    private readonly Lock _lock = new();
    private Task<IGrainStorage>? _ready;

    public string Country => country;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(storage => storage.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(storage => storage.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(storage => storage.ClearStateAsync(stateName, grainId, grainState));

    private async Task GuardAsync(Func<IGrainStorage, Task> operation)
    {
        try
        {
            await operation(await ReadyAsync());
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            logger.LogWarning(e, "The subject store of {Country} is unavailable", country);
            throw new SubjectStoreUnavailableException(country);
        }
    }

    /// <summary>Started once; a start that failed (the store was down) is tried again by the next call.</summary>
    private Task<IGrainStorage> ReadyAsync()
    {
        lock (_lock)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = StartAsync();
            }

            return _ready;
        }
    }

    private async Task<IGrainStorage> StartAsync()
    {
        var storage = create();
        if (storage is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            var lifecycle = new StartOnlyLifecycle();
            participant.Participate(lifecycle);
            await lifecycle.StartAsync();
        }

        return storage;
    }

    private static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException or SocketException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The silo's lifecycle as far as a storage provider takes part in it: its start (reading its queries).</summary>
    private sealed class StartOnlyLifecycle : ISiloLifecycle
    {
        private readonly List<(int Stage, ILifecycleObserver Observer)> _observers = [];

        public int HighestCompletedStage { get; private set; }

        public int LowestStoppedStage => int.MaxValue;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add((stage, observer));
            return new Unsubscriber();
        }

        public async Task StartAsync()
        {
            foreach (var (stage, observer) in _observers.OrderBy(o => o.Stage))
            {
                await observer.OnStart(CancellationToken.None);
                HighestCompletedStage = stage;
            }
        }

        private sealed class Unsubscriber : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}

/// <summary>The store of a country's compartments could not be reached: only that country's subjects are affected.</summary>
[GenerateSerializer, Alias("subject-store-unavailable")]
public sealed class SubjectStoreUnavailableException(string country) : Exception($"The subject store of {country} is unavailable.")
{
    [Id(0)] public string Country { get; } = country;

    /// <summary>This failure anywhere in an exception's chain (a grain call may wrap it on its way).</summary>
    public static SubjectStoreUnavailableException? In(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SubjectStoreUnavailableException store)
            {
                return store;
            }
        }

        return null;
    }
}
