using System.Text;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// Burmese (Unicode, not Zawgyi) to the romanization found in passports and case files: "အောင်ကျော်မိုး" →
/// "aung kyaw mo". Generic transliteration (AnyAscii gives "'eankyea") shares almost no bigram with the
/// spelling a person actually uses, so names are read syllable by syllable: initial, medials, then the rhyme
/// (vowel signs plus killed final), each rhyme mapped to its customary spelling. One syllable becomes one word,
/// as in "Aung San Suu Kyi"; the encoder ignores spaces inside a field, so "Thida" and "Thi Da" agree.
/// </summary>
internal static class BurmeseRomanizer
{
    public static bool IsBurmese(char c) => c is >= '\u1000' and <= '\u109F';

    private const char Asat = '\u103A';
    private const char Virama = '\u1039';
    private const char MedialYa = '\u103B';
    private const char MedialRa = '\u103C';
    private const char MedialWa = '\u103D';
    private const char MedialHa = '\u103E';

    private static string Initial(char c) => c switch
    {
        'က' => "k", 'ခ' => "kh", 'ဂ' => "g", 'ဃ' => "g", 'င' => "ng",
        'စ' => "s", 'ဆ' => "s", 'ဇ' => "z", 'ဈ' => "z", 'ည' => "ny", 'ဉ' => "ny",
        'ဋ' => "t", 'ဌ' => "ht", 'ဍ' => "d", 'ဎ' => "d", 'ဏ' => "n",
        'တ' => "t", 'ထ' => "ht", 'ဒ' => "d", 'ဓ' => "d", 'န' => "n",
        'ပ' => "p", 'ဖ' => "ph", 'ဗ' => "b", 'ဘ' => "b", 'မ' => "m",
        'ယ' => "y", 'ရ' => "y", 'လ' => "l", 'ဝ' => "w", 'သ' => "th", 'ဟ' => "h", 'ဠ' => "l",
        'အ' => "",
        _ => "",
    };

    private static bool IsConsonant(char c) => c is >= '\u1000' and <= '\u1021';

    private static string? IndependentVowel(char c) => c switch
    {
        'ဣ' or 'ဤ' => "i",
        'ဥ' or 'ဦ' => "u",
        'ဧ' => "e",
        'ဩ' or 'ဪ' => "aw",
        'ဿ' => "th",
        _ => null,
    };

