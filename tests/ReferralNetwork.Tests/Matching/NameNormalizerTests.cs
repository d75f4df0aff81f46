using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.Tests.Matching;

public sealed class NameNormalizerTests
{
    [Theory]
    [InlineData("  NGUYỄN  Thị   Lan ", "nguyen thi lan")]
    [InlineData("Đặng Văn Đức", "dang van duc")]
    [InlineData("Trần-Thị.Hương", "tran thi huong")]
    [InlineData("Nguyễn", "nguyen")] // precomposed
    [InlineData("Nguye\u0302\u0303n", "nguyen")] // combining marks
    [InlineData("Ｎｇｕｙｅｎ", "nguyen")] // full-width letters, folded by NFKC
    public void Vietnamese_and_latin_names_lose_case_diacritics_and_punctuation(string input, string expected) =>
        Assert.Equal(expected, NameNormalizer.Normalize(input));

    [Theory]
    [InlineData("Mr John Smith", "john smith")]
    [InlineData("Mrs. Lan", "lan")]
    [InlineData("Dr Sokha", "sokha")]
    [InlineData("Miss Chantha", "chantha")]
    [InlineData("นายสมชาย", "somchai")] // Thai writes the title joined to the name
    [InlineData("นางสาวสมศรี", "somsri")] // นางสาว, not นาง + สาว…
    [InlineData("លោកស្រី សុខា", "sokha")]
    [InlineData("លោក ដារ៉ា", "dara")]
    [InlineData("ဦး အောင်ကျော်", "aung kyaw")]
    [InlineData("Daw Khin Myint", "khin myint")]
    [InlineData("Maung Aung Kyaw", "aung kyaw")]
    public void Titles_are_removed(string input, string expected) => Assert.Equal(expected, NameNormalizer.Normalize(input));

    [Fact]
    public void Titles_that_are_also_names_stay_when_nothing_else_is_left_or_in_the_family_name()
    {
        Assert.Equal("maung", NameNormalizer.Normalize("Maung")); // a one-word Burmese name
        Assert.Equal("ma", NameNormalizer.Normalize("Ma", NameField.Family)); // the Vietnamese family name Mã
        Assert.StartsWith("kanh", NameNormalizer.Normalize("កញ្ញា")); // Miss, and the given name Kanha
        Assert.Equal("sokha", NameNormalizer.Normalize("កញ្ញា សុខា"));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("UNKNOWN")]
    [InlineData("N/A")]
    [InlineData("-")]
    [InlineData("x")]
    [InlineData("  ")]
    [InlineData("?")]
    [InlineData("ไม่ทราบ")]
    [InlineData(null)]
    public void Placeholders_are_empty(string? input) => Assert.Equal("", NameNormalizer.Normalize(input));

    [Theory]
    [InlineData("សុខា", "sokha")]
    [InlineData("ស៊ុខា", "sukha")] // ៊ puts ស in the second series, where ុ is "u"
    [InlineData("សុភាព", "sopheap")] // the second-series vowel "ea"
    [InlineData("ចាន់", "chan")]
    [InlineData("ស្រីមុំ", "sreimom")]
    [InlineData("ហ៊ុន", "hun")] // ៊ switches ហ to the second series
    [InlineData("အောင်ကျော်မိုး", "aung kyaw mo")]
    [InlineData("ထွန်း", "htun")]
    [InlineData("လှိုင်", "hlaing")]
    [InlineData("สมชาย", "somchai")]
    [InlineData("ใจดี", "jaidi")]
    [InlineData("สมศักดิ์", "somsak")] // the silent ดิ์
    [InlineData("ศิริพร", "siriphon")]
    [InlineData("ສົມສັກ", "somsak")]
    [InlineData("ພອນ", "phon")]
    [InlineData("ຄຳ", "kham")]
    public void Khmer_Burmese_Thai_and_Lao_are_romanized_as_names_are_spelt(string input, string expected) =>
        Assert.Equal(expected, NameNormalizer.Romanize(input));

    [Fact]
    public void Other_scripts_fall_back_to_transliteration() =>
        Assert.Equal("wang xiao ming", NameNormalizer.Normalize("王小明"));

    [Theory]
    [InlineData("Phuong", "Fuong")]
    [InlineData("Sreymom", "Sreimom")]
    [InlineData("Chanh", "Chan")]
    [InlineData("Rattana", "Ratana")]
    [InlineData("Touch", "Tuch")]
    [InlineData("Boonmee", "Bunmi")]
    [InlineData("Sokhar", "Sokha")]
    [InlineData("Htun", "Tun")]
    [InlineData("Xay", "Sai")]
    [InlineData("Somsack", "Somsak")]
    [InlineData("Jaidee", "Chaidi")]
    public void Folding_merges_romanization_variants(string a, string b) =>
        Assert.Equal(NameNormalizer.Fold(NameNormalizer.Normalize(a)), NameNormalizer.Fold(NameNormalizer.Normalize(b)));

    [Fact]
    public void Folding_keeps_different_names_apart()
    {
        string F(string s) => NameNormalizer.Fold(NameNormalizer.Normalize(s));
        Assert.NotEqual(F("Lan"), F("Linh"));
        Assert.NotEqual(F("Sokha"), F("Sophal"));
        Assert.NotEqual(F("Hung"), F("Hang"));
    }
}
