using System.Globalization;
using System.Resources;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.EndToEnd.Browser;

/// <summary>The console's words in one language, as its resources hold them: what a page is expected to say.</summary>
public sealed class ConsoleWords(string language)
{
    private static readonly ResourceManager Resources = new("ReferralNetwork.Console.Resources.WebConsole.ConsoleText", typeof(ConsoleText).Assembly);

    public string Of(string key) => Resources.GetString(key, CultureInfo.GetCultureInfo(language)) ?? throw new InvalidOperationException($"No {key}");
}
