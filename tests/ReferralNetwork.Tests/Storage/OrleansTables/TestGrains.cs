using System.Collections.Concurrent;
using Orleans.Runtime;

namespace ReferralNetwork.Tests.Storage.OrleansTables;

[GenerateSerializer, Alias("ReferralNetwork.Tests.Orleans.CounterState")]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
}

/// <summary>A counter whose every change is written through the grain storage under test.</summary>
[Alias("ReferralNetwork.Tests.Orleans.ICounter")]
public interface ICounter : IGrainWithGuidKey
{
    [Alias("Add")] Task<int> Add(int amount);
    [Alias("Get")] Task<int> Get();
    [Alias("Clear")] Task Clear();
    [Alias("Reload")] Task<int> Reload();
}

/// <summary>Stored by the default provider, which keeps the row on clear.</summary>
[Alias("ReferralNetwork.Tests.Orleans.ICounterGrain")]
public interface ICounterGrain : ICounter;

/// <summary>Stored by the provider configured with DeleteStateOnClear.</summary>
[Alias("ReferralNetwork.Tests.Orleans.IDeletingCounterGrain")]
public interface IDeletingCounterGrain : ICounter;

public abstract class CounterGrainBase(IPersistentState<CounterState> counter) : Grain
{
    public async Task<int> Add(int amount)
    {
        counter.State.Value += amount;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<int> Get() => Task.FromResult(counter.State.Value);

    public Task Clear() => counter.ClearStateAsync();

    public async Task<int> Reload()
    {
        await counter.ReadStateAsync();
        return counter.State.Value;
    }
}

// The ADO.NET provider keys a row by service, state name and grain key, not by grain class, so the
// two classes use different state names.
public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> counter)
    : CounterGrainBase(counter), ICounterGrain;

public sealed class DeletingCounterGrain([PersistentState("deletingCounter", SqliteCluster.DeletingStorage)] IPersistentState<CounterState> counter)
    : CounterGrainBase(counter), IDeletingCounterGrain;

[Alias("ReferralNetwork.Tests.Orleans.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithGuidKey
{
    [Alias("Start")] Task Start(TimeSpan period);
    [Alias("Stop")] Task Stop();
}

/// <summary>Records reminder ticks per grain, across activations and cluster restarts in this process.</summary>
public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public const string ReminderName = "probe";

    private static readonly ConcurrentDictionary<Guid, int> TickCounts = new();

    public static int Ticks(Guid grain) => TickCounts.GetValueOrDefault(grain);

    public Task Start(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, period, period);

    public async Task Stop()
    {
        var reminder = await this.GetReminder(ReminderName)
            ?? throw new InvalidOperationException("The reminder is not registered.");
        await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        TickCounts.AddOrUpdate(this.GetPrimaryKey(), 1, (_, count) => count + 1);
        return Task.CompletedTask;
    }
}
