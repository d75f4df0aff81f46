using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>
/// GET /api/v1/inbox?limit=&amp;after= pages the offers waiting for an organization, oldest deadline first, with an RFC 8288
/// Link header (rel="next") while there is more. The platform is this class's own, so that its inbox holds exactly the
/// offers made here.
/// </summary>
public sealed class InboxPagingTests(OwnPlatform platform) : IClassFixture<OwnPlatform>
{
    private const string Holder = "th-focal-point";
    private const string Target = "th-shelter-bangkok";

    [Fact]
    public async Task Paging_through_a_full_inbox_gives_every_offer_once_in_deadline_order()
    {
        using var holder = await platform.Factory.ClientForAsync(Holder);
        using var target = await platform.Factory.ClientForAsync(Target);
        // Deadlines with ties: the same instant written with three offsets, as partners in UTC+7 and UTC+5:30 send them.
        var t = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(5).AddHours(9), TimeSpan.Zero);
        var offered = await OfferAllAsync(holder,
        [
            t, t.ToOffset(TimeSpan.FromHours(7)), t.ToOffset(TimeSpan.FromHours(7)), t.AddHours(1), t.AddHours(-1).ToOffset(TimeSpan.FromHours(7)),
            t.AddHours(2), t.AddHours(2).ToOffset(new TimeSpan(5, 30, 0)),
        ]);
        var whole = await Eventually.Until(() => PartnerApi.InboxAsync(target), inbox => offered.All(id => inbox.Any(i => i.HandoffId == id)));

        var pages = await AllPagesAsync(target, "/api/v1/inbox?limit=2");

        // The other tests of this class offer to the same shelter (in whatever order they run): the inbox holds this
        // test's seven offers and maybe theirs, and paging must give exactly what the whole inbox gives.
        Assert.Equal(7, whole.Count(i => offered.Contains(i.HandoffId)));
        Assert.All(pages.SkipLast(1), page => Assert.Equal(2, page.Count));
        Assert.InRange(pages[^1].Count, 1, 2);
        Assert.Equal((whole.Count + 1) / 2, pages.Count);
        var paged = pages.SelectMany(p => p).Select(i => i.HandoffId).ToList();
        Assert.Equal(whole.Select(i => i.HandoffId), paged); // the same offers, each once, in the same order
        Assert.Equal(offered.Order(), paged.Where(offered.Contains).Order());
        Assert.True(
            whole.Zip(whole.Skip(1)).All(pair => pair.First.RespondBy <= pair.Second.RespondBy),
            "not in deadline order: " + string.Join(", ", whole.Select(i => i.RespondBy.ToString("O", System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task An_offer_answered_between_pages_leaves_no_gap_and_no_repeat()
    {
        using var holder = await platform.Factory.ClientForAsync(Holder);
        using var target = await platform.Factory.ClientForAsync(Target);
        // Far later than the other test's deadlines, so that this test's offers are the last pages whatever ran first.
        var t = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(20), TimeSpan.Zero);
        var offered = await OfferAllAsync(holder, [.. Enumerable.Range(0, 5).Select(i => t.AddMinutes(i))]);
        await Eventually.Until(() => PartnerApi.InboxAsync(target), inbox => offered.All(id => inbox.Any(i => i.HandoffId == id)));
        var before = (await PartnerApi.InboxAsync(target)).Select(i => i.HandoffId).ToList();
        var firstOfOurs = before.IndexOf(offered[0]);

        // Read up to and including the first two of these offers, then the target declines the first of them.
        using var first = await target.GetAsync($"/api/v1/inbox?limit={firstOfOurs + 2}");
        var seen = (await first.Content.ReadFromJsonAsync<List<InboxItem>>(Json.Options))!;
        using (var decline = await PartnerApi.PostAsync(target, $"/api/v1/referrals/{seen[firstOfOurs].ReferralId}/handoffs/{offered[0]}/decline", new ReasonRequest("No bed free.")))
        {
            Assert.Equal(HttpStatusCode.NoContent, decline.StatusCode);
        }

        await Eventually.Until(() => PartnerApi.InboxAsync(target), inbox => inbox.All(i => i.HandoffId != offered[0]));
        var rest = await AllPagesAsync(target, NextOf(first)!);

        var paged = seen.Concat(rest.SelectMany(p => p)).Select(i => i.HandoffId).ToList();
        Assert.Equal(before, paged);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("after=not-a-cursor", "after")]
    [InlineData("after=AQ", "after")]
    [InlineData("after=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "after")]
    public async Task A_bad_limit_or_cursor_is_a_validation_problem_naming_it(string query, string parameter)
    {
        using var target = await platform.Factory.ClientForAsync(Target);

        using var response = await target.GetAsync($"/api/v1/inbox?{query}");

        var problem = await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Equal([parameter], Problem.ErrorFields(problem));
    }

    [Fact]
    public async Task A_limit_that_is_not_a_number_is_a_problem()
    {
        using var target = await platform.Factory.ClientForAsync(Target);

        using var response = await target.GetAsync("/api/v1/inbox?limit=ten");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>One referral of the holder per deadline, each with a service offer to the target; answers the handoff ids.</summary>
    private static async Task<List<Guid>> OfferAllAsync(HttpClient holder, IEnumerable<DateTimeOffset> deadlines)
    {
        var ids = new List<Guid>();
        foreach (var deadline in deadlines)
        {
            var referral = await ReferralRequests.CreateAsync(holder);
            var path = $"/api/v1/referrals/{referral.Id}";
            await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written));
            await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Target, true, ConsentMethod.Written));
            using var offer = await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest(Target, HandoffKind.Service, [ServiceKind.Shelter], null, deadline, null));
            ids.Add((await PartnerApi.ReadAsync<JsonElement>(offer)).GetProperty("id").GetGuid());
        }

        return ids;
    }

    /// <summary>Follows Link rel="next" from <paramref name="start"/> to the last page (which has none).</summary>
    private static async Task<List<List<InboxItem>>> AllPagesAsync(HttpClient client, string start)
    {
        var pages = new List<List<InboxItem>>();
        for (var next = start; next is not null;)
        {
            Assert.True(pages.Count < 50, "the Link headers do not end");
            using var response = await client.GetAsync(next);
            pages.Add(await PartnerApi.ReadAsync<List<InboxItem>>(response));
            next = NextOf(response);
        }

        return pages;
    }

    private static string? NextOf(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        var link = Assert.Single(values);
        Assert.Matches("^<[^>]+>; rel=\"next\"$", link);
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }
}
