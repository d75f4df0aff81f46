using System.Numerics;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// Blocking for <see cref="EncodingIndex"/>: MinHash over the set bits of the filters, <see cref="Bands"/> bands of
/// <see cref="RowsPerBand"/> values each. Two filters with Jaccard similarity J (J = D / (2 − D) for Dice D) meet
/// in a band with probability J^r, and in at least one with 1 − (1 − J^r)^b: near-certain for duplicates,
/// rare for strangers. The permutations come from <see cref="Seed"/>, which is not a secret: they are applied to
/// bits that are already keyed, and reveal nothing the bits do not.
/// </summary>
public sealed record LshParameters
{
    public static LshParameters Default { get; } = new();

    public int Bands { get; init; } = 24;

    /// <summary>
    /// Six rows: at 1M encodings, four put 70,000 strangers per query in front of the Dice (p95 118 ms), six about
    /// 6,000 (p95 7 ms), with no duplicate above 0.80 lost (docs/matching.md §6).
    /// </summary>
    public int RowsPerBand { get; init; } = 6;

    /// <summary>log2 of the buckets per band. Unrelated keys that share a bucket only cost a Dice each.</summary>
    public int BucketBits { get; init; } = 17;

    public int Seed { get; init; } = 0x5EED_C1A5;
}

/// <summary>A stored encoding whose Dice coefficient with the query reached the threshold.</summary>
public readonly record struct MatchCandidate(Guid Id, double Dice);

/// <summary>
/// The encodings of one network key and scheme, by record id, with MinHash-LSH blocking derived from the bits
/// alone: nothing but the 128-byte filters and the ids is kept, no year of birth or other quasi-identifier.
/// Encodings live in chunks of contiguous memory (128 bytes each); each band keeps one int per encoding.
/// Safe for concurrent searches; adds and removes take a write lock.
/// </summary>
public sealed class EncodingIndex
{
    private const int ChunkShift = 13; // 8,192 encodings (1 MiB) per chunk: no single huge array to regrow
    private const int ChunkSize = 1 << ChunkShift;
    private const int NoHash = Clk1024.Bits; // the "minimum" of an empty filter

    private readonly LshParameters _lsh;
    private readonly ushort[][] _orders; // one permutation of the 1,024 bit positions per hash function
    private readonly int[][][] _buckets; // band → bucket → slots (only the first _counts entries are used)
    private readonly int[][] _counts;
    private readonly List<ulong[]> _chunks = [];
    private readonly Dictionary<Guid, int> _slots = [];
    private readonly Stack<int> _free = new();
    private readonly ReaderWriterLockSlim _lock = new();
    private Guid[] _ids = new Guid[ChunkSize];
    private ushort[] _popCounts = new ushort[ChunkSize];
    private int _next;

    [ThreadStatic] private static int[]? t_seen;
    [ThreadStatic] private static int t_stamp;

    public EncodingIndex(string keyId, int scheme = 1, LshParameters? lsh = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        KeyId = keyId;
        Scheme = scheme;
        _lsh = lsh ?? LshParameters.Default;
        if (_lsh.Bands < 1 || _lsh.RowsPerBand is < 1 or > 6 || _lsh.BucketBits is < 4 or > 24)
        {
            throw new ArgumentOutOfRangeException(nameof(lsh), "1+ bands of 1 to 6 rows, 2^4 to 2^24 buckets.");
        }

        var random = new Random(_lsh.Seed);
        _orders = new ushort[_lsh.Bands * _lsh.RowsPerBand][];
        for (var h = 0; h < _orders.Length; h++)
        {
            var order = new ushort[Clk1024.Bits];
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = (ushort)i;
            }

            random.Shuffle(order);
            _orders[h] = order;
        }

