using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.MatchingBench;

/// <summary>What one configuration achieved: the Dice of each duplicate with its partner, and the false pairs.</summary>
internal sealed record Quality(double[] PartnerDice, double[] FalsePairDice, int Queries, long Examined)
{
    public int TruePositives(double t) => PartnerDice.Count(d => d >= t);

    public int FalsePositives(double t) => FalsePairDice.Count(d => d >= t);

    public double Recall(double t) => (double)TruePositives(t) / PartnerDice.Length;

    public double Precision(double t)
    {
        var tp = TruePositives(t);
        var fp = FalsePositives(t);
        return tp + fp == 0 ? 1 : (double)tp / (tp + fp);
    }

    /// <summary>The lowest threshold of the grid with precision ≥ 0.95 (so the highest recall there), or null.</summary>
    public double? OperatingThreshold(double minimumPrecision = 0.95) =>
        Evaluation.Thresholds.Where(t => Precision(t) >= minimumPrecision).Cast<double?>().FirstOrDefault();
}

internal sealed class Evaluation(SyntheticData data, ClkParameters parameters, LshParameters lsh)
{
    public static readonly double[] Thresholds = [.. Enumerable.Range(0, 11).Select(i => 0.70 + 0.025 * i)];

    // Searches gather everything above this; the thresholds are applied afterwards.
    private const double Floor = 0.70;
    private const string KeyId = "bench-key-1";