    public static void Append(ReadOnlySpan<char> text, StringBuilder output)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IndependentVowel(c) is { } vowel)
            {
                Space(output);
                output.Append(vowel);
                i++;
                // ဦး and friends carry tone marks; a killed final may follow (ဥက္ကာ) and is dropped.
                while (i < text.Length && IsSign(text[i]))
                {
                    i++;
                }

                continue;
            }

            if (!IsConsonant(c))
            {
                if (c is >= '\u1040' and <= '\u1049')
                {
                    output.Append((char)('0' + (c - '\u1040')));
                }
                else if (!IsSign(c))
                {
                    Space(output);
                }

                i++;
                continue;
            }

            i = Syllable(text, i, output);
        }
    }

    private static bool IsSign(char c) => c is >= '\u102B' and <= '\u103E';

    private static int Syllable(ReadOnlySpan<char> text, int start, StringBuilder output)
    {
        var initial = text[start];
        var i = start + 1;
        bool ya = false, wa = false, ha = false;
        var vowels = new StringBuilder();
        while (i < text.Length)
        {
            var c = text[i];
            if (c is MedialYa or MedialRa)
            {
                ya = true;
            }
            else if (c == MedialWa)
            {
                wa = true;
            }
            else if (c == MedialHa)
            {
                ha = true;
            }
            else if (c is >= '\u102B' and <= '\u1038' && c != Asat)
            {
                vowels.Append(c);
            }
            else if (c == Asat)
            {
                // ော် / ေါ်: the asat sits on the vowel, not on a final.
                vowels.Append('်');
            }
            else
            {
                break;
            }

            i++;
        }

        // A killed final: a consonant followed by asat (with tone marks around it), or the upper half of a stack.
        char final = '\0';
        if (i < text.Length && IsConsonant(text[i]))
        {
            var j = i + 1;
            while (j < text.Length && text[j] == '\u1037')
            {
                j++; // the creaky dot may be stored before the asat
            }

            if (j < text.Length && text[j] == Asat)
            {
                final = text[i];
                i = j + 1;
            }
            else if (j < text.Length && text[j] == Virama)
            {
                final = text[i];
                i = j + 1; // the stacked consonant starts the next syllable
            }
        }

        var creaky = false;
        while (i < text.Length && text[i] is '\u1037' or '\u1038' or '\u103A')
        {
            creaky |= text[i] == '\u1037';
            i++;
        }

        creaky |= vowels.ToString().Contains('\u1037');
        var v = vowels.ToString().Replace("\u1037", "").Replace("\u1038", "");

        // ွ is a glide (ရွှေ Shwe, နွယ် Nwe) unless it is the vowel itself (ထွန်း Htun).
        var waIsVowel = wa && v.Length == 0 && final != '\0' && final != 'ယ';
        Space(output);
        var onset = Onset(initial, ya, ha, wa && !waIsVowel);
        var rhyme = Rhyme(v, final, waIsVowel, creaky);
        // A bare ေ is spelt "Aye" in names (အေး); after a consonant it stays "e" (Nwe, Me).
        output.Append(onset).Append(onset.Length == 0 && rhyme == "e" ? "aye" : rhyme);
        return i;
    }

    private static string Onset(char initial, bool ya, bool ha, bool waGlide)
    {
        var onset = Initial(initial);
        if (ha)
        {
            // ရှ ယှ လျှ are "sh" (ရွှေ Shwe); otherwise the h goes first: လှ Hla, နှင်း Hnin, မှ Hma.
            onset = initial is 'ရ' or 'ယ' || (initial == 'လ' && ya) ? "sh" : "h" + onset;
            ya = ya && initial != 'လ';
        }

        if (ya)
        {
            onset = initial switch
            {
                'ခ' or 'ဂ' => "ch", // ချို Cho, ခြ Chit
                'က' => "ky",
                'ဖ' => "phy",
                _ => onset + "y",
            };
        }

        return waGlide ? onset + "w" : onset;
    }

    private static string Rhyme(string v, char final, bool wa, bool creaky)
    {
        var finalClass = final switch
        {
            '\0' => "",
            'င' => "ng",
            'န' or 'မ' or 'ဏ' => "n",
            'က' => "k",
            'စ' => "c",
            'တ' or 'ပ' or 'ဋ' => "t",
            'ည' => "ny",
            'ဉ' => "ng",
            'ယ' => "y",
            _ => "x",
        };
        var hasAnusvara = v.Contains('ံ');
        v = v.Replace("ံ", "");
        if (hasAnusvara && finalClass == "")
        {
            finalClass = "n";
        }

        // ေ + ာ/ါ is "aw" with or without its asat; ို is "o".
        var key = v.Replace("ေါ", "ော").Replace("ါ", "ာ").Replace("ီ", "ိ").Replace("ူ", "ု").Replace("်", "");
        if (wa && key.Length == 0)
        {
            return finalClass switch
            {
                "n" => "un",
                "t" or "k" => "ut",
                _ => "in",
            };
        }

        return (key, finalClass) switch
        {
            ("", "") => "a",
            ("ာ", "") => "a",
            ("ိ", "") => "i",
            ("ု", "") => "u",
            ("ေ", "") => "e",
            ("ဲ", "") => "e",
            ("ော", "") => "aw",
            ("ို", "") => "o",
            ("", "ng") => creaky ? "int" : "in",
            ("ော", "ng") => "aung",
            ("ို", "ng") => "aing",
            ("", "n") => creaky ? "ant" : "an",
            ("ိ", "n") => "ein",
            ("ု", "n") => "on",
            ("ို", "n") => "on",
            ("", "k") => "et",
            ("ို", "k") => "aik",
            ("ော", "k") => "auk",
            ("", "c") => "it",
            ("", "t") => "at",
            ("ိ", "t") => "eik",
            ("ု", "t") => "ok",
            ("", "ny") => "i",
            ("", "y") => "e", // the glide is already in the onset: နွယ် Nwe
            ("ာ", _) => "a",
            _ => key.Length == 0 ? "a" : "",
        };
    }

    private static void Space(StringBuilder output)
    {
        if (output.Length > 0 && output[^1] != ' ')
        {
            output.Append(' ');
        }
    }
}
