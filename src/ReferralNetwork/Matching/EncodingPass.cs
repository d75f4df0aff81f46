using Orleans.Concurrency;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Matching.Encoding;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.Recovery;
using ReferralNetwork.Storage;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Matching;

/// <summary>Where the encoding pass stands, as an operator (or a test) reads it: counts of the run under way, or of the last one.</summary>
[GenerateSerializer, Immutable, Alias("encoding-pass-status")]
public sealed record EncodingPassStatus(
    [property: Id(0)] string KeyId,
    [property: Id(1)] bool Running,
    [property: Id(2)] int Total,
    [property: Id(3)] int Encoded,
    [property: Id(4)] int Skipped,
    [property: Id(5)] int Failed,
    [property: Id(6)] DateTimeOffset? StartedAt,
    [property: Id(7)] DateTimeOffset? CompletedAt,
    [property: Id(8)] string? CompletedFor)
{
    public int Remaining => Running ? Math.Max(0, Total - Encoded - Skipped - Failed) : 0;
}

/// <summary>
/// The pass that gives every referral an encoding under the current network key: after a rotation (a new
/// <c>Matching:NetworkKey</c> and <c>Matching:NetworkKeyId</c>) and for referrals recorded before matching existed.
/// One activation in the cluster, started by every silo's start.
/// </summary>
[Alias("encoding-pass")]
public interface IEncodingPassGrain : IGrainWithIntegerKey
{
    /// <summary>Resumes the pass under way, or starts one if a referral awaits an encoding under the current key.</summary>
    [Alias("start"), AlwaysInterleave] Task Start();

    /// <summary>Something awaits an encoding under the current key (the index refused an encoding of another one): run again.</summary>
    [Alias("request-run"), AlwaysInterleave] Task RequestRun();

    [Alias("status"), AlwaysInterleave] Task<EncodingPassStatus> Status();
}

[GenerateSerializer, Alias("encoding-pass-state")]
public sealed class EncodingPassState
{
    /// <summary>The key id (and scheme) of the run under way; null when none is.</summary>
    [Id(0)] public string? RunningFor { get; set; }

    /// <summary>The last referral of the last page done, so that a restart resumes after it.</summary>
    [Id(1)] public Guid? After { get; set; }

    [Id(2)] public int Total { get; set; }

    [Id(3)] public int Encoded { get; set; }

    [Id(4)] public int Skipped { get; set; }

    [Id(5)] public int Failed { get; set; }

    [Id(6)] public DateTimeOffset? StartedAt { get; set; }

    [Id(7)] public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The key id (and scheme) under which the last run left no referral without an encoding.</summary>
    [Id(8)] public string? CompletedFor { get; set; }
}

