using System.Globalization;
using System.Text;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>Which part of a name a value is: titles that double as name parts are only removed from given names.</summary>
public enum NameField
{
    Given,
    Family,
}

/// <summary>
/// Brings a name as recorded in any of the region's scripts to lower-case ASCII words, so that "NGUYỄN Thị  Lan",
/// "Nguyen Thi Lan" and "nguyen thi lan" are one string and "ស៊ុខា" reads "sokha" like the passport does:
/// NFKC; Vietnamese (and any Latin) diacritics dropped and đ → d; Khmer, Thai, Lao and Burmese romanized by
/// the name-oriented rules of <see cref="KhmerRomanizer"/>, <see cref="TaiRomanizer"/> and
/// <see cref="BurmeseRomanizer"/>; any other script by AnyAscii; titles and placeholders removed; punctuation
/// and runs of spaces collapsed to one space. <see cref="Fold"/> then merges spellings that romanizations
/// disagree on (ph/f, ou/u, y/i…); the encoder uses both steps.
/// </summary>
public static class NameNormalizer
{
    // Titles in every script that are never a name part: removed wherever they stand as a word.
    private static readonly HashSet<string> Titles = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "mister", "madam", "madame", "mme", "mlle", "sir", "mstr",
    };

    // Titles that are also name parts (Burmese "Maung Maung", "Ma Ma", "Ko Ko"; Lao and Shan "Nang"): only
    // removed as the first word of a given name, and only when a word is left. Native-script forms are removed
    // before romanization (see NativeTitles); these catch the romanized ones.
    private static readonly HashSet<string> LeadingTitles = new(StringComparer.Ordinal)
    {
        "u", "daw", "maung", "mg", "ma", "ko", "saw", "naw", "nang", "thao", "nai", "nangsao", "lok", "loksrei",
    };

    // Native-script titles, longest first so that นางสาว is not read as นาง + สาว. Thai writes them joined to the
    // name (นายสมชาย), the others as a separate word.
    private static readonly string[] ThaiJoinedTitles = ["นางสาว", "เด็กหญิง", "เด็กชาย", "น.ส.", "ด.ญ.", "ด.ช.", "นาง", "นาย"];

    private static readonly string[] NativeTitles =
    [
        "លោកស្រី", "អ្នកស្រី", "អ្នកនាង", "លោក", // Khmer: Madam, Mrs, Ms, Mr
        "ທ້າວ", "ນາງ", "ທ.", "ນ.", // Lao: Mr, Ms (and their abbreviations)
        "ဦး", "ဒေါ်", "မောင်", "ကို", "မ", "စော", "နော်", "နန်း", // Burmese, Karen, Shan
    ];

    // កញ្ញា (Miss) is also the given name Kanha: only a title when more words follow, like the Burmese ones.
    private static readonly string[] NativeTitlesBeforeMore = ["កញ្ញា"];

    private static readonly HashSet<string> Placeholders = new(StringComparer.Ordinal)
    {
        "unknown", "unk", "n/a", "n.a.", "na", "-", "--", "---", "x", "xx", "xxx", "?", "??", "none", "nil", "null",
        "fnu", "lnu", "nfn", "nln", "not known", "no name", "noname", "khong ro", "không rõ", "chưa rõ",
        "ไม่ทราบ", "ไม่ระบุ", "មិនស្គាល់", "ບໍ່ຮູ້", "မသိ",
    };

    private static readonly HashSet<string> PlaceholderWords = new(StringComparer.Ordinal) { "x", "xx", "xxx", "unknown", "unk", "fnu", "lnu" };

    /// <summary>The name as lower-case ASCII words separated by single spaces; "" when nothing is left.</summary>
    public static string Normalize(string? name, NameField field = NameField.Given)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "";
        }

        var text = name.Normalize(NormalizationForm.FormKC).Trim();
        if (IsPlaceholder(text))
        {
            return "";
        }

        if (field == NameField.Given)
        {
            text = StripNativeTitles(text);
        }

        var words = Romanize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        words.RemoveAll(w => Titles.Contains(w) || PlaceholderWords.Contains(w));
        if (field == NameField.Given)
        {
            while (words.Count > 1 && LeadingTitles.Contains(words[0]))
            {
                words.RemoveAt(0);
            }
        }

        return string.Join(' ', words);
    }

    /// <summary>
    /// Any script to lower-case ASCII letters, digits and single spaces. No title or placeholder handling:
    /// that is <see cref="Normalize"/>.
    /// </summary>
    public static string Romanize(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormKC);
        var output = new StringBuilder(decomposed.Length * 2);
        var i = 0;
        while (i < decomposed.Length)
        {
            var c = decomposed[i];
            Func<char, bool>? script = KhmerRomanizer.IsKhmer(c) ? KhmerRomanizer.IsKhmer
                : TaiRomanizer.IsThai(c) || TaiRomanizer.IsLao(c) ? ch => TaiRomanizer.IsThai(ch) || TaiRomanizer.IsLao(ch)
                : BurmeseRomanizer.IsBurmese(c) ? BurmeseRomanizer.IsBurmese
                : null;
            if (script is null)
            {
                AppendOther(decomposed, ref i, output);
                continue;
            }

            var start = i;
            while (i < decomposed.Length && script(decomposed[i]))
            {
                i++;
            }

            var run = decomposed.AsSpan(start, i - start);
            if (KhmerRomanizer.IsKhmer(c))
            {
                KhmerRomanizer.Append(run, output);
            }
            else if (BurmeseRomanizer.IsBurmese(c))
            {
                BurmeseRomanizer.Append(run, output);
            }
            else
            {
                TaiRomanizer.Append(run, output);
            }
        }

        return Collapse(output);
    }

    /// <summary>
    /// Merges spellings that the region's romanizations disagree on, word by word, so that the encoder counts
    /// them as one: ph → f (Phuong/Fuong), ou/oo → u (Touch/Tuch, Boonmee), ee and y → i (Sreymom/Sreimom,
    /// Maly/Mali), v → w (Vong/Wong), x → s (Xay/Sai), j → ch (Jaidee/Chaidi), ae → e (Saeng/Seng), oe → o
    /// (Soe/So), ht → t (Htun/Tun), hs → s (Hsu/Su), ck → k, rn → n (Siriporn/Siriphon), a final h or the r of
    /// a final "ar" dropped (Chanh/Chan, Sokhar/Sokha), then doubled letters made single (Rattana/Ratana).
    /// Measured in docs/matching.md.
    /// </summary>
    public static string Fold(string normalized)
    {
        if (normalized.Length == 0)
        {
            return normalized;
        }

        var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var w = 0; w < words.Length; w++)
        {
            words[w] = FoldWord(words[w]);
        }

        return string.Join(' ', words);
    }

    private static string FoldWord(string word)
    {
        var s = new StringBuilder(word);
        s.Replace("ph", "f").Replace("ck", "k").Replace("ht", "t").Replace("hs", "s").Replace("rn", "n")
            .Replace("ou", "u").Replace("oo", "u").Replace("ee", "i").Replace("oe", "o").Replace("ae", "e")
            .Replace('y', 'i').Replace('v', 'w').Replace('x', 's').Replace("j", "ch");
        if (s.Length > 2 && s[^1] == 'h' && s[^2] is 'a' or 'e' or 'i' or 'o' or 'u' or 'n')
        {
            s.Length--;
        }

        if (s.Length > 3 && s[^1] == 'r' && s[^2] == 'a')
        {
            s.Length--;
        }

        var folded = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (i == 0 || s[i] != s[i - 1])
            {
                folded.Append(s[i]);
            }
        }

        return folded.ToString();
    }

    private static bool IsPlaceholder(string text)
    {
        var lowered = text.ToLowerInvariant();
        return Placeholders.Contains(lowered) || lowered.All(c => !char.IsLetterOrDigit(c));
    }

    private static string StripNativeTitles(string text)
    {
        foreach (var title in ThaiJoinedTitles)
        {
            if (text.StartsWith(title, StringComparison.Ordinal) && text.Length > title.Length)
            {
                text = text[title.Length..].TrimStart();
                break;
            }
        }

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        var removed = true;
        while (removed && words.Count > 1)
        {
            removed = false;
            if (NativeTitles.Contains(words[0]) || NativeTitlesBeforeMore.Contains(words[0]))
            {
                words.RemoveAt(0);
                removed = true;
            }
        }

        // Burmese writes titles joined to the name too (ဦးအောင်ကျော်); its romanizer splits syllables, so the
        // romanized leading-title rule in Normalize catches those.
        return string.Join(' ', words);
    }

    private static void AppendOther(string text, ref int i, StringBuilder output)
    {
        var c = text[i];
        if (char.IsSurrogate(c) && i + 1 < text.Length)
        {
            output.Append(' ').Append(AnyAscii.Transliteration.Transliterate(text.Substring(i, 2))).Append(' ');
            i += 2;
            return;
        }

        i++;
        if (c is 'đ' or 'Đ' or 'ð' or 'Ð')
        {
            output.Append('d');
            return;
        }

        if (c < 128)
        {
            output.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ');
            return;
        }

        // Latin with diacritics (Vietnamese tone and vowel marks): decompose and keep the base letters.
        var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
        var latin = decomposed.Length > 0 && decomposed[0] < 128;
        if (latin)
        {
            foreach (var d in decomposed)
            {
                if (CharUnicodeInfo.GetUnicodeCategory(d) != UnicodeCategory.NonSpacingMark)
                {
                    output.Append(char.IsLetterOrDigit(d) ? char.ToLowerInvariant(d) : ' ');
                }
            }

            return;
        }

        if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.Format)
        {
            return; // combining marks left over after NFKC, zero-width joiners
        }

        var ascii = AnyAscii.Transliteration.Transliterate(c.ToString());
        foreach (var a in ascii)
        {
            output.Append(char.IsLetterOrDigit(a) ? char.ToLowerInvariant(a) : ' ');
        }

        // Ideographs come out as one syllable each ("Wang Xiao Ming"): keep them apart.
        if (char.IsLetter(c) && ascii.Length > 1)
        {
            output.Append(' ');
        }
    }

    private static string Collapse(StringBuilder output)
    {
        var result = new StringBuilder(output.Length);
        foreach (var ch in output.ToString())
        {
            var c = char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : ' ';
            if (c == ' ' && (result.Length == 0 || result[^1] == ' '))
            {
                continue;
            }

            result.Append(c);
        }

        return result.ToString().TrimEnd();
    }
}
