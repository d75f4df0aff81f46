using System.Net;
using System.Text.RegularExpressions;
using ReferralNetwork.Contracts;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Console;

/// <summary>
/// The surge screening queue below the browser: the organization's unscreened referrals one after another, oldest first;
/// saving screens one and shows the next, skipping leaves one for later, and a referral screened elsewhere (the list
/// not yet knowing) is passed over. Only people whose role screens see it.
/// </summary>
public sealed class ConsoleScreeningQueueTests(OwnPlatform platform) : IClassFixture<OwnPlatform>
{
    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task The_queue_walks_the_unscreened_referrals_oldest_first_skips_on_request_and_ends_empty()
    {
        using var thailand = await Platform.ClientForAsync("th-focal-point");
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await ReferralRequests.CreateAsync(thailand)).Id);
        }

        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = session;
        // The queue is the referral list, a read model written shortly after each create.
        const string Waiting = "4 referrals of your organization are waiting to be screened.";
        var page = await Eventually.Until(
            () => session.GetAsync("/console/screening"), p => Current(p) == ids[0] && p.Html.Contains(Waiting, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains(Waiting, page.Html, StringComparison.Ordinal);
        Assert.Matches("<input type=\"checkbox\" id=\"indicator-[^\"]+\" name=\"indicators\" value=\"[^\"]+\" autofocus=\"autofocus\"", page.Html);

        // Saved: screened through the workflow, and the next one is shown.
        var next = await session.SubmitAsync(page, "/console/screening", new Dictionary<string, string> { ["indicators"] = "recruited-online-job-offer" });
        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.Contains("The screening is recorded.", next.Html, StringComparison.Ordinal);
        Assert.Equal(ids[1], Current(next));
        Assert.Equal(ScreeningOutcome.Inconclusive, (await PartnerApi.GetReferralAsync(thailand, ids[0]))!.Screening!.Outcome);

        // Skipped: the one after it, and once the end is reached, the queue starts over with the ones left.
        var skipped = await session.GetAsync($"/console/screening?after={ids[1]}");
        Assert.Equal(ids[2], Current(skipped));
        Assert.Equal(ids[1], Current(await session.GetAsync($"/console/screening?after={ids[3]}")));

        // Screened through the API meanwhile: passed over, even while the list still shows it unscreened.
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{ids[1]}/screening", new Contracts.Api.ScreeningRequest(["recruited-online-job-offer"]));
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{ids[2]}/screening", new Contracts.Api.ScreeningRequest(["recruited-online-job-offer"]));
        Assert.Equal(ids[3], Current(await session.GetAsync("/console/screening")));
        var last = await session.SubmitAsync(await session.GetAsync("/console/screening"), "/console/screening");
        var empty = await Eventually.Until(() => session.GetAsync("/console/screening"), p => p.Html.Contains("0 referrals", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, last.Status);
        Assert.Null(Current(empty));
        Assert.Contains("Nobody is waiting to be screened.", empty.Html, StringComparison.Ordinal);
        foreach (var id in ids)
        {
            Assert.Equal(Stage.Screened, (await PartnerApi.GetReferralAsync(thailand, id))!.Stage);
        }
    }

    [Fact]
    public async Task A_person_whose_role_does_not_screen_is_refused_the_queue()
    {
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "admin@la-focal-point");
        using var __ = session;

        var page = await session.GetAsync("/console/screening");

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Null(Current(page));
    }

    /// <summary>The referral the queue shows now, or null.</summary>
    internal static Guid? Current(TestBrowser.Page page) =>
        Regex.Match(page.Html, "<section aria-labelledby=\"now\" data-referral=\"(?<id>[0-9a-f-]{36})\"") is { Success: true } m ? Guid.Parse(m.Groups["id"].Value) : null;
}
