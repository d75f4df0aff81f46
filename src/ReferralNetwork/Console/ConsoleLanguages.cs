using System.Globalization;

namespace ReferralNetwork.WebConsole;

/// <summary>A language of the console: its code (a neutral culture), its name in its own script, where it is mostly read.</summary>
/// <param name="DefaultTimeZone">The IANA zone of the country whose language it is: the time zone of a person who has not chosen one.</param>
public sealed record ConsoleLanguage(string Code, string NativeName, string DefaultTimeZone)
{
    public CultureInfo Culture => CultureInfo.GetCultureInfo(Code);
}

/// <summary>The six languages of the console (DESIGN §7), in the order the chooser shows them.</summary>
public static class ConsoleLanguages
{
    public static readonly ConsoleLanguage English = new("en", "English", "UTC");

    public static IReadOnlyList<ConsoleLanguage> All { get; } =
    [
        English,
        new("vi", "Tiếng Việt", "Asia/Ho_Chi_Minh"),
        new("km", "ខ្មែរ", "Asia/Phnom_Penh"),
        new("lo", "ລາວ", "Asia/Vientiane"),
        new("my", "မြန်မာ", "Asia/Yangon"),
        new("th", "ไทย", "Asia/Bangkok"),
    ];

    /// <summary>The console language of a culture (<c>th-TH</c> is Thai), or null when the console does not speak it.</summary>
    public static ConsoleLanguage? Of(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        var neutral = code.Split('-', 2)[0];
        return All.FirstOrDefault(l => string.Equals(l.Code, neutral, StringComparison.OrdinalIgnoreCase));
    }
}
