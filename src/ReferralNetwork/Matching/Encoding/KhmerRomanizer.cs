using System.Text;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// Khmer to the popular romanization of names ("សុខា" → "sokha", "ស្រីមុំ" → "sreimom", "សុភាព" → "sopheap").
/// Khmer vowel signs sound (and are spelt in Latin) differently after the two consonant series: ា is "a" after
/// ច (Chan) but "ea" after ភ/ម (Sopheap, Meas); ី is "ei" after ស (Srei) but "i" after ល (Ly). Letter-by-letter
/// transliteration ignores this and drifts away from what people write, so the series of each syllable's
/// onset (after ៉/៊, which switch it) chooses the vowel. A consonant with no vowel of its own closes the previous
/// syllable; ់ shortens, ៍ silences, and a subscript (្) starts a cluster or, after a vowel, the next syllable.
/// </summary>
internal static class KhmerRomanizer
{
    public static bool IsKhmer(char c) => c is >= '\u1780' and <= '\u17FF' or >= '\u19E0' and <= '\u19FF';

    private const char Coeng = '\u17D2';
    private const char Bantoc = '\u17CB';
    private const char Toandakhiat = '\u17CD';
    private const char Muusikatoan = '\u17C9'; // second series → first
    private const char Triisap = '\u17CA'; // first series → second

    private static bool IsConsonant(char c) => c is >= '\u1780' and <= '\u17A2';

    // ័ (samyok sannya) is a short vowel in Pali spellings: សុភ័ក្រ Sopheak.
    private static bool IsDependentVowel(char c) => c is >= '\u17B6' and <= '\u17C8' or '\u17D0';

    // The second ("o") series; the rest of the consonants are first ("a") series.
    private static bool IsSecondSeries(char c) => c is 'គ' or 'ឃ' or 'ង' or 'ជ' or 'ឈ' or 'ញ' or 'ឌ' or 'ឍ' or 'ន'
        or 'ទ' or 'ធ' or 'ព' or 'ភ' or 'ម' or 'យ' or 'រ' or 'ល' or 'វ';

    private static string Initial(char c) => c switch
    {
        'ក' or 'គ' => "k", 'ខ' or 'ឃ' => "kh", 'ង' => "ng",
        'ច' or 'ជ' => "ch", 'ឆ' or 'ឈ' => "chh", 'ញ' => "nh",
        'ដ' or 'ឌ' => "d", 'ឋ' or 'ឍ' or 'ថ' or 'ធ' => "th", 'ណ' or 'ន' => "n",
        'ត' or 'ទ' => "t", 'ប' => "b", 'ផ' or 'ភ' => "ph", 'ព' => "p",
        'ម' => "m", 'យ' => "y", 'រ' => "r", 'ល' or 'ឡ' => "l", 'វ' => "v",
        'ឝ' or 'ឞ' or 'ស' => "s", 'ហ' => "h", 'អ' => "",
        _ => "",
    };

    private static string Final(char c) => c switch
    {
        'ក' or 'ខ' or 'គ' or 'ឃ' => "k",
        'ង' => "ng",
        'ច' or 'ឆ' or 'ជ' or 'ឈ' => "ch",
        'ញ' => "nh",
        'ដ' or 'ឋ' or 'ឌ' or 'ឍ' or 'ត' or 'ថ' or 'ទ' or 'ធ' => "t",
        'ណ' or 'ន' => "n",
        'ប' or 'ផ' or 'ព' or 'ភ' => "p",
        'ម' => "m",
        'យ' => "y",
        'ល' or 'ឡ' => "l",
        'វ' => "o", // កែវ Keo
        'ស' or 'ឝ' or 'ឞ' => "s",
        'ហ' => "h",
        _ => "", // រ and អ are silent at the end of a syllable
    };

    private static string? IndependentVowel(char c) => c switch
    {
        'ឣ' or 'ឤ' => "a", 'ឥ' => "e", 'ឦ' => "ei", 'ឧ' => "o", 'ឩ' or 'ឪ' => "ou",
        'ឫ' or 'ឬ' => "rue", 'ឭ' or 'ឮ' => "lue", 'ឯ' => "ae", 'ឰ' => "ai", 'ឱ' or 'ឲ' or 'ឳ' => "ao",
        _ => null,
    };

    // (first series, second series) spelling of each vowel sign and of the common sign pairs.
    private static (string First, string Second) Vowel(string signs) => signs switch
    {
        "" => ("a", "o"),
        "ា" => ("a", "ea"),
        "ិ" => ("e", "i"),
        "ី" => ("ei", "i"),
        "ឹ" => ("oe", "ue"),
        "ឺ" => ("eu", "eu"),
        "ុ" => ("o", "u"),
        "ូ" => ("ou", "ou"),
        "ួ" => ("uo", "uo"),
        "ើ" => ("aeu", "eu"),
        "ឿ" => ("oea", "uea"),
        "ៀ" => ("ie", "ie"),
        "េ" => ("e", "e"),
        "ែ" => ("ae", "e"),
        "ៃ" => ("ai", "ey"),
        "ោ" => ("ao", "o"),
        "ៅ" => ("ao", "ov"),
        "ំ" => ("am", "um"),
        "ុំ" => ("om", "om"), // មុំ is "Mom" in use, not the "mum" of the rule
        "ាំ" => ("am", "oam"),
        "័" => ("a", "ea"),
        "ះ" => ("ah", "eah"),
        "ុះ" => ("oh", "uh"),
        "េះ" => ("eh", "eh"),
        "ោះ" => ("aoh", "uoh"),
        "ិះ" => ("eh", "ih"),
        _ => (signs.Length > 0 ? Vowel(signs[..1]).First : "a", signs.Length > 0 ? Vowel(signs[..1]).Second : "o"),
    };

