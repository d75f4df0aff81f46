using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Referrals.Recovery;

/// <summary>
/// One row per referral: the version its grain last recorded and how far its events are published.
/// This is how anything outside a grain enumerates referrals (recovery, rebuilding a read model, rotating
/// keys), never by reading Orleans' own tables.
/// </summary>
public sealed class ReferralIndexRow
{
    public Guid ReferralId { get; init; }

    public int Version { get; set; }

    public int PublishedThrough { get; set; }
}

internal sealed class ReferralIndexRowConfiguration : IEntityTypeConfiguration<ReferralIndexRow>
{
    public void Configure(EntityTypeBuilder<ReferralIndexRow> e)
    {
        e.ToTable("ReferralIndex");
        e.HasKey(r => r.ReferralId);
        // The recovery sweep reads only the referrals with something unpublished: a small part of the index.
        e.HasIndex(r => r.ReferralId).HasDatabaseName("IX_ReferralIndex_Unpublished").HasFilter("\"PublishedThrough\" < \"Version\"");
    }
}

/// <summary>
/// Writes the referral index for every grain of the process in batches: many grains' rows in one write of the
/// <see cref="PlatformWriter"/> (on SQLite, committed with whatever else waits to be written).
/// A change waits for its intent (<see cref="RecordAsync"/>) to be committed before the grain writes its
/// state; marking events published is not waited for: a lost mark only makes the sweep look again.
/// </summary>
public sealed class ReferralIndex : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly IServiceScopeFactory _scopes;
    private readonly PlatformWriter _writer;
    private readonly ILogger<ReferralIndex> _logger;
    private readonly Channel<Entry> _entries = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _batches;

    public ReferralIndex(IServiceScopeFactory scopes, PlatformWriter writer, ILogger<ReferralIndex> logger)
    {
        _scopes = scopes;
        _writer = writer;
        _logger = logger;
        _batches = Task.Run(WriteAsync);
    }

    private enum Change
    {
        /// <summary>The grain is about to write this version.</summary>
        Intent,

        /// <summary>Events through this number are published.</summary>
        Published,

        /// <summary>The grain is at this version with everything published (overrides an intent that never became state).</summary>
        Settled,

        Forget,
    }

    /// <summary>Records that the referral is about to reach <paramref name="version"/>; answers once that is committed.</summary>
    public Task RecordAsync(Guid referralId, int version) => Enqueue(new Entry(referralId, Change.Intent, version, Waiter()));

    public void Published(Guid referralId, int publishedThrough) => Enqueue(new Entry(referralId, Change.Published, publishedThrough, null));

    public Task SettledAsync(Guid referralId, int version) => Enqueue(new Entry(referralId, Change.Settled, version, Waiter()));

    public Task ForgetAsync(Guid referralId) => Enqueue(new Entry(referralId, Change.Forget, 0, Waiter()));

    /// <summary>Referrals with events not yet published, in pages of ids.</summary>
    public static async Task<List<Guid>> UnpublishedAsync(PlatformDbContext db, Guid? after, int limit, CancellationToken cancellationToken) =>
        await db.Set<ReferralIndexRow>().AsNoTracking()
            .Where(r => r.PublishedThrough < r.Version && (after == null || r.ReferralId.CompareTo(after.Value) > 0))
            .OrderBy(r => r.ReferralId)
            .Select(r => r.ReferralId)
            .Take(limit)
            .ToListAsync(cancellationToken);

    /// <summary>Every referral, in pages of ids: how rebuilding a read model or rotating keys enumerates them.</summary>
    public static async Task<List<Guid>> AllAsync(PlatformDbContext db, Guid? after, int limit, CancellationToken cancellationToken) =>
        await db.Set<ReferralIndexRow>().AsNoTracking()
            .Where(r => after == null || r.ReferralId.CompareTo(after.Value) > 0)
            .OrderBy(r => r.ReferralId)
            .Select(r => r.ReferralId)
            .Take(limit)
            .ToListAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _entries.Writer.TryComplete();
        await _batches;
    }

    private static TaskCompletionSource Waiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task Enqueue(Entry entry)
    {
        if (!_entries.Writer.TryWrite(entry))
        {
            entry.Done?.TrySetException(new ObjectDisposedException(nameof(ReferralIndex)));
        }

        return entry.Done?.Task ?? Task.CompletedTask;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Entry>(MaxBatch);
        while (await _entries.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _entries.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            try
            {
                await CommitAsync(batch);
                batch.ForEach(e => e.Done?.TrySetResult());
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "The referral index could not commit {Count} changes", batch.Count);
                batch.ForEach(e => e.Done?.TrySetException(ex));
            }
        }
    }

    /// <summary>Applies the batch in order to the rows it touches, then saves them in one transaction.</summary>
    private async Task CommitAsync(List<Entry> batch)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var ids = batch.Select(e => e.ReferralId).Distinct().ToList();
        var rows = await db.Set<ReferralIndexRow>().Where(r => ids.Contains(r.ReferralId)).ToDictionaryAsync(r => r.ReferralId);
        foreach (var entry in batch)
        {
            if (entry.Change == Change.Forget)
            {
                if (rows.Remove(entry.ReferralId, out var gone))
                {
                    db.Remove(gone);
                }

                continue;
            }

            if (!rows.TryGetValue(entry.ReferralId, out var row))
            {
                row = rows[entry.ReferralId] = new ReferralIndexRow { ReferralId = entry.ReferralId };
                db.Add(row);
            }

            switch (entry.Change)
            {
                case Change.Intent:
                    row.Version = Math.Max(row.Version, entry.Number);
                    break;
                case Change.Published:
                    row.PublishedThrough = Math.Max(row.PublishedThrough, entry.Number);
                    row.Version = Math.Max(row.Version, entry.Number);
                    break;
                case Change.Settled:
                    row.Version = row.PublishedThrough = entry.Number;
                    break;
            }
        }

        await _writer.SaveChangesAsync(db);
    }

    private sealed record Entry(Guid ReferralId, Change Change, int Number, TaskCompletionSource? Done);
}
