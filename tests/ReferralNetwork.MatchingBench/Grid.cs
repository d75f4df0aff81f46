using System.Diagnostics;
using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.MatchingBench;

/// <summary>
/// The parameter study behind the defaults (run with --small --grid): field weights, folding and blocking
/// compared on one population by the recall they reach at precision ≥ 0.95.
/// </summary>
internal static class Grid
{
    public static void Run(SyntheticData data)
    {
        var d = ClkParameters.Default;
        var variants = new List<(string Name, ClkParameters Clk, LshParameters Lsh)>
        {
            ("default", d, LshParameters.Default),
            ("no phonetic folding", d with { Scheme = 2, PhoneticFolding = false }, LshParameters.Default),
            ("given/family 8/6, full name 6 (field-heavy)", d with { Scheme = 3, GivenNameBits = 8, FamilyNameBits = 6, FullNameBits = 6 }, LshParameters.Default),
            ("full name only (given/family 0)", d with { Scheme = 4, GivenNameBits = 0, FamilyNameBits = 0, FullNameBits = 12 }, LshParameters.Default),
            ("date 7 bits per token", d with { Scheme = 5, DateBits = 7 }, LshParameters.Default),
            ("date 14 bits per token", d with { Scheme = 6, DateBits = 14 }, LshParameters.Default),
            ("sex 5 bits", d with { Scheme = 7, SexBits = 5 }, LshParameters.Default),
            ("full name 14 bits", d with { Scheme = 8, FullNameBits = 14 }, LshParameters.Default),
            ("LSH 16 bands × 4 rows", d, LshParameters.Default with { Bands = 16 }),
            ("LSH 32 bands × 5 rows", d, LshParameters.Default with { Bands = 32, RowsPerBand = 5 }),
            ("LSH 24 bands × 3 rows", d, LshParameters.Default with { RowsPerBand = 3 }),
        };

        Console.WriteLine("| variant | fill | operating threshold | recall | precision | recall at 0.800 | precision at 0.800 | candidates per query | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        PersonEncoding[]? cached = null;
        ClkParameters? cachedFor = null;
        foreach (var (name, clk, lsh) in variants)
        {
            var clock = Stopwatch.StartNew();
            var evaluation = new Evaluation(data, clk, lsh);
            var encodings = cachedFor == clk && cached is not null ? cached : evaluation.Encode();
            (cached, cachedFor) = (encodings, clk);
            var index = evaluation.BuildIndex(encodings, encodings.Length);
            var quality = evaluation.Measure(index, encodings);
            var fill = encodings.Take(5_000).Average(e => e.Bits.PopCount) / Clk1024.Bits;
            var t = quality.OperatingThreshold();
            var at = t ?? 0.95;
            Console.WriteLine($"| {name} | {fill:P0} | {(t is null ? "none" : t.Value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))} | {quality.Recall(at):F4} | {quality.Precision(at):F4} | " +
                $"{quality.Recall(0.8):F4} | {quality.Precision(0.8):F4} | {(double)quality.Examined / quality.Queries:N0} | {clock.Elapsed.TotalSeconds:F0} |");
        }
    }
}
