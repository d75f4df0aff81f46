using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Storage;

/// <summary>
/// The SQLite writer commits many saves together, answers each only once its save is committed, and keeps one
/// failing save from undoing the others.
/// </summary>
public sealed class PlatformWriterTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private ServiceProvider _services = null!;

    private string File => Path.Combine(_data.Path, "platform.db");

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddPlatformDbContext(PlatformProfile.Embedded, $"Data Source={File}")
            .BuildServiceProvider(true);
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task Saves_that_wait_together_are_committed_together_and_each_answered_after_its_commit()
    {
        var writer = _services.GetRequiredService<PlatformWriter>();
        using var batches = new BatchSizes(writer.Meter!);
        List<Task<int>> saves;
        await using (var other = await HoldWriteLockAsync())
        {
            // Another connection holds the file's write lock: the writer waits for it while 100 saves queue up.
            saves = Enumerable.Range(0, 100).Select(n => SaveMarkersAsync(writer, n)).ToList();
            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.DoesNotContain(saves, s => s.IsCompleted);
            await CommitAsync(other);
        }

        foreach (var save in saves)
        {
            var number = await save;
            // Answered means committed: another connection already reads it.
            Assert.True(await MarkerCommittedAsync(number), $"save {number} was answered before its commit");
        }

        // The first batch took what was queued when the writer woke; the second, all the rest. The meter says so.
        Assert.InRange(batches.Sizes.Count, 1, 2);
        Assert.Equal(100, batches.Sizes.Sum());
    }

    [Fact]
    public async Task A_failing_save_undoes_only_its_own_changes_and_is_answered_with_its_failure()
    {
        var writer = _services.GetRequiredService<PlatformWriter>();
        await SaveMarkersAsync(writer, 7);

        Task<int> before, failing, after;
        await using (var other = await HoldWriteLockAsync())
        {
            before = SaveMarkersAsync(writer, 1);
            // Marker 7 again: the primary key refuses this save, which also holds marker 2.
            failing = SaveMarkersAsync(writer, 2, 7);
            after = SaveMarkersAsync(writer, 3);
            await CommitAsync(other);
        }

        await before;
        await Assert.ThrowsAsync<DbUpdateException>(() => failing);
        await after;
        Assert.True(await MarkerCommittedAsync(1));
        Assert.True(await MarkerCommittedAsync(3));
        Assert.False(await MarkerCommittedAsync(2), "the failed save's other change was committed with the batch");

        // The context of a save goes back to its caller on a connection of its own, outside the writer's transaction.
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        db.Set<ProcessedEvent>().Add(Marker(8));
        await writer.SaveChangesAsync(db, TestContext.Current.CancellationToken);
        Assert.Null(db.Database.CurrentTransaction);
        Assert.Equal([1, 3, 7, 8], await db.Set<ProcessedEvent>().Where(p => p.Projection == "writer-test").Select(p => p.Number).Order().ToListAsync(TestContext.Current.CancellationToken));
    }

    private static readonly Guid Referral = Guid.NewGuid();

    private static ProcessedEvent Marker(int number) => new() { Projection = "writer-test", ReferralId = Referral, Number = number };

    private async Task<int> SaveMarkersAsync(PlatformWriter writer, params int[] numbers)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        db.Set<ProcessedEvent>().AddRange(numbers.Select(Marker));
        await writer.SaveChangesAsync(db);
        return numbers[0];
    }

    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task CommitAsync(SqliteConnection connection)
    {
        await using var commit = connection.CreateCommand();
        commit.CommandText = "COMMIT;";
        await commit.ExecuteNonQueryAsync();
    }

    /// <summary>The batch sizes this writer's meter records (other writers of the test run have meters of the same name).</summary>
    private sealed class BatchSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<int> _sizes = [];

        public BatchSizes(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "referralnetwork.platform_writer.batch_size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
            {
                lock (_sizes)
                {
                    _sizes.Add(size);
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<int> Sizes
        {
            get
            {
                lock (_sizes)
                {
                    return [.. _sizes];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private async Task<bool> MarkerCommittedAsync(int number)
    {
        await using var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ProcessedEvents WHERE Projection = 'writer-test' AND ReferralId = $r AND Number = $n";
        command.Parameters.AddWithValue("$r", Referral.ToString().ToUpperInvariant());
        command.Parameters.AddWithValue("$n", number);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
