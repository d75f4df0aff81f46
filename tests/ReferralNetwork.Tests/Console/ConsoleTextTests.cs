using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Tests.Console;

/// <summary>Every string of the console exists in every language, and every string a page asks for exists.</summary>
public sealed partial class ConsoleTextTests
{
    private static readonly string Folder = Repository.PathOf("src", "ReferralNetwork", "Console", "Resources");

    /// <summary>Every class of strings in Console/Resources (its neutral file X.Y.resx), with every language but English.</summary>
    public static TheoryData<string, string> Translations
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var text in Directory.EnumerateFiles(Folder, "*.resx").Select(Path.GetFileNameWithoutExtension).Where(n => n!.Count(c => c == '.') == 1))
            {
                foreach (var language in ConsoleLanguages.All.Where(l => l != ConsoleLanguages.English))
                {
                    data.Add(text!, language.Code);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Every_language_has_every_key_of_the_english_text_and_no_other(string text, string language)
    {
        var english = Strings(text, CultureInfo.InvariantCulture);
        var translated = Strings(text, CultureInfo.GetCultureInfo(language));

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), translated.Keys.Order(StringComparer.Ordinal));
        Assert.All(translated, t => Assert.False(string.IsNullOrWhiteSpace(t.Value), $"{text}.{language}: {t.Key} is empty"));
        Assert.All(translated, t => Assert.True(t.Value != english[t.Key], $"{text}.{language}: {t.Key} is still the English text"));
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Every_translation_says_whether_a_native_speaker_reviewed_it(string text, string language)
    {
        var file = File.ReadAllText(Path.Combine(Folder, $"{text}.{language}.resx"));

        Assert.Matches(@"^(\uFEFF)?<\?xml[^>]*>\s*<!--[^>]*(NOT YET REVIEWED BY A NATIVE SPEAKER|not by native speakers|Reviewed by )", file);
    }

    [Fact]
    public void Every_key_a_page_uses_exists()
    {
        var english = Strings("WebConsole.ConsoleText", CultureInfo.InvariantCulture);
        // Pages that inject a localizer of their own (the sign-in pages' SignInText) are checked by their own tests.
        var pages = Directory.EnumerateFiles(Repository.PathOf("src", "ReferralNetwork", "Console"), "*.cshtml", SearchOption.AllDirectories)
            .Where(page => !File.ReadAllText(page).Contains("@inject IStringLocalizer<", StringComparison.Ordinal)).ToList();

        var used = pages.SelectMany(page => KeyUse().Matches(File.ReadAllText(page)).Select(m => (Page: Path.GetFileName(page), Key: m.Groups["key"].Value))).ToList();

        Assert.NotEmpty(used);
        Assert.All(used, use => Assert.True(english.ContainsKey(use.Key), $"{use.Page} uses T[\"{use.Key}\"], which WebConsole.ConsoleText.resx lacks"));
    }

    [Fact]
    public void Every_refusal_code_of_the_workflow_has_its_text()
    {
        var english = Strings("WebConsole.ConsoleText", CultureInfo.InvariantCulture);

        Assert.NotEmpty(RefusalCode.All);
        Assert.All(RefusalCode.All, code => Assert.True(english.ContainsKey($"Refusal.{code}"), $"Refusal.{code} is missing"));
    }

    /// <summary>Every value of the workflow a page shows, by the key the console looks it up with (<see cref="Labels"/>).</summary>
    public static TheoryData<Type> ShownValues =>
    [
        typeof(Stage), typeof(Sex), typeof(AgeBand), typeof(OrganizationKind), typeof(ServiceKind), typeof(ExploitationForm),
        typeof(ScreeningOutcome), typeof(ConsentPurpose), typeof(ConsentMethod), typeof(HandoffKind), typeof(HandoffStatus),
        typeof(NationalityOutcome), typeof(TravelDocument), typeof(ReturnSide), typeof(ServiceStatus), typeof(ClosureReason),
        typeof(AccessPurpose), typeof(DocumentKind), typeof(WebhookStatus), typeof(WebhookDisabledReason), typeof(WebhookDeliveryStatus), typeof(WebhookAttemptOutcome),
        typeof(GroupMemberStatus), typeof(GroupOperationKind), typeof(HandoverOutcome),
    ];

    [Theory]
    [MemberData(nameof(ShownValues))]
    public void Every_value_a_page_shows_has_its_words(Type values)
    {
        var english = Strings("WebConsole.ConsoleText", CultureInfo.InvariantCulture);
        var api = typeof(Labels).GetMethod(nameof(Labels.Api))!.MakeGenericMethod(values);

        Assert.All(Enum.GetValues(values).Cast<object>(), value =>
        {
            var key = $"{values.Name}.{api.Invoke(null, [value])}";
            Assert.True(english.ContainsKey(key), $"{key} is missing");
        });
    }

    [Fact]
    public void Every_event_of_the_history_has_its_words()
    {
        var english = Strings("WebConsole.ConsoleText", CultureInfo.InvariantCulture);
        var events = typeof(IReferralEvent).Assembly.GetTypes().Where(t => t.IsClass && typeof(IReferralEvent).IsAssignableFrom(t)).ToList();

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.True(english.ContainsKey($"Event.{e.Name}"), $"Event.{e.Name} is missing"));
    }

    [Fact]
    public void Every_language_is_named_in_its_own_script_as_the_platform_knows_it()
    {
        Assert.Equal(["en", "vi", "km", "lo", "my", "th"], ConsoleLanguages.All.Select(l => l.Code));
        Assert.All(ConsoleLanguages.All, l => Assert.Equal(l.Culture.NativeName, l.NativeName));
    }

    /// <summary>The strings of one class in one language, as the localizer finds them (ResourcesPath Console/Resources).</summary>
    private static Dictionary<string, string> Strings(string text, CultureInfo culture)
    {
        var resources = new ResourceManager($"ReferralNetwork.Console.Resources.{text}", typeof(ConsoleText).Assembly);
        var set = resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No {text} resources for '{culture.Name}'.");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
    }

    [GeneratedRegex("T\\[\"(?<key>[^\"]+)\"\\]")]
    private static partial Regex KeyUse();
}
