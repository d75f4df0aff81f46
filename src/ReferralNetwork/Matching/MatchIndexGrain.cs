using Orleans.Concurrency;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Matching.Encoding;
using ReferralNetwork.Storage;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Matching;

/// <summary>What a compartment hands to the match index: the encoding alone (key id, scheme, bits). Its text names no bit.</summary>
[GenerateSerializer, Immutable, Alias("submitted-encoding")]
public sealed record SubmittedEncoding([property: Id(0)] string KeyId, [property: Id(1)] int Scheme, [property: Id(2)] byte[] Bits)
{
    public override string ToString() => $"{nameof(SubmittedEncoding)} {{ {KeyId}, {Scheme} }}";

    public PersonEncoding ToEncoding() => new(KeyId, Scheme, Clk1024.FromBytes(Bits));
}

/// <summary>
/// The match index of the network: one activation in the cluster, holding every encoding of the current network key in
/// memory with MinHash-LSH blocking (docs/matching.md §3: p95 7.4 ms per search at a million encodings, about 360 MiB),
/// loaded from the <c>MatchEncodings</c> table when it activates. Every new or changed encoding is written there and searched
/// at once; each candidate above <c>Matching:Threshold</c> becomes a <see cref="PossibleMatch"/> with its own audit.
/// </summary>
[Alias("match-index")]
public interface IMatchIndexGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Stores and searches the referral's encoding, replacing the one it had (under any key). An encoding of another key
    /// than the index's is refused and compared with nothing: the encoding pass is asked to encode the referral again.
    /// Submissions that arrive while others are being saved wait together and are saved together (they interleave only
    /// to join the queue: the index applies them one after the other, in the order they came).
    /// </summary>
    [Alias("submit"), AlwaysInterleave] Task Submit(Guid referralId, string country, SubmittedEncoding encoding);

    /// <summary>The key whose encodings the index holds and searches: the network key of the silo it runs on.</summary>
    [Alias("key-id"), AlwaysInterleave] Task<string> KeyId();

    /// <summary>Drops the referral's encoding (its subject was erased); its possible matches, which hold nothing of the person, stay with their audit.</summary>
    [Alias("forget")] Task Forget(Guid referralId);
}

