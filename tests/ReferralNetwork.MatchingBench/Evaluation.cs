using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.MatchingBench;

/// <summary>What one configuration achieved: the Dice of each duplicate with its partner, and the false pairs.</summary>
internal sealed record Quality(double[] PartnerDice, IReadOnlyDictionary<long, double> FalsePairs, int Queries, long Examined)
{
    public double[] FalsePairDice { get; } = [.. FalsePairs.Values];

    public int TruePositives(double t) => PartnerDice.Count(d => d >= t);

    public int FalsePositives(double t) => FalsePairDice.Count(d => d >= t);

    /// <summary>
    /// Precision if the index were <paramref name="scale"/> times larger: strangers above a threshold grow in
    /// proportion to the records searched, true partners do not. Used to tune on a small population for 1M.
    /// </summary>
    public double ProjectedPrecision(double t, double scale)
    {
        var tp = TruePositives(t);
        var fp = FalsePositives(t) * scale;
        return tp + fp == 0 ? 1 : tp / (tp + fp);
    }

    public double Recall(double t) => (double)TruePositives(t) / PartnerDice.Length;

    public double Precision(double t)
    {
        var tp = TruePositives(t);
        var fp = FalsePositives(t);
        return tp + fp == 0 ? 1 : (double)tp / (tp + fp);
    }

    /// <summary>The lowest threshold of the grid with precision ≥ 0.95 (so the highest recall there), or null.</summary>
    public double? OperatingThreshold(double minimumPrecision = 0.95, double scale = 1) =>
        Evaluation.Thresholds.Where(t => ProjectedPrecision(t, scale) >= minimumPrecision).Cast<double?>().FirstOrDefault();
}

internal sealed class Evaluation(SyntheticData data, ClkParameters parameters, LshParameters lsh)
{
    public static readonly double[] Thresholds = [.. Enumerable.Range(0, 21).Select(i => 0.70 + 0.0125 * i)];

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

        return new Quality(partnerDice, falsePairs, queries.Length, examined);
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
        var reached = quality.OperatingThreshold();
        // Where precision 0.95 is out of reach, the threshold of best F1 is reported instead.
        var operating = reached ?? Thresholds.MaxBy(t =>
        {
            var (p, r) = (quality.Precision(t), quality.Recall(t));
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        });
        Console.WriteLine();
        Console.WriteLine(reached is not null
            ? $"operating threshold (highest recall with precision ≥ 0.95): {operating:F4}"
            : $"precision 0.95 is reached at no threshold; operating threshold (best F1): {operating:F4}");
        Console.WriteLine();
        PrintFalsePairs(quality, operating);
        Console.WriteLine();
        PrintBreakdown(quality, operating);
        if (Environment.GetEnvironmentVariable("MATCHING_BENCH_SAMPLES") is not null)
        {
            PrintSamples(quality, operating);
        }

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

