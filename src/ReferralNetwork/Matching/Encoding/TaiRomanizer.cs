using System.Text;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// Thai and Lao to the popular romanization of names ("สมชาย ใจดี" → "somchai jaidi", "ສົມສັກ" → "somsak").
/// Letter-by-letter transliteration cannot do this: Thai writes leading vowels before their consonant and leaves
/// the vowel of closed syllables unwritten (AnyAscii gives "smchay"). Syllables are parsed as
/// [leading vowel] consonant [r/l/w cluster] [vowel marks] [final], the unwritten vowel is "o" before a final and
/// "a" in an open syllable, and finals take their spoken value (ด/ท/ส… → t, ร/ล/ญ → n). The Lao block mirrors
/// the Thai one 0x80 higher, so Lao is folded onto Thai code points first and only the letters that are spelt
/// differently (ວ v, ຊ x, ສ s) keep a table of their own. Targets popular use, not RTGS: จ is "j" (Jaidee).
/// </summary>
internal static class TaiRomanizer
{
    public static bool IsThai(char c) => c is >= '\u0E00' and <= '\u0E7F';

    public static bool IsLao(char c) => c is >= '\u0E80' and <= '\u0EFF';

    // Lao letters with no Thai twin at the same offset, mapped to the Thai letter spelt the same way.
    private static char ToThai(char c) => c switch
    {
        '\u0EDC' => 'น', // ໜ (hno): the h only carries the tone
        '\u0EDD' => 'ม', // ໝ (hmo)
        '\u0EBB' => '\u0E47', // ົ (short o) borrows ็, which Vowel reads as "o"; ົວ is "ua" like ัว
        '\u0EBC' => 'ล', // subscript lo: a cluster l
        '\u0EBD' => 'ย', // subscript yo (ຽ) is the "ia" glide; read as ย after the vowel
        '\u0ECD' => 'อ', // ໍ is the vowel o, like Thai อ between consonants
        _ => IsLao(c) ? (char)(c - 0x80) : c,
    };

    private static bool IsConsonant(char c) => c is >= 'ก' and <= 'ฮ';

    private static bool IsLeading(char c) => c is >= 'เ' and <= 'ไ';

    private static bool IsTone(char c) => c is >= '\u0E48' and <= '\u0E4B';

    // Vowel marks written above, below or after the consonant.
    private static bool IsVowelMark(char c) => c is '\u0E30' or '\u0E31' or '\u0E32' or '\u0E33' or (>= '\u0E34' and <= '\u0E3A') or '\u0E47';

    private static string Initial(char c, bool lao) => c switch
    {
        'ก' => "k", 'ข' or 'ฃ' or 'ค' or 'ฅ' or 'ฆ' => "kh", 'ง' => "ng",
        'จ' => lao ? "ch" : "j", 'ฉ' or 'ช' or 'ฌ' => lao ? "x" : "ch", 'ซ' => "s",
        'ญ' => lao ? "ny" : "y",
        'ฎ' or 'ด' => "d", 'ฏ' or 'ต' => "t", 'ฐ' or 'ฑ' or 'ฒ' or 'ถ' or 'ท' or 'ธ' => "th",
        'ณ' or 'น' => "n", 'บ' => "b", 'ป' => "p", 'ผ' or 'พ' or 'ภ' => "ph", 'ฝ' or 'ฟ' => "f",
        'ม' => "m", 'ย' => "y", 'ร' => "r", 'ล' or 'ฬ' => "l", 'ว' => lao ? "v" : "w",
        'ศ' or 'ษ' or 'ส' => "s", 'ห' or 'ฮ' => "h", 'อ' => "",
        _ => "",
    };

    private static string Final(char c, bool lao) => c switch
    {
        'ญ' when lao => "i", // Lao ຍ closes like Thai ย
        'ก' or 'ข' or 'ค' or 'ฆ' => "k",
        'ง' => "ng",
        'ม' => "m",
        'ย' => "i",
        'ว' => "o", // ดาว Dao, ແກ້ວ Keo
        'บ' or 'ป' or 'พ' or 'ฟ' or 'ภ' => "p",
        'ญ' or 'ณ' or 'น' or 'ร' or 'ล' or 'ฬ' => "n",
        _ => "t", // จ ช ซ ด ต ถ ท ธ ศ ษ ส ฎ ฏ ฐ ฑ ฒ …
    };

