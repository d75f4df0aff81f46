using System.Globalization;
using Microsoft.AspNetCore.Localization;

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

    /// <summary>How long the browser remembers a language chosen or set from the person's profile.</summary>
    public static readonly TimeSpan Remembered = TimeSpan.FromDays(365);

    /// <summary>Makes <paramref name="language"/> the console's language in this browser (the culture cookie request localization reads).</summary>
    public static void Remember(HttpContext http, ConsoleLanguage language) => http.Response.Cookies.Append(
        CookieRequestCultureProvider.DefaultCookieName,
        CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language.Code)),
        new CookieOptions
        {
            MaxAge = Remembered,
            Path = "/",
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
        });
}