    // A fixed key: the benchmark must be repeatable; a real network key is random and secret.
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 37 + 11))];

    public PersonEncoding[] Encode()
    {
        using var encoder = new ClkEncoder(Key, KeyId, parameters);
        var encodings = new PersonEncoding[data.Records.Length];
        Parallel.For(0, encodings.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            i => encodings[i] = encoder.Encode(data.Records[i].Identifiers));
        return encodings;
    }

    public EncodingIndex BuildIndex(PersonEncoding[] encodings, int count)
    {
        var index = new EncodingIndex(KeyId, parameters.Scheme, lsh);
        for (var i = 0; i < count; i++)
        {
            index.Add(data.Ids[i], encodings[i]);
        }

        return index;
    }

    public Quality Measure(EncodingIndex index, PersonEncoding[] encodings, bool exhaustive = false, int[]? duplicateQueries = null, int[]? singletonQueries = null)
    {
        var duplicates = duplicateQueries ?? data.DuplicateQueries;
        var singletons = singletonQueries ?? data.SingletonQueries;
        var slotOf = new Dictionary<Guid, int>(data.Ids.Length);
        for (var i = 0; i < data.Ids.Length; i++)
        {
            slotOf[data.Ids[i]] = i;
        }

        var queries = duplicates.Concat(singletons).ToArray();
        var partnerDice = new double[duplicates.Length];
        var falsePairs = new ConcurrentDictionary<long, double>();
        long examined = 0;
        Parallel.For(0, queries.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, n =>
        {
            var q = queries[n];
            IReadOnlyList<MatchCandidate> found;
            if (exhaustive)
            {
                found = index.SearchExhaustive(encodings[q], Floor, 10_000);
            }
            else
            {
                found = index.Search(encodings[q], Floor, 10_000, out var e);
                Interlocked.Add(ref examined, e);
            }

            var partnerFound = 0.0;
            foreach (var candidate in found)
            {
                var c = slotOf[candidate.Id];
                if (c == q)
                {
                    continue;
                }

                if (c == data.Partner[q])
                {
                    partnerFound = candidate.Dice;
                    continue;
                }

                falsePairs.TryAdd(Math.Min(q, c) * (long)int.MaxValue + Math.Max(q, c), candidate.Dice);
            }

            if (n < duplicates.Length)
            {
                partnerDice[n] = partnerFound;
            }
        });

        return new Quality(partnerDice, [.. falsePairs.Values], queries.Length, examined);
    }

    public void Run(bool large)
    {
        var clock = Stopwatch.StartNew();
        var encodings = Encode();
        var encodeSeconds = clock.Elapsed.TotalSeconds;
        var fill = encodings.Take(10_000).Average(e => e.Bits.PopCount) / Clk1024.Bits;
        Console.WriteLine($"encoded {encodings.Length:N0} records in {encodeSeconds:F1} s on 2 threads ({encodeSeconds * 1e6 * 2 / encodings.Length:F1} µs each); mean fill {fill:P1} of the 1,024 bits");

        var before = GC.GetTotalMemory(forceFullCollection: true);
        clock.Restart();
        var index = BuildIndex(encodings, encodings.Length);
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"index of {index.Count:N0} built in {buildSeconds:F1} s; managed memory of the index {(after - before) / 1048576.0:F0} MiB " +
            $"({lsh.Bands} bands × {lsh.RowsPerBand} rows, 2^{lsh.BucketBits} buckets per band); process working set {Environment.WorkingSet / 1048576.0:F0} MiB");
        Console.WriteLine();

        clock.Restart();
        var quality = Measure(index, encodings);
        Console.WriteLine($"quality: {quality.Queries:N0} queries ({data.DuplicateQueries.Length:N0} with a planted duplicate, {data.SingletonQueries.Length:N0} without) in {clock.Elapsed.TotalSeconds:F1} s; " +
            $"{(double)quality.Examined / quality.Queries:N0} candidates examined per query on average");
        Console.WriteLine();
        PrintQuality(quality, data.DuplicateQueries.Length + data.SingletonQueries.Length);
        var operating = quality.OperatingThreshold() ?? 0.85;
        Console.WriteLine();
        Console.WriteLine($"operating threshold (highest recall with precision ≥ 0.95): {operating:F3}");
        Console.WriteLine();
        PrintBreakdown(quality, operating);

        // What the blocking costs: the same queries answered with a Dice against every encoding.
        var sample = data.DuplicateQueries.Take(large ? 400 : 2_000).ToArray();
        var sampleSingles = data.SingletonQueries.Take(large ? 400 : 2_000).ToArray();
        clock.Restart();
        var exact = Measure(index, encodings, exhaustive: true, sample, sampleSingles);
        var exactSeconds = clock.Elapsed.TotalSeconds;
        var lshSample = Measure(index, encodings, exhaustive: false, sample, sampleSingles);
        Console.WriteLine();
        Console.WriteLine($"blocking loss on {sample.Length:N0} duplicate and {sampleSingles.Length:N0} other queries (exhaustive scan took {exactSeconds * 1000 * 2 / (sample.Length + sampleSingles.Length):F0} ms per query):");
        Console.WriteLine();
        Console.WriteLine("| threshold | recall, exhaustive | recall, LSH | false pairs, exhaustive | false pairs, LSH |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var t in Thresholds)
        {
            Console.WriteLine($"| {t:F3} | {exact.Recall(t):F4} | {lshSample.Recall(t):F4} | {exact.FalsePositives(t)} | {lshSample.FalsePositives(t)} |");
        }

        Console.WriteLine();
        Console.WriteLine("search time per query (one thread, threshold " + operating.ToString("F3", CultureInfo.InvariantCulture) + "):");
        Console.WriteLine();
        Console.WriteLine("| encodings | queries | p50 ms | p95 ms | p99 ms | max ms | candidates examined (mean) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        if (encodings.Length > 10_000)
        {
            var small = BuildIndex(encodings, 10_000);
            Time(small, encodings, Enumerable.Range(0, 10_000).ToArray(), operating);
        }

        Time(index, encodings, Enumerable.Range(0, encodings.Length).ToArray(), operating);
        GC.KeepAlive(index);
    }

    public static void PrintQuality(Quality quality, int queries)
    {
        Console.WriteLine("| threshold | recall | precision | true pairs found | false pairs | false pairs per 1,000 queries |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var t in Thresholds)
        {
            Console.WriteLine($"| {t:F3} | {quality.Recall(t):F4} | {quality.Precision(t):F4} | {quality.TruePositives(t):N0} / {quality.PartnerDice.Length:N0} | {quality.FalsePositives(t):N0} | {1000.0 * quality.FalsePositives(t) / queries:F1} |");
        }
    }

    private void PrintBreakdown(Quality quality, double t)
    {
        var byKind = new Dictionary<string, (int Total, int Found)>();
        for (var n = 0; n < data.DuplicateQueries.Length; n++)
        {
            var q = data.DuplicateQueries[n];
            var kinds = data.Records[q].Kind.Split('+').ToList();
            kinds.Add(data.Records[data.Partner[q]].Kind == "native" ? "origin-native" : "origin-latin");
            if (kinds.Contains("latin") && kinds.Contains("origin-native"))
            {
                kinds.Add("native-vs-latin");
            }

            foreach (var kind in kinds.Append("all"))
            {
                var (total, found) = byKind.GetValueOrDefault(kind);
                byKind[kind] = (total + 1, found + (quality.PartnerDice[n] >= t ? 1 : 0));
            }
        }

        Console.WriteLine($"recall by what the duplicate went through (threshold {t:F3}; a pair can be in several rows):");
        Console.WriteLine();
        Console.WriteLine("| corruption | pairs | recall |");
        Console.WriteLine("|---|---|---|");
        foreach (var (kind, (total, found)) in byKind.OrderByDescending(k => k.Value.Total))
        {
            Console.WriteLine($"| {kind} | {total:N0} | {(double)found / total:F3} |");
        }

        var byCulture = new Dictionary<string, (int Total, int Found)>();
        for (var n = 0; n < data.DuplicateQueries.Length; n++)
        {
            var q = data.DuplicateQueries[n];
            var culture = CultureOf(data.Records[data.Partner[q]].Identifiers);
            var (total, found) = byCulture.GetValueOrDefault(culture);
            byCulture[culture] = (total + 1, found + (quality.PartnerDice[n] >= t ? 1 : 0));
        }

        Console.WriteLine();
        Console.WriteLine("| name pattern of the origin record | pairs | recall |");
        Console.WriteLine("|---|---|---|");
        foreach (var (culture, (total, found)) in byCulture.OrderByDescending(k => k.Value.Total))
        {
            Console.WriteLine($"| {culture} | {total:N0} | {(double)found / total:F3} |");
        }
    }

    // The script of the origin record, or "latin" when it was written in Latin letters.
    private static string CultureOf(Matching.Encoding.PersonIdentifiers identifiers)
    {
        var text = identifiers.GivenName + identifiers.FamilyName;
        foreach (var c in text)
        {
            switch (c)
            {
                case >= '\u1780' and <= '\u17FF': return "khmer script";
                case >= '\u0E00' and <= '\u0E7F': return "thai script";
                case >= '\u0E80' and <= '\u0EFF': return "lao script";
                case >= '\u1000' and <= '\u109F': return "burmese script";
                case > '\u007F': return "vietnamese (diacritics)";
            }
        }

        return "latin letters";
    }

    private void Time(EncodingIndex index, PersonEncoding[] encodings, int[] pool, double threshold)
    {
        var random = new Random(7);
        var queries = Enumerable.Range(0, 2_200).Select(_ => pool[random.Next(pool.Length)]).ToArray();
        var times = new List<double>();
        long examined = 0;
        for (var n = 0; n < queries.Length; n++)
        {
            var start = Stopwatch.GetTimestamp();
            index.Search(encodings[queries[n]], threshold, 100, out var e);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (n >= 200)
            {
                times.Add(elapsed); // the first 200 warm the JIT and caches
                examined += e;
            }
        }

        times.Sort();
        double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        Console.WriteLine($"| {index.Count:N0} | {times.Count:N0} | {P(0.50):F2} | {P(0.95):F2} | {P(0.99):F2} | {times[^1]:F2} | {(double)examined / times.Count:N0} |");
    }
}