    public static void Append(ReadOnlySpan<char> text, StringBuilder output)
    {
        var lao = false;
        var chars = new List<char>(text.Length);
        // NFKC splits the vowel am (ำ, ຳ) into nikhahit + aa; put it back together.
        var recomposed = text.ToString().Replace("\u0E4D\u0E32", "\u0E33", StringComparison.Ordinal)
            .Replace("\u0ECD\u0EB2", "\u0EB3", StringComparison.Ordinal);
        foreach (var c in recomposed)
        {
            lao |= IsLao(c);
            if (IsTone(ToThai(c)))
            {
                continue; // tone marks change the pitch, never the romanization
            }

            chars.Add(ToThai(c));
        }

        RemoveSilent(chars);
        var s = chars.ToArray();
        var i = 0;
        var previousClosed = false;
        while (i < s.Length)
        {
            var c = s[i];
            if (!IsConsonant(c) && !IsLeading(c))
            {
                if (c is >= '๐' and <= '๙')
                {
                    output.Append((char)('0' + (c - '๐')));
                }
                else if (!IsVowelMark(c))
                {
                    Space(output);
                }

                previousClosed = false;
                i++;
                continue;
            }

            i = Syllable(s, i, lao, ref previousClosed, output);
        }
    }

    // A consonant carrying ์ (Thai thanthakhat, Lao ໌), with the vowel written on it, is not pronounced:
    // สมศักดิ์ Somsak, ประยุทธ์ Prayut.
    private static void RemoveSilent(List<char> chars)
    {
        for (var i = chars.Count - 1; i >= 0; i--)
        {
            if (chars[i] != '\u0E4C')
            {
                continue;
            }

            var start = i - 1;
            if (start >= 0 && chars[start] is '\u0E34' or '\u0E38')
            {
                start--;
            }

            if (start >= 0 && IsConsonant(chars[start]))
            {
                chars.RemoveRange(start, i - start + 1);
                i = start;
            }
            else
            {
                chars.RemoveAt(i);
            }
        }
    }

