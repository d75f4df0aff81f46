using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Localization;

namespace ReferralNetwork.WebConsole;

/// <summary>
/// Dates and times as a person reads them: in their language's formats and calendar (Thai years are Buddhist era,
/// 2026 is 2569) and in their time zone (Myanmar is UTC+6:30). Instants are stored in UTC everywhere else; only
/// pages turn them into local text, through this.
/// </summary>
public sealed class PersonTime
{
    /// <summary>The OpenID Connect standard claim naming a person's time zone (an IANA name such as <c>Asia/Yangon</c>).</summary>
    public const string ZoneClaim = "zoneinfo";

    public PersonTime(CultureInfo culture, TimeZoneInfo zone)
    {
        var local = (CultureInfo)culture.Clone();
        if (ConsoleLanguages.Of(culture.Name)?.Code == "th")
        {
            // ICU gives Thai the Buddhist calendar today; said here so that it never depends on the ICU build.
            local.DateTimeFormat.Calendar = new ThaiBuddhistCalendar();
        }

        Culture = CultureInfo.ReadOnly(local);
        Zone = zone;
    }

    public CultureInfo Culture { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// The clock of the person making this request: the request's culture (set by request localization), and the time
    /// zone of their <c>zoneinfo</c> claim, else that of their language's country (UTC for English).
    /// </summary>
    public static PersonTime Of(HttpContext http)
    {
        var culture = http.Features.Get<IRequestCultureFeature>()?.RequestCulture.Culture ?? CultureInfo.CurrentCulture;
        var zone = ZoneNamed(http.User.FindFirstValue(ZoneClaim))
            ?? ZoneNamed((ConsoleLanguages.Of(culture.Name) ?? ConsoleLanguages.English).DefaultTimeZone)
            ?? TimeZoneInfo.Utc;
        return new PersonTime(culture, zone);
    }

    /// <summary>The day of <paramref name="instant"/> in the person's time zone, long form (no numeric day/month order to misread across borders).</summary>
    public string Date(DateTimeOffset instant) => Local(instant).ToString("D", Culture);

    /// <summary>A calendar date that belongs to no time zone (a date of birth), long form.</summary>
    public string Date(DateOnly date) => date.ToString("D", Culture);

    /// <summary>The time of day of <paramref name="instant"/> in the person's time zone, with the zone's offset: <c>13:35 (UTC+6:30)</c>.</summary>
    public string Time(DateTimeOffset instant)
    {
        var local = Local(instant);
        return $"{local.ToString("t", Culture)} ({OffsetOf(local.Offset)})";
    }

    public string DateAndTime(DateTimeOffset instant) => $"{Date(instant)} {Time(instant)}";

    /// <summary>
    /// A date the person typed, read in their calendar (<c>14/3/2545</c> in Thai is 14 March 2002); null when it is
    /// not a date. ISO dates (<c>2002-03-14</c>, what a date input sends) are always Gregorian.
    /// </summary>
    public DateOnly? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso))
        {
            return iso;
        }

        return DateOnly.TryParse(trimmed, Culture, DateTimeStyles.None, out var local) ? local : null;
    }

    /// <summary>
    /// A moment the person typed in their own time zone (what a <c>datetime-local</c> input sends: <c>2026-12-06T14:30</c>),
    /// as an instant; null when it is not one.
    /// </summary>
    public DateTimeOffset? ParseLocalTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)
            || !DateTime.TryParseExact(text.Trim(), ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified));
    }

    /// <summary>An instant as a <c>datetime-local</c> input shows it in the person's time zone.</summary>
    public string LocalInput(DateTimeOffset instant) => Local(instant).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    private DateTimeOffset Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    private static string OffsetOf(TimeSpan offset)
    {
        if (offset == TimeSpan.Zero)
        {
            return "UTC";
        }

        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var abs = offset.Duration();
        return abs.Minutes == 0
            ? string.Create(CultureInfo.InvariantCulture, $"UTC{sign}{abs.Hours}")
            : string.Create(CultureInfo.InvariantCulture, $"UTC{sign}{abs.Hours}:{abs.Minutes:00}");
    }

    private static TimeZoneInfo? ZoneNamed(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
}