// Reloading a million encodings takes a while: the index stays in memory for a day without use.
[CollectionAgeLimit(Days = 1)]
public sealed class MatchIndexGrain(
    IServiceScopeFactory scopes,
    PlatformWriter writer,
    MatchingOptions options,
    NetworkKey key,
    TimeProvider time,
    ILogger<MatchIndexGrain> logger) : Grain, IMatchIndexGrain
{
    private readonly List<Change> _waiting = [];
    private Task _saving = Task.CompletedTask;
    private EncodingIndex _index = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index = new EncodingIndex(key.KeyId, ClkParameters.Default.Scheme);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var skipped = 0;
        await foreach (var row in db.MatchEncodings.AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (row.KeyId == _index.KeyId && row.Scheme == _index.Scheme)
            {
                _index.Add(row.ReferralId, new PersonEncoding(row.KeyId, row.Scheme, Clk1024.FromBytes(row.Bits)));
            }
            else
            {
                skipped++;
            }
        }

        logger.LogInformation("The match index holds {Count} encodings of {KeyId} ({Skipped} of other keys or schemes await re-encoding)", _index.Count, _index.KeyId, skipped);
    }

    public async Task Submit(Guid referralId, string country, SubmittedEncoding submitted)
    {
        var encoding = submitted.ToEncoding();
        if (encoding.KeyId != _index.KeyId || encoding.Scheme != _index.Scheme)
        {
            // Silos of two keys meet while a new key is rolled out. The encoding is compared with nothing (encodings of two
            // keys say nothing of each other); the pass encodes the referral again once the silos agree, so nothing is lost.
            logger.LogInformation(
                "The match index (key {KeyId}) refused an encoding of key {SubmittedKeyId} for referral {ReferralId}; the encoding pass will encode it again",
                _index.KeyId, encoding.KeyId, referralId);
            await RequestPassAsync();
            throw new InvalidOperationException($"The match index holds encodings of key {_index.KeyId} (scheme {_index.Scheme}), not {encoding.KeyId} ({encoding.Scheme}).");
        }

        await QueueAsync(new Change(referralId, country, encoding, submitted.Bits));
    }

    public Task<string> KeyId() => Task.FromResult(_index.KeyId);

    public Task Forget(Guid referralId) => QueueAsync(new Change(referralId, null, null, null));

    /// <summary>
    /// Every submission and erasure goes through one queue, in order: what arrives while a batch is saved waits for the
    /// next, and is saved with everything else that waited (one read of their rows, one save through the platform writer).
    /// </summary>
    private Task QueueAsync(Change change)
    {
        _waiting.Add(change);
        if (_saving.IsCompleted)
        {
            _saving = SaveWaitingAsync();
        }

        return change.Done.Task;
    }

    private async Task SaveWaitingAsync()
    {
        while (_waiting.Count > 0)
        {
            var batch = _waiting.ToList();
            _waiting.Clear();
            try
            {
                await SaveAsync(batch);
                batch.ForEach(c => c.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                // The batch's encodings may be in memory and not in the table: the next activation loads the table again.
                DeactivateOnIdle();
                batch.ForEach(c => c.Done.TrySetException(ex));
            }
        }
    }

    private async Task SaveAsync(List<Change> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var ids = batch.Select(c => c.ReferralId).Distinct().ToList();
        var rows = await db.MatchEncodings.Where(r => ids.Contains(r.ReferralId)).ToDictionaryAsync(r => r.ReferralId);
        var found = new List<(Guid ReferralId, string Country, List<MatchCandidate> Candidates)>();
        foreach (var change in batch)
        {
            var referralId = change.ReferralId;
            if (change.Encoding is not { } encoding)
            {
                // Erased: its possible matches, which hold nothing of the person, stay with their audit.
                if (rows.Remove(referralId, out var gone))
                {
                    db.MatchEncodings.Remove(gone);
                }

                _index.Remove(referralId);
                continue;
            }

            if (!rows.TryGetValue(referralId, out var row))
            {
                row = rows[referralId] = db.MatchEncodings.Add(new MatchEncodingRow { ReferralId = referralId, Country = change.Country!, KeyId = encoding.KeyId, Scheme = encoding.Scheme, Bits = change.Bits! }).Entity;
            }
            else
            {
                row.Country = change.Country!;
                row.KeyId = encoding.KeyId;
                row.Scheme = encoding.Scheme;
                row.Bits = change.Bits!;
            }

            var candidates = _index.Search(encoding, options.Threshold, options.MaxCandidates + 1)
                .Where(c => c.Id != referralId).Take(options.MaxCandidates).ToList();
            if (candidates.Count > 0)
            {
                found.Add((referralId, change.Country!, candidates));
            }

            // Searched by the submissions after it in the batch. Should the save fail, the grain deactivates (above).
            _index.Add(referralId, encoding);
        }

        if (found.Count > 0)
        {
            await AddMatchesAsync(db, found, rows);
        }

        // Through the writer: on SQLite it is committed with the projections' saves, and nobody waits on a locked file.
        await writer.SaveChangesAsync(db);
    }

    private async Task RequestPassAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IEncodingPassGrain>(0).RequestRun();
        }
        catch (Exception e)
        {
            // Every silo's start runs the pass too: the referral is encoded then at the latest.
            logger.LogWarning("The match index could not ask for an encoding pass ({Error})", e.GetType().Name);
        }
    }

    /// <summary>
    /// The batch's possible matches, with one query for those already known and one for the candidates' countries
    /// (whatever the size of the batch): a pair known already keeps its answers and only takes the new band.
    /// </summary>
    private async Task AddMatchesAsync(
        PlatformDbContext db, List<(Guid ReferralId, string Country, List<MatchCandidate> Candidates)> found, Dictionary<Guid, MatchEncodingRow> batchRows)
    {
        var searched = found.Select(f => f.ReferralId).Distinct().ToList();
        var others = found.SelectMany(f => f.Candidates.Select(c => c.Id)).Distinct().ToList();
        var known = (await db.PossibleMatches
                .Where(m => (searched.Contains(m.ReferralA) && others.Contains(m.ReferralB)) || (searched.Contains(m.ReferralB) && others.Contains(m.ReferralA)))
                .ToListAsync())
            .ToDictionary(m => (m.ReferralA, m.ReferralB));
        var elsewhere = others.Where(id => !batchRows.ContainsKey(id)).ToList();
        var countries = await db.MatchEncodings.Where(r => elsewhere.Contains(r.ReferralId)).ToDictionaryAsync(r => r.ReferralId, r => r.Country);
        var now = time.GetUtcNow();
        foreach (var (referralId, country, candidates) in found)
        {
            foreach (var candidate in candidates)
            {
                var similarity = candidate.Dice >= options.HighSimilarity ? MatchSimilarity.High : MatchSimilarity.Medium;
                var (a, b) = referralId.CompareTo(candidate.Id) < 0 ? (referralId, candidate.Id) : (candidate.Id, referralId);
                if (known.TryGetValue((a, b), out var match))
                {
                    // Found again after a correction: the focal points' answers stand; only the band follows the new encoding.
                    match.Similarity = similarity;
                    continue;
                }

                // A candidate submitted earlier in the same batch is not in the table yet.
                var otherCountry = batchRows.TryGetValue(candidate.Id, out var pending) ? pending.Country : countries.GetValueOrDefault(candidate.Id, country);
                var id = Guid.CreateVersion7();
                match = new PossibleMatch
                {
                    Id = id,
                    ReferralA = a,
                    ReferralB = b,
                    CountryA = a == referralId ? country : otherCountry,
                    CountryB = b == referralId ? country : otherCountry,
                    Similarity = similarity,
                    FoundAt = now,
                };
                db.PossibleMatches.Add(match);
                db.MatchAudit.Add(new MatchAuditRow { MatchId = id, Action = MatchAuditAction.Found, At = now });

                // The same pair found again later in the batch (a referral submitted twice) is this match, not a second one.
                known[(a, b)] = match;
            }
        }
    }

    /// <summary>A submitted encoding, or an erasure (no encoding).</summary>
    private sealed record Change(Guid ReferralId, string? Country, PersonEncoding? Encoding, byte[]? Bits)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// The compartment's side of matching: turns the identity into its encoding (the names in both orders, the date of birth,
