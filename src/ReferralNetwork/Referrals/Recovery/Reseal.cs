using System.Security.Cryptography;
using System.Text;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Referrals.Recovery;

[Alias("reseal")]
public interface IResealGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Starts (or resumes) a pass over every referral unless the current keys have sealed them all already. Interleaved:
    /// a pass runs in a timer's turn, and a second silo's start must not wait for a pass over a million referrals.
    /// </summary>
    [Alias("start"), Orleans.Concurrency.AlwaysInterleave] Task Start();

    /// <summary>Reseals every referral the index lists, after the last one done; answers how many it resealed.</summary>
    [Alias("run")] Task<int> Run();
}

[GenerateSerializer, Alias("reseal-state")]
public sealed class ResealState
{
    /// <summary>The current keys (their ids, hashed) of the last pass that finished.</summary>
    [Id(0)] public string? CompletedFor { get; set; }

    [Id(1)] public string? RunningFor { get; set; }

    /// <summary>The last referral resealed by the pass under way, so that a restart resumes it.</summary>
    [Id(2)] public Guid? After { get; set; }
}

/// <summary>
/// Brings every stored referral and compartment under the current keys: after an upgrade from plain-text storage (the
/// rows are sealed) and after a key rotation (data keys are re-wrapped, rows sealed under the new key), so that old keys
/// can leave the ring once a pass has finished. Every compartment (and document) is also moved to its country's store
/// when it is not there yet: after the upgrade that keyed them by country, and after a <c>Residency</c> entry was added.
/// Walks the referral index in pages, in the background of one silo. A referral that fails (its country's store is
/// down) does not stop the pass for the others; the pass runs again later, until it has done them all.
/// </summary>
public sealed class ResealGrain(
    [PersistentState("reseal", ReferralsFeature.GrainStorage)] IPersistentState<ResealState> state,
    IServiceScopeFactory scopes,
    EnvelopeProtector protector,
    GrainStore store,
    ResidencyOptions residency,
    ILogger<ResealGrain> logger) : Grain, IResealGrain
{
    private const int Page = 500;
    private const int Parallelism = 16;
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CompactionRetry = TimeSpan.FromMinutes(1);

    /// <summary>How compartments are keyed and stored; a pass that ran for another layout runs again.</summary>
    private const string SubjectLayout = "subjects-keyed-by-country";

    private Task? _running;

    public Task Start()
    {
        if (state.State.CompletedFor != Fingerprint() && _running is null)
        {
            // Not awaited: a pass over a million referrals must not hold up the silo's start.
            this.RegisterGrainTimer(_ => _running ??= Run(), new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        }

        return Task.CompletedTask;
    }

    public async Task<int> Run()
    {
        var fingerprint = Fingerprint();
        if (state.State.RunningFor != fingerprint)
        {
            state.State.RunningFor = fingerprint;
            state.State.After = null;
        }

        var resealed = 0;
        var failed = 0;
        while (true)
        {
            List<Guid> page;
            await using (var scope = scopes.CreateAsyncScope())
            {
                page = await ReferralIndex.AllAsync(scope.ServiceProvider.GetRequiredService<PlatformDbContext>(), state.State.After, Page, CancellationToken.None);
            }

            foreach (var chunk in page.Chunk(Parallelism))
            {
                var done = await Task.WhenAll(chunk.Select(ResealAsync));
                failed += done.Count(ok => !ok);
            }

            resealed += page.Count;
            if (page.Count > 0)
            {
                state.State.After = page[^1];
                await state.WriteStateAsync();
            }

            if (page.Count < Page)
            {
                break;
            }
        }

        if (failed > 0)
        {
            // Done again from the start later (a referral done twice is only written twice); old keys stay until then.
            state.State.RunningFor = null;
            state.State.After = null;
            await state.WriteStateAsync();
            logger.LogWarning("Resealing left {Failed} of {Count} referrals undone; the pass runs again in {Delay}", failed, resealed, RetryAfterFailure);
            _running = null;
            this.RegisterGrainTimer(_ => _running ??= Run(), new GrainTimerCreationOptions(RetryAfterFailure, Timeout.InfiniteTimeSpan));
            return resealed - failed;
        }

        // Grains no feature reseals (groups, passes and other singletons) are brought under the current keys in place.
        var leftovers = await store.ResealLeftoversAsync();

        // No plain text (or row under a retired key) may stay behind in the store's free pages or log. Readers under
        // load can keep the log in use for a while: then only the compaction is tried again, not the whole pass.
        while (!await CompactedAsync())
        {
            await Task.Delay(CompactionRetry);
        }

        state.State.CompletedFor = fingerprint;
        state.State.RunningFor = null;
        state.State.After = null;
        await state.WriteStateAsync();
        logger.LogInformation("Resealed {Count} referrals under the current keys", resealed);
        if (leftovers > 0)
        {
            logger.LogInformation("Resealed {Count} other grain rows under the current keys", leftovers);
        }
        _running = null;
        return resealed;
    }

    private async Task<bool> CompactedAsync()
    {
        try
        {
            await store.CompactAsync();
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Compacting the grain store after resealing failed; it is tried again in {Delay}", CompactionRetry);
            return false;
        }
    }

    private async Task<bool> ResealAsync(Guid id)
    {
        try
        {
            await GrainFactory.GetGrain<IReferralGrain>(id).Reseal();
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Resealing referral {ReferralId} failed; the pass will do it again", id);
            return false;
        }
    }

    /// <summary>Which keys are current, as a hash of their ids (never of key material).</summary>
    private string Fingerprint()
    {
        var ring = protector.Ring;
        var current = string.Join(",", ring.Countries.Append(KeyRing.Regional).Distinct().Select(c =>
        {
            try
            {
                return $"{c}={ring.CurrentKeyId(c)}";
            }
            catch (MissingKeyException)
            {
                return c;
            }
        }));
        // The countries with a store of their own, never their connection strings.
        var layout = $"{SubjectLayout}:{string.Join(",", residency.Stores.Keys)}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{current};{layout}")));
    }
}