    /// <summary>
    /// --timing-only: the blocking choices side by side at full size — candidates, recall lost against an
    /// exhaustive scan, memory and search times — without the (long) quality run.
    /// </summary>
    public static void CompareBlocking(SyntheticData data, ClkParameters parameters)
    {
        var configurations = new[] { LshParameters.Default with { RowsPerBand = 4 }, LshParameters.Default with { RowsPerBand = 5 }, LshParameters.Default with { RowsPerBand = 6 } };
        var first = new Evaluation(data, parameters, configurations[0]);
        var encodings = first.Encode();
        var sample = data.DuplicateQueries.Take(300).ToArray();
        var singles = data.SingletonQueries.Take(300).ToArray();
        Quality? exact = null;
        Console.WriteLine("| bands × rows | index MiB | build s | candidates per query | recall lost at 0.80 / 0.85 / 0.90 (of exhaustive) | p50 ms | p95 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var lsh in configurations)
        {
            var evaluation = new Evaluation(data, parameters, lsh);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var clock = Stopwatch.StartNew();
            var index = evaluation.BuildIndex(encodings, encodings.Length);
            var build = clock.Elapsed.TotalSeconds;
            var memory = (GC.GetTotalMemory(forceFullCollection: true) - before) / 1048576.0;
            exact ??= evaluation.Measure(index, encodings, exhaustive: true, sample, singles);
            var blocked = evaluation.Measure(index, encodings, exhaustive: false, sample, singles);
            string Lost(double t) => (exact.TruePositives(t) - blocked.TruePositives(t)).ToString(CultureInfo.InvariantCulture);
            var (p50, p95, p99, examined) = evaluation.Latencies(index, encodings, parameters.MatchThreshold);
            Console.WriteLine($"| {lsh.Bands} × {lsh.RowsPerBand} | {memory:F0} | {build:F0} | {examined:N0} | {Lost(0.8)} / {Lost(0.85)} / {Lost(0.9)} of {exact.TruePositives(0.8)} / {exact.TruePositives(0.85)} / {exact.TruePositives(0.9)} | {p50:F2} | {p95:F2} | {p99:F2} |");
            GC.KeepAlive(index);
        }
    }

    private (double P50, double P95, double P99, double Examined) Latencies(EncodingIndex index, PersonEncoding[] encodings, double threshold)
    {
        var random = new Random(7);
        var times = new List<double>();
        long examined = 0;
        for (var n = 0; n < 2_200; n++)
        {
            var q = random.Next(index.Count);
            var start = Stopwatch.GetTimestamp();
            index.Search(encodings[q], threshold, 100, out var e);
            if (n >= 200)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                examined += e;
            }
        }

        times.Sort();
        double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        return (P(0.5), P(0.95), P(0.99), (double)examined / times.Count);
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

    // How many false pairs no encoding of these fields could avoid — the same normalized name (word order aside),
    // the same date of birth and the same sex — and which name patterns the false pairs come from.
    private void PrintFalsePairs(Quality quality, double t)
    {
        string NameKey(int i)
        {
            var r = data.Records[i].Identifiers;
            var words = NameNormalizer.Fold(NameNormalizer.Normalize(r.GivenName) + " " + NameNormalizer.Normalize(r.FamilyName, NameField.Family))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
            return string.Concat(words);
        }

        var identical = 0;
        var byPattern = new Dictionary<string, int>();
        var pairs = quality.FalsePairs.Where(p => p.Value >= t).ToList();
        foreach (var (key, _) in pairs)
        {
            var (a, b) = ((int)(key / int.MaxValue), (int)(key % int.MaxValue));
            var (ra, rb) = (data.Records[a].Identifiers, data.Records[b].Identifiers);
            if (NameKey(a) == NameKey(b) && ra.DateOfBirth == rb.DateOfBirth && ra.Sex == rb.Sex)
            {
                identical++;
            }

            var pattern = CultureOf(ra);
            byPattern[pattern] = byPattern.GetValueOrDefault(pattern) + 1;
        }

        Console.WriteLine($"false pairs at {t:F4}: {pairs.Count:N0}, of which {identical:N0} ({(pairs.Count == 0 ? 0 : (double)identical / pairs.Count):P0}) are two people with the same normalized name, date of birth and sex — indistinguishable from these fields");
        Console.WriteLine($"precision if those were told apart by another field: {(double)quality.TruePositives(t) / (quality.TruePositives(t) + pairs.Count - identical):F4}");
        Console.WriteLine();
        Console.WriteLine("| script of one record of the false pair | false pairs |");
        Console.WriteLine("|---|---|");
        foreach (var (pattern, count) in byPattern.OrderByDescending(p => p.Value))
        {
            Console.WriteLine($"| {pattern} | {count:N0} |");
        }

        Console.WriteLine();
    }

    // Synthetic records only: what the false pairs and the missed duplicates look like, for tuning.
    private void PrintSamples(Quality quality, double t)
    {
        string Show(int i) => $"{data.Records[i].Identifiers.GivenName} / {data.Records[i].Identifiers.FamilyName} / {data.Records[i].Identifiers.DateOfBirth} / {data.Records[i].Identifiers.Sex} [{data.Records[i].Kind}]";
        Console.WriteLine();
        Console.WriteLine($"false pairs at {t:F3} and just below:");
        foreach (var (key, dice) in quality.FalsePairs.Where(p => p.Value >= t - 0.05).Take(25))
        {
            Console.WriteLine($"  {dice:F3}  {Show((int)(key / int.MaxValue))}  ~  {Show((int)(key % int.MaxValue))}");
        }

        Console.WriteLine($"missed duplicates at {t:F3}:");
        for (var n = 0; n < data.DuplicateQueries.Length && n < 400; n++)
        {
            if (quality.PartnerDice[n] < t)
            {
                var q = data.DuplicateQueries[n];
                Console.WriteLine($"  {quality.PartnerDice[n]:F3}  {Show(data.Partner[q])}  ~  {Show(q)}");
            }
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