/// the sex, under the network key) and hands only that, with the referral's id and country, to the match index.
/// </summary>
public sealed class MatchSubmission(NetworkKey key, IGrainFactory grains, ILogger<MatchSubmission> logger) : IDisposable
{
    private readonly ClkEncoder _encoder = new(key.Bytes, key.KeyId);

    public SubmittedEncoding Encode(SubjectIdentity identity)
    {
        var date = identity.DateOfBirth is { Year: >= 1900 and <= 2200 } dob ? PartialDate.From(dob) : (PartialDate?)null;
        var encoding = _encoder.Encode(new PersonIdentifiers(identity.GivenName, identity.FamilyName, date, identity.Sex));
        return new SubmittedEncoding(encoding.KeyId, encoding.Scheme, encoding.Bits.ToBytes());
    }

    /// <summary>
    /// Called by the compartment after it recorded or corrected the identity. A failure of matching never fails the
    /// record: it is logged by its kind (an exception's message could quote what was encoded) and the referral is not in
    /// the index until its subject is next corrected or re-encoded.
    /// </summary>
    public async Task SubmitAsync(Guid referralId, string country, SubjectIdentity identity)
    {
        try
        {
            await grains.GetGrain<IMatchIndexGrain>(0).Submit(referralId, country, Encode(identity));
        }
        catch (Exception e)
        {
            logger.LogWarning("The encoding of referral {ReferralId} did not reach the match index ({Error})", referralId, e.GetType().Name);
        }
    }

    /// <summary>
    /// Called by the compartment when the encoding pass asks for its encoding under <paramref name="keyId"/>: refused when
    /// this silo holds another key (a rollout of a new key is under way), and a failure is thrown, so that the pass tries again.
    /// </summary>
    public async Task ResubmitAsync(Guid referralId, string country, SubjectIdentity identity, string keyId)
    {
        if (keyId != key.KeyId)
        {
            throw new InvalidOperationException($"This silo encodes under network key {key.KeyId}, not {keyId}.");
        }

        await grains.GetGrain<IMatchIndexGrain>(0).Submit(referralId, country, Encode(identity));
    }

    /// <summary>
    /// Called by the compartment when its data key is destroyed: an encoding outlives no erasure, for whoever holds the
    /// key could still test names against it. A failure is thrown, so that the erasure is tried again.
    /// </summary>
    public Task ForgetAsync(Guid referralId) => grains.GetGrain<IMatchIndexGrain>(0).Forget(referralId);

    public void Dispose() => _encoder.Dispose();
}
