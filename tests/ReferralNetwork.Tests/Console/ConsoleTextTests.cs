using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Tests.Console;

/// <summary>Every string of the console exists in every language, and every string a page asks for exists.</summary>
public sealed partial class ConsoleTextTests
{
    private static readonly ResourceManager Resources = new(typeof(ConsoleText).FullName!, typeof(ConsoleText).Assembly);

    public static TheoryData<string> Translations => [.. ConsoleLanguages.All.Where(l => l != ConsoleLanguages.English).Select(l => l.Code)];

    [Theory]
    [MemberData(nameof(Translations))]
    public void Every_language_has_every_key_of_the_english_text_and_no_other(string language)
    {
        var english = Strings(CultureInfo.InvariantCulture);
        var translated = Strings(CultureInfo.GetCultureInfo(language));

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), translated.Keys.Order(StringComparer.Ordinal));
        Assert.All(translated, t => Assert.False(string.IsNullOrWhiteSpace(t.Value), $"{language}: {t.Key} is empty"));
        Assert.All(translated, t => Assert.True(t.Value != english[t.Key] || t.Key == "Platform.Name" && language == "en", $"{language}: {t.Key} is still the English text"));
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Every_translation_says_whether_a_native_speaker_reviewed_it(string language)
    {
        var file = File.ReadAllText(Repository.PathOf("src", "ReferralNetwork", "Console", "Resources", $"ConsoleText.{language}.resx"));

        Assert.Matches(@"^<\?xml[^>]*>\s*<!--[^>]*(NOT YET REVIEWED BY A NATIVE SPEAKER|Reviewed by )", file);
    }

    [Fact]
    public void Every_key_a_page_uses_exists()
    {
        var english = Strings(CultureInfo.InvariantCulture);
        var pages = Directory.EnumerateFiles(Repository.PathOf("src", "ReferralNetwork", "Console"), "*.cshtml", SearchOption.AllDirectories).ToList();

        var used = pages.SelectMany(page => KeyUse().Matches(File.ReadAllText(page)).Select(m => (Page: Path.GetFileName(page), Key: m.Groups["key"].Value))).ToList();

        Assert.NotEmpty(used);
        Assert.All(used, use => Assert.True(english.ContainsKey(use.Key), $"{use.Page} uses T[\"{use.Key}\"], which ConsoleText.resx lacks"));
    }

    [Fact]
    public void Every_language_is_named_in_its_own_script_as_the_platform_knows_it()
    {
        Assert.Equal(["en", "vi", "km", "lo", "my", "th"], ConsoleLanguages.All.Select(l => l.Code));
        Assert.All(ConsoleLanguages.All, l => Assert.Equal(l.Culture.NativeName, l.NativeName));
    }

    private static Dictionary<string, string> Strings(CultureInfo culture)
    {
        var set = Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No ConsoleText resources for '{culture.Name}'.");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
    }

    [GeneratedRegex("T\\[\"(?<key>[^\"]+)\"\\]")]
    private static partial Regex KeyUse();
}
