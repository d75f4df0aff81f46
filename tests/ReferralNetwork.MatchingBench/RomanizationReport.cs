using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.MatchingBench;

/// <summary>
/// How close the romanizers come to the hand-made Latin spellings (--romanize): for each native-script name
/// part, the bigram Dice between its normalized, folded romanization and the closest of its Latin spellings,
/// with AnyAscii's plain transliteration beside it for comparison.
/// </summary>
internal static class RomanizationReport
{
    public static void Print()
    {
        var lists = new (string Name, NamePart[] Parts)[]
        {
            ("Khmer family", NameData.KhmerFamily), ("Khmer given (f)", NameData.KhmerGivenFemale), ("Khmer given (m)", NameData.KhmerGivenMale),
            ("Lao family", NameData.LaoFamily), ("Lao given (f)", NameData.LaoGivenFemale), ("Lao given (m)", NameData.LaoGivenMale),
            ("Burmese (m)", NameData.BurmeseMale), ("Burmese (f)", NameData.BurmeseFemale),
            ("Thai given (f)", NameData.ThaiGivenFemale), ("Thai given (m)", NameData.ThaiGivenMale), ("Thai family parts", NameData.ThaiFamilyParts),
        };
        Console.WriteLine("| list | parts | mean best Dice, ours | mean best Dice, AnyAscii | parts with Dice < 0.5, ours |");
        Console.WriteLine("|---|---|---|---|---|");
        var details = new List<string>();
        foreach (var (name, parts) in lists)
        {
            double ours = 0, plain = 0;
            var poor = 0;
            foreach (var part in parts)
            {
                var romanized = Key(NameNormalizer.Romanize(part.Native));
                var anyAscii = Key(AnyAscii.Transliteration.Transliterate(part.Native).ToLowerInvariant());
                var best = part.Latin.Max(l => Dice(romanized, Key(l)));
                var bestPlain = part.Latin.Max(l => Dice(anyAscii, Key(l)));
                ours += best;
                plain += bestPlain;
                if (best < 0.5)
                {
                    poor++;
                }

                details.Add($"| {name} | {part.Native} | {romanized} | {anyAscii} | {string.Join(", ", part.Latin.Distinct())} | {best:F2} | {bestPlain:F2} |");
            }

            Console.WriteLine($"| {name} | {parts.Length} | {ours / parts.Length:F2} | {plain / parts.Length:F2} | {poor} |");
        }

        Console.WriteLine();
        Console.WriteLine("| list | native | ours (folded) | AnyAscii (folded) | Latin spellings | Dice ours | Dice AnyAscii |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        details.ForEach(Console.WriteLine);
    }

    private static string Key(string text) => NameNormalizer.Fold(NameNormalizer.Normalize(text)).Replace(" ", "", StringComparison.Ordinal);

    private static double Dice(string a, string b)
    {
        var x = Bigrams(a);
        var y = Bigrams(b);
        return x.Count + y.Count == 0 ? 0 : 2.0 * x.Intersect(y).Count() / (x.Count + y.Count);
    }

    private static HashSet<string> Bigrams(string s)
    {
        var padded = "_" + s + "_";
        var set = new HashSet<string>();
        for (var i = 0; i + 1 < padded.Length; i++)
        {
            set.Add(padded.Substring(i, 2));
        }

        return set;
    }
}
