using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Matching;
using ReferralNetwork.Tests.Support;
using static ReferralNetwork.Tests.Matching.MatchingApiTests;

namespace ReferralNetwork.Tests.Console;

/// <summary>
/// The focal points' page of possible matches below the browser: the state of each side, Confirm and Dismiss through the
/// same board as the API, nothing of the other referral before both confirm, the re-identification flag, refusals in the
/// person's language, and the page refused to everyone but a national focal point. A platform of its own (the matching
/// tests' fixture): the shared platform's many identical test referrals would all be matches of each other.
/// </summary>
public sealed class ConsoleMatchTests(MatchingPlatform platform) : IClassFixture<MatchingPlatform>
{
    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task A_focal_point_confirms_on_the_page_and_sees_the_other_referral_only_once_both_have()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        using var cambodia = await Platform.ClientForAsync("kh-focal-point");
        var inThailand = await ReferralRequests.CreateAsync(thailand, Woman("Sreyleak", "Touch", new DateOnly(2002, 1, 9), "TH"));
        var inCambodia = await ReferralRequests.CreateAsync(cambodia, Woman("Sreyleak", "Touch", new DateOnly(2002, 1, 9), "KH"));
        var match = await MatchOfAsync(thailand, inThailand.Id);

        var (session, home) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var _ = session;
        var page = await session.GetAsync("/console/matches");

        Assert.Contains("href=\"/console/matches\"", home.Html, StringComparison.Ordinal);
        var card = Card(page, match);
        Assert.Contains("Possible match with a referral in Cambodia", card, StringComparison.Ordinal);
        Assert.Contains("data-field=\"match-state\">Awaiting your answer<", card, StringComparison.Ordinal);
        Assert.Contains($"href=\"/console/referrals/{inThailand.Id}\"", card, StringComparison.Ordinal);
        Assert.Contains("data-audit=\"found\"", card, StringComparison.Ordinal);
        Assert.DoesNotContain(inCambodia.Id.ToString(), page.Html, StringComparison.OrdinalIgnoreCase);

        var confirmed = await session.SubmitAsync(page, "handler=Confirm", new Dictionary<string, string> { ["match"] = match.Id.ToString() });

