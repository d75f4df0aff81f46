using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.OrleansTables;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Tests.Storage;

/// <summary>On SQLite, the grain state's file has one writer at a time: grain writes and reminder writes wait in one queue.</summary>
public sealed class OneWriterTests
{
    [Fact]
    public async Task A_grain_write_waits_for_a_reminder_write_in_progress_and_then_goes_ahead()
    {
        var writes = new SemaphoreSlim(1, 1);
        var reminders = new HeldReminderTable();
        var grains = new CountingGrainStorage();
        var table = new OneWriterReminderTable(reminders, writes);
        var storage = new OneWriterGrainStorage(grains, writes);

        var upsert = table.UpsertRow(new ReminderEntry { GrainId = GrainId.Create("referral", "a"), ReminderName = "expiry" }, TestContext.Current.CancellationToken);
        Assert.Equal(1, reminders.Started);

        // Were it not queued, the write would reach the storage at once (nothing in between awaits).
        var write = storage.WriteStateAsync("referral", GrainId.Create("referral", "b"), new GrainState<string>("state"));
        Assert.Equal(0, grains.Writes);
        var removal = table.RemoveRow(GrainId.Create("referral", "a"), "expiry", "1", TestContext.Current.CancellationToken);
        Assert.Equal(1, reminders.Started);

        reminders.Release();
        Assert.Equal("1", await upsert);
        await write;
        Assert.True(await removal);
        Assert.Equal((1, 2), (grains.Writes, reminders.Started));
    }

    [Fact]
    public void A_silo_on_sqlite_queues_its_reminder_writes_and_one_on_postgresql_does_not()
    {
        var protector = new EnvelopeProtector(KeyRing.Create());
        Assert.IsType<OneWriterReminderTable>(ReminderTableOf(GrainStore.Sqlite("Data Source=grains.db", protector)));
        Assert.IsNotType<OneWriterReminderTable>(ReminderTableOf(new GrainStore(OrleansSchema.PostgresInvariant, "Host=localhost", protector)));
    }

    private static IReminderTable ReminderTableOf(GrainStore store)
    {
        var silo = new Silo(new ServiceCollection());
        store.AddReminders(silo);
        silo.Services.AddOptions();
        return silo.Services.BuildServiceProvider().GetRequiredService<IReminderTable>();
    }

    private sealed class Silo(IServiceCollection services) : ISiloBuilder
    {
        public IServiceCollection Services => services;

        public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
    }

    /// <summary>A reminder table whose first write stays in progress until released.</summary>
    private sealed class HeldReminderTable : IReminderTable
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public int Started => _started;

        public void Release() => _held.SetResult();

        public Task<ReminderTableData> ReadRows(GrainId grainId) => Task.FromResult(new ReminderTableData());

        public Task<ReminderTableData> ReadRows(uint begin, uint end) => Task.FromResult(new ReminderTableData());

        public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => Task.FromResult<ReminderEntry?>(null);

        public async Task<string?> UpsertRow(ReminderEntry entry)
        {
            Interlocked.Increment(ref _started);
            await _held.Task;
            return "1";
        }

        public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
        {
            Interlocked.Increment(ref _started);
            await _held.Task;
            return true;
        }

        public Task TestOnlyClearTable() => Task.CompletedTask;
    }

    private sealed class CountingGrainStorage : IGrainStorage
    {
        private int _writes;

        public int Writes => _writes;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Interlocked.Increment(ref _writes);
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
    }
}