    public static void Append(ReadOnlySpan<char> text, StringBuilder output)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IndependentVowel(c) is { } vowel)
            {
                output.Append(vowel);
                i++;
                i = Coda(text, i, output);
                continue;
            }

            if (!IsConsonant(c))
            {
                if (c is >= '\u17E0' and <= '\u17E9')
                {
                    output.Append((char)('0' + (c - '\u17E0')));
                }
                else if (!(c is >= '\u17B4' and <= '\u17DD') && !(c is '\u200B' or '\u200C' or '\u200D'))
                {
                    // Anything else (a space, punctuation) separates words; zero-width spaces join syllables.
                    if (output.Length > 0 && output[^1] != ' ')
                    {
                        output.Append(' ');
                    }
                }

                i++;
                continue;
            }

            i = Syllable(text, i, output);
        }
    }

    private static int Syllable(ReadOnlySpan<char> text, int start, StringBuilder output)
    {
        var onset = text[start];
        var second = IsSecondSeries(onset);
        var onsetText = Initial(onset);
        var i = start + 1;
        if (i < text.Length && text[i] is Muusikatoan or Triisap)
        {
            second = text[i] == Triisap;
            i++;
        }

        // Subscripts after the onset make a cluster: ស្រ sr, ប្រ pr, ខ្ម khm.
        while (i + 1 < text.Length && text[i] == Coeng && IsConsonant(text[i + 1]))
        {
            if (onset == 'ប')
            {
                onsetText = "p"; // ប is voiceless in clusters: ប្រាក់ Prak
            }

            onsetText += Initial(text[i + 1]);
            i += 2;
        }

        if (i < text.Length && text[i] is Muusikatoan or Triisap)
        {
            second = text[i] == Triisap;
            i++;
        }

        var signs = new StringBuilder();
        while (i < text.Length && IsDependentVowel(text[i]))
        {
            signs.Append(text[i++]);
        }

        var (first, secondSpelling) = Vowel(signs.ToString());
        var vowel = second ? secondSpelling : first;

        // The robat (៌) is an r written above; ៏ and ៑ only mark Pali spellings.
        while (i < text.Length && text[i] is '\u17CC' or '\u17CE' or '\u17CF' or '\u17D1' or '\u17D3')
        {
            i++;
        }

        output.Append(onsetText).Append(vowel);
        return Coda(text, i, output, inherent: signs.Length == 0);
    }

    // The final consonant of a syllable: a consonant with no vowel of its own that does not start a cluster.
    private static int Coda(ReadOnlySpan<char> text, int i, StringBuilder output, bool inherent = false)
    {
        if (i >= text.Length || !IsConsonant(text[i]))
        {
            return i;
        }

        var j = i + 1;
        if (j < text.Length && text[j] == Toandakhiat)
        {
            return j + 1; // silenced letter
        }

        if (j < text.Length && (IsDependentVowel(text[j]) || text[j] is Muusikatoan or Triisap))
        {
            return i; // it is the next onset
        }

        // Two consonants where the second ends the word or its cluster: the first opens a syllable the second
        // closes (សុផល So-phal, សុវណ្ណ So-vann). After an unwritten vowel a consonant that carries a vowel
        // sign next opens a syllable too: Pali names read open (រតនា Ra-ta-na), not "Rot-na".
        if (j < text.Length && IsConsonant(text[j]))
        {
            var k = j + 1;
            var secondCloses = k >= text.Length || !IsKhmer(text[k]) || text[k] is Bantoc or Coeng or Toandakhiat;
            var secondOpens = k < text.Length && (IsDependentVowel(text[k]) || text[k] is Muusikatoan or Triisap);
            if (secondCloses || (inherent && secondOpens))
            {
                return i;
            }
        }

        output.Append(Final(text[i]));
        if (j < text.Length && text[j] == Bantoc)
        {
            j++;
        }

        // A subscript after a final begins the next syllable (ចន្ថា Chantha), unless the word ends there
        // (ពេជ្រ Pech, where the subscript is silent).
        if (j + 1 < text.Length && text[j] == Coeng && IsConsonant(text[j + 1]))
        {
            var k = j + 2;
            var wordEnds = k >= text.Length || !(IsDependentVowel(text[k]) || IsConsonant(text[k]) || text[k] is Muusikatoan or Triisap);
            if (wordEnds)
            {
                return k;
            }

            return Syllable(text, j + 1, output);
        }

        while (j < text.Length && text[j] == Toandakhiat)
        {
            j++;
        }

        return j;
    }
}
