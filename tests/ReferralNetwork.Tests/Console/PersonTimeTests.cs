using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Tests.Console;

public sealed class PersonTimeTests
{
    // 07:05 UTC on 2 December 2026: already 13:35 in Yangon, 14:05 in Bangkok and Hanoi.
    private static readonly DateTimeOffset Instant = new(2026, 12, 2, 7, 5, 0, TimeSpan.Zero);

    [Fact]
    public void Thai_dates_are_in_the_buddhist_era_and_times_in_bangkok()
    {
        var time = new PersonTime(CultureInfo.GetCultureInfo("th"), Zone("Asia/Bangkok"));

        Assert.Contains("2569", time.Date(Instant), StringComparison.Ordinal);
        Assert.Contains("ธันวาคม", time.Date(Instant), StringComparison.Ordinal);
        Assert.Equal("14:05 (UTC+7)", time.Time(Instant));
    }

    [Fact]
    public void Myanmar_time_is_six_and_a_half_hours_ahead_of_utc()
    {
        var time = new PersonTime(CultureInfo.GetCultureInfo("my"), Zone("Asia/Yangon"));

        Assert.Equal("13:35 (UTC+6:30)", time.Time(Instant));
    }

    [Fact]
    public void The_day_is_the_day_in_the_persons_time_zone()
    {
        var lateEvening = new DateTimeOffset(2026, 12, 2, 20, 0, 0, TimeSpan.Zero); // already 3 December in Hanoi

        var hanoi = new PersonTime(CultureInfo.GetCultureInfo("vi"), Zone("Asia/Ho_Chi_Minh"));
        var utc = new PersonTime(CultureInfo.GetCultureInfo("en"), TimeZoneInfo.Utc);

        Assert.Contains("3 tháng 12", hanoi.Date(lateEvening), StringComparison.Ordinal);
        Assert.Equal("Wednesday, December 2, 2026", utc.Date(lateEvening));
        Assert.Equal("8:00\u202FPM (UTC)", utc.Time(lateEvening)); // ICU puts a narrow no-break space before PM
    }

    [Fact]
    public void A_date_typed_in_the_thai_calendar_is_the_gregorian_date_it_means()
    {
        var thai = new PersonTime(CultureInfo.GetCultureInfo("th"), Zone("Asia/Bangkok"));
        var english = new PersonTime(CultureInfo.GetCultureInfo("en"), TimeZoneInfo.Utc);

        Assert.Equal(new DateOnly(2002, 3, 14), thai.ParseDate("14/3/2545"));
        Assert.Equal(new DateOnly(2002, 3, 14), thai.ParseDate("2002-03-14")); // what a date input sends
        Assert.Equal(new DateOnly(2002, 3, 14), english.ParseDate("3/14/2002"));
        Assert.Null(thai.ParseDate("31/2/2545"));
        Assert.Null(thai.ParseDate(" "));
        Assert.Contains("2545", thai.Date(new DateOnly(2002, 3, 14)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_person_without_a_time_zone_gets_their_languages_and_one_with_a_zoneinfo_claim_gets_it()
    {
        var khmer = PersonTime.Of(Request("km"));
        var englishInYangon = PersonTime.Of(Request("en", new Claim(PersonTime.ZoneClaim, "Asia/Yangon")));
        var unknownZone = PersonTime.Of(Request("lo", new Claim(PersonTime.ZoneClaim, "Mars/Olympus_Mons")));

        Assert.Equal("km", khmer.Culture.Name);
        Assert.Equal(TimeSpan.FromHours(7), khmer.Zone.GetUtcOffset(Instant));
        Assert.Equal(new TimeSpan(6, 30, 0), englishInYangon.Zone.GetUtcOffset(Instant));
        Assert.Equal(TimeSpan.FromHours(7), unknownZone.Zone.GetUtcOffset(Instant)); // Vientiane, the language's
    }

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static DefaultHttpContext Request(string culture, params Claim[] claims)
    {
        var http = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity(claims, claims.Length > 0 ? "test" : null)) };
        http.Features.Set<IRequestCultureFeature>(new RequestCultureFeature(new RequestCulture(culture), provider: null));
        return http;
    }
}