        Assert.Equal(HttpStatusCode.OK, confirmed.Status);
        Assert.Equal("/console/matches", confirmed.Url.AbsolutePath); // a GET after the POST: reloading sends nothing again
        Assert.Contains("You confirmed the match.", confirmed.Html, StringComparison.Ordinal);
        Assert.Contains("data-field=\"match-state\">You confirmed; awaiting the other country<", Card(confirmed, match), StringComparison.Ordinal);
        Assert.Contains("data-audit=\"confirmed\"", Card(confirmed, match), StringComparison.Ordinal);
        Assert.DoesNotContain(inCambodia.Id.ToString(), confirmed.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(MatchStatus.ConfirmedByYou, (await MatchOfAsync(thailand, inThailand.Id)).Status); // the API's command, the API's state

        using var answered = await PartnerApi.PostAsync(cambodia, $"/api/v1/matches/{match.Id}/confirm", null);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var linked = await session.GetAsync("/console/matches");

        Assert.Contains("data-field=\"match-state\">Confirmed by both: the referrals are linked<", Card(linked, match), StringComparison.Ordinal);
        Assert.Contains($"href=\"/console/referrals/{inCambodia.Id}\"", Card(linked, match), StringComparison.Ordinal);
        Assert.DoesNotContain("data-flag=\"re-identification\"", Card(linked, match), StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Confirm", Card(linked, match), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync($"/console/referrals/{inCambodia.Id}")).Status);
    }

    [Fact]
    public async Task A_match_with_a_returned_or_closed_case_is_flagged_to_both_focal_points_as_a_re_identification()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        using var cambodia = await Platform.ClientForAsync("kh-focal-point");
        var earlier = await ReferralRequests.CreateAsync(cambodia, Woman("Sophea", "Lim", new DateOnly(1998, 12, 1), "KH"));
        await PartnerApi.ChangeAsync(cambodia, $"/api/v1/referrals/{earlier.Id}/close", new CloseRequest(ClosureReason.LostContact), earlier.Version);
        await Eventually.Until(() => StageAsync(earlier.Id), stage => stage == Stage.Closed);
        var again = await ReferralRequests.CreateAsync(thailand, Woman("Sophea", "Lim", new DateOnly(1998, 12, 1), "TH"));
        var match = await MatchOfAsync(thailand, again.Id);
        using var first = await PartnerApi.PostAsync(cambodia, $"/api/v1/matches/{match.Id}/confirm", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var (thai, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = thai;
        var before = await thai.GetAsync("/console/matches");
        Assert.DoesNotContain("data-flag=\"re-identification\"", Card(before, match), StringComparison.Ordinal);
        var confirmed = await thai.SubmitAsync(before, "handler=Confirm", new Dictionary<string, string> { ["match"] = match.Id.ToString() });

        Assert.Contains("data-flag=\"re-identification\"", Card(confirmed, match), StringComparison.Ordinal);
        Assert.Contains("this person has been identified again", Card(confirmed, match), StringComparison.Ordinal);
        var (khmer, _) = await ConsoleSession.SignInAsync(Platform, "officer@kh-focal-point", "km");
        using var ___ = khmer;
        var theirs = await khmer.GetAsync("/console/matches");
        Assert.Contains("data-flag=\"re-identification\"", Card(theirs, match), StringComparison.Ordinal);
        Assert.Contains("ការកំណត់អត្តសញ្ញាណឡើងវិញ", Card(theirs, match), StringComparison.Ordinal);

        // The secretariat counts it (first identified in Cambodia, again in Thailand: one, so "<10") and sees no match.
        var (secretariat, _) = await ConsoleSession.SignInAsync(Platform, "officer@regional-secretariat");
        using var ____ = secretariat;
        var counts = await secretariat.GetAsync($"/console/dashboards?name=re-identifications&period={DateTime.UtcNow.Year}");
        Assert.Equal(HttpStatusCode.OK, counts.Status);
        Assert.Contains("<table data-table=\"re-identified\">", counts.Html, StringComparison.Ordinal);
        Assert.Contains("<td data-cell=\"KH|TH\" class=\"suppressed\">&lt;10</td>", counts.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(match.Id.ToString(), counts.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(earlier.Id.ToString(), counts.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"/console/matches\"", counts.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirming_a_match_the_other_side_dismissed_meanwhile_is_refused_in_the_person_s_language_and_changes_nothing()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        using var cambodia = await Platform.ClientForAsync("kh-focal-point");
        var inThailand = await ReferralRequests.CreateAsync(thailand, Woman("Malis", "Chea", new DateOnly(2004, 4, 17), "TH"));
        await ReferralRequests.CreateAsync(cambodia, Woman("Malis", "Chea", new DateOnly(2004, 4, 17), "KH"));
        var match = await MatchOfAsync(thailand, inThailand.Id);
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point", "th");
        using var __ = session;
        var page = await session.GetAsync("/console/matches");
        using var dismissed = await PartnerApi.PostAsync(cambodia, $"/api/v1/matches/{match.Id}/dismiss", null);
        Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);

        var refused = await session.SubmitAsync(page, "handler=Confirm", new Dictionary<string, string> { ["match"] = match.Id.ToString() });
        var unknown = await session.SubmitAsync(page, "handler=Dismiss", new Dictionary<string, string> { ["match"] = Guid.NewGuid().ToString() });

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("role=\"alert\"", refused.Html, StringComparison.Ordinal);
        Assert.Contains("รายการที่อาจตรงกันนี้ได้รับการตัดสินแล้ว", refused.Html, StringComparison.Ordinal); // match-decided, in Thai
        Assert.Contains("data-field=\"match-state\">ปฏิเสธแล้ว: ไม่ใช่บุคคลเดียวกัน<", Card(refused, match), StringComparison.Ordinal);
        Assert.Equal(MatchStatus.Dismissed, (await MatchOfAsync(thailand, inThailand.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Theory]
    [InlineData("officer@th-shelter-bangkok", "Kanya", 1991)]
    [InlineData("officer@vn-ngo-reintegration", "Dara", 1994)]
    [InlineData("officer@regional-secretariat", "Vanna", 1997)]
    public async Task The_page_is_refused_to_anyone_but_a_national_focal_point_and_not_in_its_navigation(string person, string givenName, int bornIn)
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var inThailand = await ReferralRequests.CreateAsync(thailand, Woman(givenName, "Srisuk", new DateOnly(bornIn, 9, 23), "TH"));
        using var cambodia = await Platform.ClientForAsync("kh-focal-point");
        await ReferralRequests.CreateAsync(cambodia, Woman(givenName, "Srisuk", new DateOnly(bornIn, 9, 23), "KH"));
        var match = await MatchOfAsync(thailand, inThailand.Id);
        var (session, home) = await ConsoleSession.SignInAsync(Platform, person);
        using var _ = session;
        var (focal, focalHome) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = focal;

        var page = await session.GetAsync("/console/matches");
        // The Confirm form as a focal point's page has it, sent with this person's cookie and anti-forgery token.
        var forged = new TestBrowser.Page(new Uri(ConsoleSession.Site("/console/matches")), HttpStatusCode.OK,
            $"<form method=\"post\" action=\"/console/matches?handler=Confirm\"><input name=\"__RequestVerificationToken\" type=\"hidden\" value=\"{AntiForgeryOf(home.Html)}\"></form>");
        var confirm = await session.SubmitAsync(forged, "handler=Confirm", new Dictionary<string, string> { ["match"] = match.Id.ToString() });

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Contains("Possible matches are shown only to national focal points.", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/console/matches\"", home.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/console/matches\"", focalHome.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, confirm.Status);
        Assert.Equal(MatchStatus.Open, (await MatchOfAsync(thailand, inThailand.Id)).Status);
    }

    /// <summary>The card of <paramref name="match"/> on the page (its article).</summary>
    private static string Card(TestBrowser.Page page, MatchView match)
    {
        var start = page.Html.IndexOf($"data-match=\"{match.Id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"match {match.Id} is not on {page.Url}");
        var end = page.Html.IndexOf("</article>", start, StringComparison.Ordinal);
        return page.Html[start..end];
    }

    private static string AntiForgeryOf(string html)
    {
        var input = System.Text.RegularExpressions.Regex.Match(html, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*>");
        Assert.True(input.Success, "no anti-forgery token on the page");
        return System.Text.RegularExpressions.Regex.Match(input.Value, "value=\"(?<v>[^\"]+)\"").Groups["v"].Value;
    }

    private async Task<Stage?> StageAsync(Guid referralId)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        return await db.Referrals.Where(r => r.Id == referralId).Select(r => (Stage?)r.Stage).SingleOrDefaultAsync();
    }
}