/// <summary>
/// Walks the referral index (never Orleans' tables), in pages of <c>Matching:PassPageSize</c>, for the referrals whose
/// encoding is missing or under another key or scheme (rows of <c>MatchEncodings</c>; subjects erased by retention are
/// left out), and asks each one's compartment to encode it under this silo's key: the compartment hands the index the
/// encoding alone, and the index replaces the old one and searches the new one, so matches between referrals re-encoded
/// at different moments are found by the later of the two; matches found before keep their answers. The position is
/// saved after each page: a restart resumes where the pass was. A referral that fails (its compartment on a silo that
/// still holds the previous key, its store down) does not stop the others; the pass runs again a minute later.
/// </summary>
public sealed class EncodingPassGrain(
    [PersistentState("encoding-pass", ReferralsFeature.GrainStorage)] IPersistentState<EncodingPassState> state,
    IServiceScopeFactory scopes,
    NetworkKey key,
    MatchingOptions options,
    MatchingMetrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<EncodingPassGrain> logger) : Grain, IEncodingPassGrain
{
    private const int Parallelism = 16;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(30);

    private IGrainTimer? _timer;
    private bool _running;
    private bool _again;

    private static int Scheme => ClkParameters.Default.Scheme;

    private string Target => $"{key.KeyId}/{Scheme}";

    public Task Start()
    {
        Schedule(TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    public Task RequestRun()
    {
        if (_running)
        {
            _again = true;
        }
        else
        {
            Schedule(TimeSpan.FromSeconds(1));
        }

        return Task.CompletedTask;
    }

    public Task<EncodingPassStatus> Status()
    {
        var s = state.State;
        return Task.FromResult(new EncodingPassStatus(
            key.KeyId, s.RunningFor is not null, s.Total, s.Encoded, s.Skipped, s.Failed, s.StartedAt, s.CompletedAt, s.CompletedFor));
    }

    private void Schedule(TimeSpan delay)
    {
        if (_running || _timer is not null)
        {
            return;
        }

        // Not awaited by whoever asked: a pass over a million referrals must not hold up a silo's start.
        _timer = this.RegisterGrainTimer(RunAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        // Disposed once done: disposing a timer cancels the token its callback runs with.
        using var fired = _timer;
        _timer = null;
        _running = true;
        _again = false;

        // The silo waits for a running timer callback before it disposes the timer (which cancels the callback's token),
        // so a pass under way stops when the host starts to stop, not at the end of its next page or pause.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await RunPassAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The silo stops: the position of the last page done is saved, and the next start resumes there.
        }
        catch (Exception e)
        {
            logger.LogWarning("The encoding pass stopped ({Error}); it runs again in {Delay}", e.GetType().Name, RetryDelay);
            _again = false;
            _running = false;
            Schedule(RetryDelay);
        }
        finally
        {
            metrics.Remaining(0);
            _running = false;
            if (_again)
            {
                Schedule(TimeSpan.FromSeconds(1));
            }
        }
    }

    private async Task RunPassAsync(CancellationToken cancellationToken)
    {
        var s = state.State;
        if (s.RunningFor != Target)
        {
            var total = await CountAwaitingAsync(cancellationToken);
            if (total == 0)
            {
                if (s.CompletedFor != Target)
                {
                    s.CompletedFor = Target;
                    s.CompletedAt = time.GetUtcNow();
                    await state.WriteStateAsync();
                }

                return;
            }

            if (!await IndexHoldsOurKeyAsync())
            {
                return;
            }

            state.State = s = new EncodingPassState
            {
                RunningFor = Target,
                Total = total,
                StartedAt = time.GetUtcNow(),
                CompletedFor = s.CompletedFor,
                CompletedAt = s.CompletedAt,
            };
            await state.WriteStateAsync();
            logger.LogInformation("The encoding pass starts: {Total} referrals await an encoding under network key {KeyId}", total, key.KeyId);
        }
        else
        {
            if (!await IndexHoldsOurKeyAsync())
            {
                return;
            }

            logger.LogInformation(
                "The encoding pass under network key {KeyId} resumes: {Done} of {Total} referrals done ({Failed} failed)",
                key.KeyId, s.Encoded + s.Skipped, s.Total, s.Failed);
        }

        var lastReport = time.GetUtcNow();
        while (true)
        {
            var page = await AwaitingAsync(s.After, options.PassPageSize, cancellationToken);
            foreach (var chunk in page.Chunk(Parallelism))
            {
                foreach (var outcome in await Task.WhenAll(chunk.Select(EncodeAsync)))
                {
                    switch (outcome)
                    {
                        case SubjectEncodingOutcome.Encoded:
                            s.Encoded++;
                            break;
                        case SubjectEncodingOutcome.Erased or SubjectEncodingOutcome.NotRecorded:
                            s.Skipped++;
                            break;
                        default:
                            s.Failed++;
                            break;
                    }

                    metrics.Visited(outcome);
                }
            }

            if (page.Count > 0)
            {
                s.After = page[^1];
                await state.WriteStateAsync();
            }

            var remaining = Math.Max(0, s.Total - s.Encoded - s.Skipped - s.Failed);
            metrics.Remaining(remaining);
            if (page.Count < options.PassPageSize)
            {
                break;
            }

            if (time.GetUtcNow() - lastReport >= ProgressEvery)
            {
                lastReport = time.GetUtcNow();
                logger.LogInformation(
                    "The encoding pass under network key {KeyId}: {Encoded} encoded, {Skipped} skipped (erased), {Failed} failed, about {Remaining} to go",
                    key.KeyId, s.Encoded, s.Skipped, s.Failed, remaining);
            }

            if (options.PassPause > TimeSpan.Zero)
            {
                await Task.Delay(options.PassPause, time, cancellationToken);
            }
        }

        s.RunningFor = null;
        s.After = null;
        if (s.Failed > 0)
        {
            // Done again later: only those still without an encoding under this key are visited.
            await state.WriteStateAsync();
            logger.LogWarning(
                "The encoding pass under network key {KeyId} left {Failed} of {Total} referrals without an encoding; it runs again in {Delay}",
                key.KeyId, s.Failed, s.Total, RetryDelay);
            _running = false;
            Schedule(RetryDelay);
            return;
        }

        s.CompletedFor = Target;
        s.CompletedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        logger.LogInformation(
            "The encoding pass under network key {KeyId} is done: {Encoded} referrals encoded, {Skipped} skipped (erased or never recorded)",
            key.KeyId, s.Encoded, s.Skipped);
    }

    /// <summary>
    /// While a new key rolls out, the index may still run on a silo of the previous one: it would refuse every encoding,
    /// so the pass waits until the index holds this silo's key.
    /// </summary>
    private async Task<bool> IndexHoldsOurKeyAsync()
    {
        var indexKey = await GrainFactory.GetGrain<IMatchIndexGrain>(0).KeyId();
        if (indexKey == key.KeyId)
        {
            return true;
        }

        logger.LogInformation(
            "The encoding pass waits: the match index holds network key {IndexKeyId}, this silo {KeyId}; it tries again in {Delay}",
            indexKey, key.KeyId, RetryDelay);
        _running = false;
        Schedule(RetryDelay);
        return false;
    }

    private async Task<SubjectEncodingOutcome?> EncodeAsync(Guid referralId)
    {
        try
        {
            return await GrainFactory.GetGrain<IReferralGrain>(referralId).EncodeSubject(key.KeyId);
        }
        catch (Exception e)
        {
            // By kind only: an exception's message could quote what was encoded.
            logger.LogWarning("Encoding referral {ReferralId} under network key {KeyId} failed ({Error}); the pass will try again", referralId, key.KeyId, e.GetType().Name);
            return null;
        }
    }

    private async Task<int> CountAwaitingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await Awaiting(scope.ServiceProvider.GetRequiredService<PlatformDbContext>(), null).CountAsync(cancellationToken);
    }

    private async Task<List<Guid>> AwaitingAsync(Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await Awaiting(scope.ServiceProvider.GetRequiredService<PlatformDbContext>(), after).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>The referrals of the index, in the order of their ids, without an encoding under this key and scheme, and not erased by retention.</summary>
    private IQueryable<Guid> Awaiting(PlatformDbContext db, Guid? after)
    {
        var keyId = key.KeyId;
        var scheme = Scheme;
        var encodings = db.Set<MatchEncodingRow>();
        var erased = db.Set<RetentionErasure>();
        return db.Set<ReferralIndexRow>().AsNoTracking()
            .Where(r => after == null || r.ReferralId.CompareTo(after.Value) > 0)
            .Where(r => !encodings.Any(m => m.ReferralId == r.ReferralId && m.KeyId == keyId && m.Scheme == scheme))
            .Where(r => !erased.Any(e => e.ReferralId == r.ReferralId))
            .OrderBy(r => r.ReferralId)
            .Select(r => r.ReferralId);
    }
}

/// <summary>
/// The encoding pass as operators follow it (docs/telemetry.md): referrals visited by outcome, and how many the pass
/// under way has yet to visit. No label names a country, an organization or a referral.
/// </summary>
public sealed class MatchingMetrics
{
    public const string MeterName = "ReferralNetwork.Matching";

    private readonly Counter<long> _visited;
    private long _remaining;

    public MatchingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _visited = meter.CreateCounter<long>(
            "referralnetwork.matching.pass.referrals", "{referral}", "Referrals the encoding pass visited, by outcome (encoded, skipped, failed).");
        meter.CreateObservableGauge(
            "referralnetwork.matching.pass.remaining", () => Interlocked.Read(ref _remaining), "{referral}",
            "Referrals the encoding pass under way has yet to visit (0 when none runs), on the silo that runs it.");
    }

    public void Visited(SubjectEncodingOutcome? outcome) =>
        _visited.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            SubjectEncodingOutcome.Encoded => "encoded",
            null => "failed",
            _ => "skipped",
        }));

    public void Remaining(long count) => Interlocked.Exchange(ref _remaining, count);
}