    private static int Syllable(char[] s, int i, bool lao, ref bool previousClosed, StringBuilder output)
    {
        var lead = '\0';
        if (IsLeading(s[i]))
        {
            lead = s[i++];
        }

        if (i >= s.Length || !IsConsonant(s[i]))
        {
            Space(output);
            output.Append(lead is 'ใ' or 'ไ' ? "ai" : lead == 'โ' ? "o" : "e");
            previousClosed = false;
            return i;
        }

        var onset = s[i++];
        var onsetText = Initial(onset, lao);

        // ห before a sonorant only marks the tone (หญิง ying, ຫລ l); อ before ย likewise.
        if (onset is 'ห' or 'อ' && i < s.Length && s[i] is 'ง' or 'ญ' or 'น' or 'ม' or 'ย' or 'ร' or 'ล' or 'ว'
            && (onset == 'ห' || s[i] == 'ย'))
        {
            onset = s[i++];
            onsetText = Initial(onset, lao);
        }

        // Cluster: C + ร/ล/ว followed by a vowel mark, or inside a leading-vowel syllable (เปรม Prem).
        if (i < s.Length && s[i] is 'ร' or 'ล' or 'ว' && onset != 'อ'
            && ((i + 1 < s.Length && IsVowelMark(s[i + 1]))
                || (lead != '\0' && s[i] != 'ว' && i + 1 < s.Length && IsConsonant(s[i + 1]))))
        {
            onsetText += s[i] == 'ว' ? "w" : s[i] == 'ร' ? "r" : "l";
            i++;
        }

        var marks = new StringBuilder();
        while (i < s.Length && IsVowelMark(s[i]))
        {
            marks.Append(s[i++]);
        }

        var m = marks.ToString();
        string vowel;
        var takesFinal = true;
        switch (lead, m)
        {
            case ('\0', ""):
                vowel = "";
                break;
            case ('เ', "า"):
                vowel = "ao";
                takesFinal = false;
                if (i < s.Length && s[i] == 'ะ')
                {
                    i++;
                    vowel = "o";
                }

                break;
            case ('เ', "ี") or ('เ', "ื") when i < s.Length && s[i] is 'ย' or 'อ':
                vowel = s[i] == 'ย' ? "ia" : "uea";
                i++;
                break;
            case ('เ', "ิ"):
                vowel = "oe";
                break;
            case ('เ', _):
                vowel = "e";
                if (m.Length == 0 && i < s.Length && s[i] == 'อ' && (i + 1 >= s.Length || !IsVowelMark(s[i + 1])))
                {
                    vowel = "oe";
                    i++;
                }

                break;
            case ('แ', _):
                vowel = "ae";
                break;
            case ('โ', _):
                vowel = "o";
                break;
            case ('ใ', _) or ('ไ', _):
                vowel = "ai";
                takesFinal = false;
                break;
            default:
                vowel = Vowel(m);
                takesFinal = !m.EndsWith('ะ') && m != "ำ";
                break;
        }

        // ั + ว is "ua" (ตัว tua, ບົວ bua); ื + อ is "ue".
        if (m is "\u0E31" or "\u0E47" && i < s.Length && s[i] == 'ว' && (i + 1 >= s.Length || !IsVowelMark(s[i + 1])))
        {
            vowel = "ua";
            i++;
        }
        else if (m == "\u0E37" && i < s.Length && s[i] == 'อ')
        {
            i++;
        }

        // No written vowel: อ or ว between consonants is the vowel ("ทอง" thong, "สวน" suan).
        if (vowel.Length == 0 && lead == '\0' && i < s.Length && s[i] is 'อ' or 'ว'
            && (i + 1 >= s.Length || IsConsonant(s[i + 1]) && !(i + 2 < s.Length && IsVowelMark(s[i + 2]))))
        {
            vowel = s[i] == 'อ' ? "o" : "ua";
            i++;
        }

        var final = "";
        if (takesFinal && i < s.Length && IsConsonant(s[i]) && IsFinal(s, i, mustClose: m.Contains('\u0E31')))
        {
            final = Final(s[i], lao);
            i++;
        }

        if (vowel.Length == 0)
        {
            if (final.Length == 0 && previousClosed && (i >= s.Length || !IsConsonant(s[i]) && !IsLeading(s[i])))
            {
                // A lone letter ending a word after a closed syllable is a silent Sanskrit spelling (จันทร์ Chan).
                previousClosed = false;
                return i;
            }

            vowel = final.Length > 0 ? "o" : "a";
        }

        Space(output, word: false);
        output.Append(onsetText).Append(vowel).Append(final);
        previousClosed = final.Length > 0;
        return i;
    }

    // A consonant closes the syllable unless a vowel mark follows it (it is then the next onset) or it starts a
    // cluster with its own vowel.
    private static bool IsFinal(char[] s, int i, bool mustClose)
    {
        if (i + 1 >= s.Length)
        {
            return true;
        }

        var next = s[i + 1];
        if (IsVowelMark(next))
        {
            return false;
        }

        if (next == 'อ' && (i + 2 >= s.Length || !IsVowelMark(s[i + 2])))
        {
            return false; // C + อ: อ is this consonant's vowel
        }

        // C1 C2 ending the word: C1 opens the last syllable and C2 closes it (ศิริพร Siri-phon, มานพ Ma-nop),
        // unless this syllable's vowel (ั) cannot stand without a final (จันทร์ Chan).
        if (!mustClose && IsConsonant(next) && (i + 2 >= s.Length || !(IsVowelMark(s[i + 2]) || IsConsonant(s[i + 2]) || IsLeading(s[i + 2]))))
        {
            return false;
        }

        return true;
    }

    private static string Vowel(string marks) => marks switch
    {
        "ะ" or "า" or "ั" or "ัะ" => "a",
        "ำ" => "am",
        "ิ" or "ี" => "i",
        "ึ" or "ื" => "ue",
        "ุ" or "ู" => "u",
        "็" => "o",
        _ when marks.Contains('า') => "a",
        _ when marks.Contains('ุ') || marks.Contains('ู') => "u",
        _ when marks.Contains('ิ') || marks.Contains('ี') => "i",
        _ => "a",
    };

    private static void Space(StringBuilder output, bool word = true)
    {
        // Thai and Lao write a name as one word: syllables are joined, words (spaces in the input) are not.
        if (word && output.Length > 0 && output[^1] != ' ')
        {
            output.Append(' ');
        }
    }
}
