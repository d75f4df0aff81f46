using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ReferralNetwork.Storage;

/// <summary>
/// The hot writes of the platform database (the projections of referral events, the referral index, the match index)
/// are saved through here. On PostgreSQL a save is its caller's own transaction, as it would be without this class. On
/// SQLite, which allows one writer per file, the saves are queued to one writer that takes whatever is waiting, saves
/// each in a savepoint of its own inside one transaction and commits them together: one lock and one fsync for many
/// saves (group commit), and no caller left sleeping on a locked file. Each caller is answered only after the commit
/// that holds its changes. The callers read and decide on their own connections, concurrently; only the saving is
/// one at a time. What a caller read may therefore be older than the commit its save joins: the callers are the only
/// writers of their rows (a referral's events reach a projection one at a time; the indexes have one writer each).
/// </summary>
public sealed class PlatformWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;

    /// <summary>The meter of the embedded profile's writer (docs/telemetry.md): how many saves each commit holds, and how long it takes.</summary>
    public const string MeterName = "ReferralNetwork.Storage";

    private readonly IServiceScopeFactory? _sqlite;
    private readonly ILogger<PlatformWriter> _logger;
    private readonly Channel<Save> _saves = Channel.CreateUnbounded<Save>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer = Task.CompletedTask;
    private readonly Histogram<int>? _batchSize;
    private readonly Histogram<double>? _batchDuration;
    private AsyncServiceScope? _scope;
    private DbConnection? _connection;
    private string? _connectionString;

    /// <param name="sqlite">Where the writer gets its own context on the SQLite platform database; null for a database that allows many writers.</param>
    /// <param name="meters">Where its meter comes from; none, no measurements.</param>
    public PlatformWriter(IServiceScopeFactory? sqlite, ILogger<PlatformWriter> logger, IMeterFactory? meters = null)
    {
        _sqlite = sqlite;
        _logger = logger;
        if (_sqlite is null)
        {
            return;
        }

        if (meters is not null)
        {
            Meter = meters.Create(MeterName);
            _batchSize = Meter.CreateHistogram(
                "referralnetwork.platform_writer.batch_size", "{save}", "Saves committed together by the SQLite platform writer.",
                tags: null, advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
            _batchDuration = Meter.CreateHistogram(
                "referralnetwork.platform_writer.batch_duration", "s", "From a batch's BEGIN IMMEDIATE to its COMMIT: the wait for the lock, the saves and the fsync.",
                tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        }

        _writer = Task.Run(WriteAsync);
    }

    /// <summary>The writer's meter, when it has one (a test listens to this one, not to others of the same name).</summary>
    internal Meter? Meter { get; }

    /// <summary>
    /// Saves the changes tracked by <paramref name="db"/> and answers once they are committed. A failed save undoes only
    /// its own changes and is its caller's (as <c>SaveChangesAsync</c> would throw it); a failed commit is every
    /// caller's of the batch. The context must not be in a transaction of its own. On SQLite the token is not
    /// listened to once the save is queued: a save is not abandoned half-way through a batch.
    /// </summary>
    public Task SaveChangesAsync(PlatformDbContext db, CancellationToken cancellationToken = default)
    {
        if (_sqlite is null)
        {
            return db.SaveChangesAsync(cancellationToken);
        }

        var save = new Save(db, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_saves.Writer.TryWrite(save))
        {
            save.Done.TrySetException(new ObjectDisposedException(nameof(PlatformWriter)));
        }

        return save.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _saves.Writer.TryComplete();
        await _writer;
        await CloseAsync();
    }

    private async Task CloseAsync()
    {
        if (_scope is { } scope)
        {
            await scope.DisposeAsync();
        }

        _scope = null;
        _connection = null;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Save>(MaxBatch);
        var failures = new Dictionary<Save, Exception>();
        while (await _saves.Reader.WaitToReadAsync())
        {
            batch.Clear();
            failures.Clear();
            while (batch.Count < MaxBatch && _saves.Reader.TryRead(out var save))
            {
                batch.Add(save);
            }

            try
            {
                await CommitAsync(batch, failures);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "The platform database could not commit a batch of {Count} saves", batch.Count);
                batch.ForEach(w => w.Done.TrySetException(ex));
                // The connection may be what failed: the next batch opens a new one.
                await CloseAsync();
                continue;
            }

            foreach (var save in batch)
            {
                if (failures.TryGetValue(save, out var failure))
                {
                    save.Done.TrySetException(failure);
                }
                else
                {
                    save.Done.TrySetResult();
                }
            }
        }
    }

    private async Task CommitAsync(List<Save> batch, Dictionary<Save, Exception> failures)
    {
        if (_connection is null)
        {
            // Opened by a context of the writer's own, so that EF Core prepares the connection as it does its own
            // (the SQL functions its queries use), and kept open: the saves borrow it.
            _scope = _sqlite!.CreateAsyncScope();
            var own = _scope.Value.ServiceProvider.GetRequiredService<PlatformDbContext>();
            _connectionString = own.Database.GetConnectionString();
            await own.Database.OpenConnectionAsync();
            _connection = own.Database.GetDbConnection();
            // Should a writer outside this one hold the lock, SQLite's own handler waits for it in steps of milliseconds;
            // the data provider's retry would put the whole writer to sleep for 150 ms at a time.
            await using var busy = _connection.CreateCommand();
            busy.CommandText = "PRAGMA busy_timeout = 30000;";
            await busy.ExecuteNonQueryAsync();
        }

        var started = Stopwatch.GetTimestamp();
        // Immediate: the file's write lock is taken here, once, rather than by the first statement that writes.
        await using var transaction = (DbTransaction)((SqliteConnection)_connection).BeginTransaction(deferred: false);
        for (var i = 0; i < batch.Count; i++)
        {
            var db = batch[i].Db.Database;
            var savepoint = "s" + i;
            await transaction.SaveAsync(savepoint);
            try
            {
                db.SetDbConnection(_connection, contextOwnsConnection: false);
                await db.UseTransactionAsync(transaction);
                db.AutoSavepointsEnabled = false;
                await batch[i].Db.SaveChangesAsync();
                await transaction.ReleaseAsync(savepoint);
            }
            catch (Exception ex)
            {
                failures[batch[i]] = ex;
                await transaction.RollbackAsync(savepoint);
                await transaction.ReleaseAsync(savepoint);
            }
            finally
            {
                // The context goes back to its caller with a connection of its own, outside the writer's transaction.
                await db.UseTransactionAsync(null);
                db.AutoSavepointsEnabled = true;
                db.SetDbConnection(new SqliteConnection(_connectionString), contextOwnsConnection: true);
            }
        }

        await transaction.CommitAsync();
        _batchSize?.Record(batch.Count);
        _batchDuration?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private sealed record Save(PlatformDbContext Db, TaskCompletionSource Done);
}