        _buckets = new int[_lsh.Bands][][];
        _counts = new int[_lsh.Bands][];
        for (var b = 0; b < _lsh.Bands; b++)
        {
            _buckets[b] = new int[1 << _lsh.BucketBits][];
            _counts[b] = new int[1 << _lsh.BucketBits];
        }
    }

    public string KeyId { get; }

    public int Scheme { get; }

    public LshParameters Lsh => _lsh;

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _slots.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds an encoding, or replaces the one stored under the same id.</summary>
    public void Add(Guid id, PersonEncoding encoding)
    {
        Check(encoding);
        Span<int> keys = stackalloc int[_lsh.Bands];
        var indexed = BandBuckets(encoding.Bits, keys);
        _lock.EnterWriteLock();
        try
        {
            if (_slots.TryGetValue(id, out var existing))
            {
                RemoveSlot(existing);
            }

            var slot = _free.Count > 0 ? _free.Pop() : _next++;
            EnsureCapacity(slot);
            var words = Words(slot);
            for (var i = 0; i < Clk1024.Words; i++)
            {
                words[i] = encoding.Bits[i];
            }

            _ids[slot] = id;
            _popCounts[slot] = (ushort)encoding.Bits.PopCount;
            _slots[id] = slot;
            if (indexed)
            {
                for (var b = 0; b < keys.Length; b++)
                {
                    Append(b, keys[b], slot);
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Remove(Guid id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_slots.TryGetValue(id, out var slot))
            {
                return false;
            }

            RemoveSlot(slot);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Contains(Guid id)
    {
        _lock.EnterReadLock();
        try
        {
            return _slots.ContainsKey(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// The stored encodings in the query's LSH buckets whose Dice coefficient with it is at least
    /// <paramref name="threshold"/>, best first, at most <paramref name="maxResults"/>.
    /// </summary>
    public IReadOnlyList<MatchCandidate> Search(PersonEncoding query, double threshold, int maxResults = 100) =>
        Search(query, threshold, maxResults, out _);

    /// <param name="examined">How many stored encodings the blocking put forward (each cost one Dice).</param>
    public IReadOnlyList<MatchCandidate> Search(PersonEncoding query, double threshold, int maxResults, out int examined)
    {
        Check(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        Span<int> keys = stackalloc int[_lsh.Bands];
        examined = 0;
        if (!BandBuckets(query.Bits, keys))
        {
            return [];
        }

        var results = new List<MatchCandidate>();
        var queryPop = query.Bits.PopCount;
        _lock.EnterReadLock();
        try
        {
            var seen = t_seen;
            if (seen is null || seen.Length < _next)
            {
                seen = t_seen = new int[Math.Max(_next, ChunkSize) * 5 / 4];
                t_stamp = 0;
            }

            if (++t_stamp == int.MaxValue)
            {
                Array.Clear(seen);
                t_stamp = 1;
            }

            var stamp = t_stamp;
            for (var b = 0; b < keys.Length; b++)
            {
                var bucket = _buckets[b][keys[b]];
                var count = _counts[b][keys[b]];
                for (var i = 0; i < count; i++)
                {
                    var slot = bucket[i];
                    if (seen[slot] == stamp)
                    {
                        continue;
                    }

                    seen[slot] = stamp;
                    examined++;
                    Consider(query.Bits, queryPop, slot, threshold, results);
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return Best(results, maxResults);
    }

    /// <summary>The same answer without blocking: a Dice with every stored encoding. For measuring the blocking.</summary>
    public IReadOnlyList<MatchCandidate> SearchExhaustive(PersonEncoding query, double threshold, int maxResults = 100)
    {
        Check(query);
        var results = new List<MatchCandidate>();
        var queryPop = query.Bits.PopCount;
        _lock.EnterReadLock();
        try
        {
            foreach (var slot in _slots.Values)
            {
                Consider(query.Bits, queryPop, slot, threshold, results);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return Best(results, maxResults);
    }

    private void Consider(in Clk1024 query, int queryPop, int slot, double threshold, List<MatchCandidate> results)
    {
        var pop = _popCounts[slot];
        var total = queryPop + pop;
        // Dice can be no more than 2·min/total: skip the popcounts when even that is below the threshold.
        if (total == 0 || 2.0 * Math.Min(queryPop, pop) < threshold * total)
        {
            return;
        }

        var words = Words(slot);
        var common = 0;
        for (var i = 0; i < Clk1024.Words; i++)
        {
            common += BitOperations.PopCount(query[i] & words[i]);
        }

        var dice = 2.0 * common / total;
        if (dice >= threshold)
        {
            results.Add(new MatchCandidate(_ids[slot], dice));
        }
    }

    private static List<MatchCandidate> Best(List<MatchCandidate> results, int maxResults)
    {
        results.Sort((a, b) => b.Dice.CompareTo(a.Dice));
        if (results.Count > maxResults)
        {
            results.RemoveRange(maxResults, results.Count - maxResults);
        }

        return results;
    }

    private void Check(PersonEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        if (encoding.KeyId != KeyId || encoding.Scheme != Scheme)
        {
            throw new ArgumentException($"This index holds key {KeyId} scheme {Scheme}, not key {encoding.KeyId} scheme {encoding.Scheme}.", nameof(encoding));
        }
    }

    // The bucket of each band; false for an empty filter, which has no MinHash and is kept out of the bands.
    private bool BandBuckets(in Clk1024 bits, Span<int> buckets)
    {
        var rows = _lsh.RowsPerBand;
        for (var b = 0; b < _lsh.Bands; b++)
        {
            var key = (ulong)b;
            for (var r = 0; r < rows; r++)
            {
                var min = MinHash(bits, _orders[b * rows + r]);
                if (min == NoHash)
                {
                    return false;
                }

                key = (key << 10) | (uint)min;
            }

            buckets[b] = (int)(Mix(key) >> (64 - _lsh.BucketBits));
        }

        return true;
    }

    // The first set bit in the permuted order: the MinHash of the set of set bits. With a third to a half of the
    // bits set, that is two or three probes on average.
    private static int MinHash(in Clk1024 bits, ushort[] order)
    {
        foreach (var position in order)
        {
            if ((bits[position >> 6] & (1UL << (position & 63))) != 0)
            {
                return position;
            }
        }

        return NoHash;
    }

    // SplitMix64's finalizer: spreads band keys evenly over the buckets.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private void Append(int band, int bucket, int slot)
    {
        var slots = _buckets[band][bucket];
        var count = _counts[band][bucket];
        if (slots is null || count == slots.Length)
        {
            Array.Resize(ref slots, slots is null ? 2 : slots.Length * 2);
            _buckets[band][bucket] = slots;
        }

        slots[count] = slot;
        _counts[band][bucket] = count + 1;
    }

    private void RemoveSlot(int slot)
    {
        var bits = default(Clk1024);
        var words = Words(slot);
        for (var i = 0; i < Clk1024.Words; i++)
        {
            bits[i] = words[i];
        }

        Span<int> keys = stackalloc int[_lsh.Bands];
        if (BandBuckets(bits, keys))
        {
            for (var b = 0; b < keys.Length; b++)
            {
                var slots = _buckets[b][keys[b]];
                var count = _counts[b][keys[b]];
                // Order inside a bucket does not matter: move the last entry into the hole.
                var at = Array.IndexOf(slots, slot, 0, count);
                slots[at] = slots[count - 1];
                _counts[b][keys[b]] = count - 1;
            }
        }

        words.Clear();
        _popCounts[slot] = 0;
        _slots.Remove(_ids[slot]);
        _ids[slot] = Guid.Empty;
        _free.Push(slot);
    }

    private Span<ulong> Words(int slot) =>
        _chunks[slot >> ChunkShift].AsSpan((slot & (ChunkSize - 1)) * Clk1024.Words, Clk1024.Words);

    private void EnsureCapacity(int slot)
    {
        while (_chunks.Count <= slot >> ChunkShift)
        {
            _chunks.Add(new ulong[ChunkSize * Clk1024.Words]);
        }

        if (slot >= _ids.Length)
        {
            var size = Math.Max(_ids.Length * 2, slot + 1);
            Array.Resize(ref _ids, size);
            Array.Resize(ref _popCounts, size);
        }
    }
}
