using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Groups;

/// <summary>
/// Return groups through the API: one offer for many people, answered as a whole or per person, each person's referral
/// changed by its own call with its own rules (consent is each person's), and the group seen only by its two sides.
/// </summary>
public sealed class GroupApiTests(OwnPlatform platform) : IClassFixture<OwnPlatform>
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task A_group_offer_reaches_every_member_as_a_single_offer_would_and_the_origin_answers_per_person()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var vietnam = await Factory.ClientForAsync("vn-focal-point");
        var members = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            members.Add((await ConsentedAsync(thailand, "vn-focal-point")).Id);
        }

        // Consent is each person's: one of them has not agreed to return, and only their offer is refused.
        var unwilling = (await ReferralRequests.CreateAsync(thailand)).Id;
        members.Add(unwilling);

        var group = await CreateAsync(thailand, "Charter flight BKK-HAN, 20 Feb", members);
        Assert.Equal("VN", group.Nationality);
        Assert.All(group.Members, m => Assert.Equal(GroupMemberStatus.Listed, m.Status));
        await Problem.AssertAsync(await vietnam.GetAsync($"/api/v1/groups/{group.Id}"), HttpStatusCode.NotFound, "not-found");

        using (var offer = await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest("vn-focal-point", "Flight on the 20th.", null)))
        {
            Assert.Equal(HttpStatusCode.Accepted, offer.StatusCode);
            Assert.Equal(GroupOperationKind.Offer, (await PartnerApi.ReadAsync<GroupView>(offer)).Operation);
        }

        var offered = await DoneAsync(thailand, group.Id);
        Assert.Equal("vn-focal-point", offered.OfferedTo);
        foreach (var member in offered.Members.Where(m => m.ReferralId != unwilling))
        {
            Assert.Equal(GroupMemberStatus.Offered, member.Status);
            var referral = (await PartnerApi.GetReferralAsync(thailand, member.ReferralId))!;
            var handoff = Assert.Single(referral.Handoffs);
            Assert.Equal((member.HandoffId, HandoffKind.Custody, "vn-focal-point", HandoffStatus.Offered), (handoff.Id, handoff.Kind, handoff.To, handoff.Status));

            // The same numbered events as a single offer: created, two consents, the offer.
            var history = await thailand.GetFromJsonAsync<List<HistoryEntry>>($"/api/v1/referrals/{member.ReferralId}/history", Json.Options);
            Assert.Equal([1, 2, 3, 4], history!.Select(h => h.Number));
        }

        var refused = offered.Members.Single(m => m.ReferralId == unwilling);
        Assert.Equal(GroupMemberStatus.Refused, refused.Status);
        Assert.Equal(409, refused.Problem!.Status);
        Assert.Empty((await PartnerApi.GetReferralAsync(thailand, unwilling))!.Handoffs);
        // The origin's inbox (a read model, eventually) lists the five offers as it lists single ones.
        await Eventually.Until(() => PartnerApi.InboxAsync(vietnam), inbox => inbox.Count(i => members.Contains(i.ReferralId)) == 5);

        // The origin sees the group now, accepts three people, and declines one.
        // Each side finds the group in its list; a shelter's list does not have it.
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        Assert.Contains((await thailand.GetFromJsonAsync<List<GroupSummary>>("/api/v1/groups", Json.Options))!, g => g.Id == group.Id && g.Members == 6);
        Assert.Contains((await vietnam.GetFromJsonAsync<List<GroupSummary>>("/api/v1/groups", Json.Options))!, g => g.Id == group.Id && g.OfferedTo == "vn-focal-point");
        Assert.DoesNotContain((await shelter.GetFromJsonAsync<List<GroupSummary>>("/api/v1/groups", Json.Options))!, g => g.Id == group.Id);

        var seen = await vietnam.GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", Json.Options);
        Assert.Equal(offered.Members.Select(m => m.ReferralId), seen!.Members.Select(m => m.ReferralId));
        var accepted = members.Take(3).ToList();
        var declined = members[3];
        using (var accept = await PartnerApi.PostAsync(vietnam, $"/api/v1/groups/{group.Id}/accept", new GroupAnswerRequest(accepted, null)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accept.StatusCode);
        }

        await DoneAsync(vietnam, group.Id);
        using (var decline = await PartnerApi.PostAsync(vietnam, $"/api/v1/groups/{group.Id}/decline", new GroupAnswerRequest([declined], "Not on our verified list yet.")))
        {
            Assert.Equal(HttpStatusCode.Accepted, decline.StatusCode);
        }

        var answered = await DoneAsync(vietnam, group.Id);
        Assert.Equal(
            [GroupMemberStatus.Accepted, GroupMemberStatus.Accepted, GroupMemberStatus.Accepted, GroupMemberStatus.Declined, GroupMemberStatus.Offered, GroupMemberStatus.Refused],
            answered.Members.Select(m => m.Status));
        foreach (var id in accepted)
        {
            var referral = (await PartnerApi.GetReferralAsync(vietnam, id))!;
            Assert.Contains("vn-focal-point", referral.Participants);
            Assert.Equal(HandoffStatus.Accepted, Assert.Single(referral.Handoffs).Status);
        }

        await Problem.AssertAsync(await vietnam.GetAsync($"/api/v1/referrals/{declined}"), HttpStatusCode.NotFound, "not-found");

        // The declined person can be offered again, alone of the group: the others are open or accepted.
        var again = await DoneAsync(thailand, (await PartnerApi.ReadAsync<GroupView>(
            await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest("vn-focal-point", null, null)))).Id);
        Assert.Equal(GroupMemberStatus.Offered, again.Members.Single(m => m.ReferralId == declined).Status);
        Assert.Equal(2, (await PartnerApi.GetReferralAsync(thailand, declined))!.Handoffs.Count);
        Assert.Equal(GroupMemberStatus.Refused, again.Members.Single(m => m.ReferralId == unwilling).Status);
    }

    [Fact]
    public async Task A_group_holds_only_referrals_the_caller_holds_of_one_foreign_nationality_and_bad_requests_change_nothing()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        using var cambodia = await Factory.ClientForAsync("kh-focal-point");
        var vietnamese = await ReferralRequests.CreateAsync(thailand);
        var cambodian = await ReferralRequests.CreateAsync(thailand, ReferralRequests.VietnameseWoman() with
        {
            Subject = ReferralRequests.VietnameseWoman().Subject! with { Nationality = "KH", Languages = ["km"] },
        });
        var thai = await ReferralRequests.CreateAsync(thailand, ReferralRequests.VietnameseWoman() with
        {
            Subject = ReferralRequests.VietnameseWoman().Subject! with { Nationality = "TH", Languages = ["th"] },
        });
        var elsewhere = await ReferralRequests.CreateAsync(cambodia, ReferralRequests.VietnameseWoman("KH"));

        var problem = await Problem.AssertAsync(
            await PartnerApi.PostAsync(thailand, "/api/v1/groups", new CreateGroupRequest("Bus via Aranyaprathet", [vietnamese.Id, cambodian.Id, thai.Id, elsewhere.Id, Guid.NewGuid()])),
            HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        Assert.False(errors.TryGetProperty("referrals[0]", out _));
        foreach (var index in new[] { 1, 2, 3, 4 })
        {
            Assert.True(errors.TryGetProperty($"referrals[{index}]", out _), $"referrals[{index}] not refused: {problem}");
        }

        // Another country's referral and one that does not exist are refused alike: nothing tells them apart.
        Assert.Equal(errors.GetProperty("referrals[3]").ToString(), errors.GetProperty("referrals[4]").ToString());

        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, "/api/v1/groups", new CreateGroupRequest(" ", [])), HttpStatusCode.BadRequest, "validation");
        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, "/api/v1/groups", new CreateGroupRequest("Twice", [vietnamese.Id, vietnamese.Id])), HttpStatusCode.BadRequest, "validation");
        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, "/api/v1/groups", new CreateGroupRequest("Too many", [.. Enumerable.Range(0, Limits.GroupMembers + 1).Select(_ => Guid.NewGuid())])), HttpStatusCode.BadRequest, "validation");

        // A group of one is fine; the shelter neither sees it nor offers it; an offer to nobody is refused and leaves it listed.
        var group = await CreateAsync(thailand, "Bus via Aranyaprathet", [vietnamese.Id]);
        await Problem.AssertAsync(await shelter.GetAsync($"/api/v1/groups/{group.Id}"), HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(await PartnerApi.PostAsync(shelter, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest("vn-focal-point", null, null)), HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest("nobody", null, null)), HttpStatusCode.BadRequest, "validation");
        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest("vn-focal-point", null, null), ifMatch: 7), HttpStatusCode.PreconditionFailed, "precondition-failed");
        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/accept", null), HttpStatusCode.Forbidden, "forbidden");
        var unchanged = await thailand.GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", Json.Options);
        Assert.Equal((1, null, null), (unchanged!.Version, unchanged.OfferedTo, unchanged.Operation));
        Assert.Empty((await PartnerApi.GetReferralAsync(thailand, vietnamese.Id))!.Handoffs);
    }

    [Fact]
    public async Task A_group_of_Chinese_nationals_goes_to_the_embassy_for_CN_and_never_to_another_countrys_focal_point()
    {
        const string Embassy = "th-embassy-cn";
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var embassy = await Factory.ClientForAsync(Embassy);
        var chinese = ReferralRequests.VietnameseWoman() with
        {
            Subject = ReferralRequests.VietnameseWoman().Subject! with { FamilyName = "Zhang", Nationality = "CN", Languages = ["zh"] },
        };
        var members = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var referral = await ReferralRequests.CreateAsync(thailand, chinese);
            await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
            await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Share, Embassy, true, ConsentMethod.Written));
            members.Add(referral.Id);
        }

        var group = await CreateAsync(thailand, "Flight BKK-PEK", members);
        Assert.Equal("CN", group.Nationality);

        // Offered to a focal point across the border, every member is refused with the rule a single offer answers, and nothing changes.
        await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest("vn-focal-point", null, null));
        var refused = await DoneAsync(thailand, group.Id);
        Assert.All(refused.Members, m => Assert.Equal((GroupMemberStatus.Refused, "return-through-embassy"), (m.Status, m.Problem!.Code)));
        foreach (var id in members)
        {
            Assert.Empty((await PartnerApi.GetReferralAsync(thailand, id))!.Handoffs);
        }

        await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest(Embassy, null, null));
        Assert.All((await DoneAsync(thailand, group.Id)).Members, m => Assert.Equal(GroupMemberStatus.Offered, m.Status));
        await PartnerApi.PostAsync(embassy, $"/api/v1/groups/{group.Id}/accept", new GroupAnswerRequest(null, null));
        Assert.All((await DoneAsync(embassy, group.Id)).Members, m => Assert.Equal(GroupMemberStatus.Accepted, m.Status));
        foreach (var id in members)
        {
            var referral = (await PartnerApi.GetReferralAsync(embassy, id))!;
            Assert.Contains(Embassy, referral.Participants);
            Assert.Equal(Stage.RepatriationRequested, referral.Stage);
        }
    }

    [Fact]
    public async Task A_group_is_verified_with_a_rejection_planned_with_each_persons_document_and_handed_over_with_one_missing()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var vietnam = await Factory.ClientForAsync("vn-focal-point");
        var members = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            members.Add((await ConsentedAsync(thailand, "vn-focal-point")).Id);
        }

        var group = await CreateAsync(thailand, "Bus through Poipet, 3 March", members);
        await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest("vn-focal-point", null, null));
        await DoneAsync(thailand, group.Id);
        await PartnerApi.PostAsync(vietnam, $"/api/v1/groups/{group.Id}/accept", new GroupAnswerRequest(null, null));
        await DoneAsync(vietnam, group.Id);

        // Only the origin verifies, only accepted members, and a rejection needs its reason: refused whole, nothing changed.
        var list = new GroupVerificationRequest([
            new(members[0], NationalityOutcome.Confirmed, null), new(members[1], NationalityOutcome.Confirmed, null),
            new(members[2], NationalityOutcome.Confirmed, null), new(members[3], NationalityOutcome.Rejected, "Not found in the civil registry.")]);
        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/nationality-verification", list), HttpStatusCode.Forbidden, "forbidden");
        var noReason = await Problem.AssertAsync(await PartnerApi.PostAsync(vietnam, $"/api/v1/groups/{group.Id}/nationality-verification",
            new GroupVerificationRequest([new(members[3], NationalityOutcome.Rejected, null)])), HttpStatusCode.BadRequest, "validation");
        Assert.Contains("members[0].reason", Problem.ErrorFields(noReason));
        await Problem.AssertAsync(await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/return-plan",
            new GroupReturnPlanRequest(new DateOnly(2027, 3, 3), "Poipet", null, [new(members[0], TravelDocument.Passport)])), HttpStatusCode.BadRequest, "validation");

        await PartnerApi.PostAsync(vietnam, $"/api/v1/groups/{group.Id}/nationality-verification", list);
        var verified = await DoneAsync(vietnam, group.Id);
        Assert.Equal([GroupMemberStatus.Verified, GroupMemberStatus.Verified, GroupMemberStatus.Verified, GroupMemberStatus.Rejected], verified.Members.Select(m => m.Status));

        await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/return-plan", new GroupReturnPlanRequest(
            new DateOnly(2027, 3, 3), "Poipet", "Two officers of the anti-trafficking police",
            [new(members[0], TravelDocument.Passport), new(members[1], TravelDocument.EmergencyTravelDocument), new(members[2], TravelDocument.EmergencyTravelDocument)]));
        Assert.Equal(3, (await DoneAsync(thailand, group.Id)).Members.Count(m => m.Status == GroupMemberStatus.Planned));
        Assert.Equal(TravelDocument.EmergencyTravelDocument, (await PartnerApi.GetReferralAsync(thailand, members[1]))!.ReturnPlan!.TravelDocument);

        // The manifest to print: the three planned, named as the handover needs and no more; each line a read in that person's access log.
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        await Problem.AssertAsync(await shelter.GetAsync($"/api/v1/groups/{group.Id}/manifest"), HttpStatusCode.NotFound, "not-found");
        using (var response = await thailand.GetAsync($"/api/v1/groups/{group.Id}/manifest"))
        {
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var manifest = await PartnerApi.ReadAsync<GroupManifest>(response);
            Assert.Equal(members.Take(3), manifest.People.Select(p => p.ReferralId));
            Assert.All(manifest.People, p => Assert.Equal((ReferralRequests.GivenName, ReferralRequests.FamilyName), (p.GivenName, p.FamilyName)));
            Assert.Equal((new DateOnly(2027, 3, 3), "Poipet", TravelDocument.Passport), (manifest.PlannedFor, manifest.CrossingPoint, manifest.People[0].TravelDocument));
            Assert.DoesNotContain("summary", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        var vietnamsManifest = await vietnam.GetFromJsonAsync<GroupManifest>($"/api/v1/groups/{group.Id}/manifest", Json.Options);
        Assert.Equal(3, vietnamsManifest!.People.Count(p => p.GivenName == ReferralRequests.GivenName));
        var log = await thailand.GetFromJsonAsync<List<AccessLogEntry>>($"/api/v1/referrals/{members[0]}/access-log", Json.Options);
        Assert.Equal(
            [("th-focal-point", AccessPurpose.ReturnPlanning), ("vn-focal-point", AccessPurpose.ReturnPlanning)],
            log!.Select(e => (e.OrganizationId, e.Purpose ?? AccessPurpose.Emergency)));
        Assert.Empty((await thailand.GetFromJsonAsync<List<AccessLogEntry>>($"/api/v1/referrals/{members[3]}/access-log", Json.Options))!);

        // Both sides' manifests: two handed over, one missing at the crossing.
        var at = DateTimeOffset.UtcNow;
        await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{group.Id}/handover", new GroupHandoverRequest(at, [
            new(members[0], HandoverOutcome.HandedOver), new(members[1], HandoverOutcome.HandedOver), new(members[2], HandoverOutcome.Missing)]));
        var sent = await DoneAsync(thailand, group.Id);
        Assert.Equal([ReturnSide.Sending], sent.Members[0].HandoverConfirmedBy);
        Assert.Equal(GroupMemberStatus.Planned, sent.Members[0].Status);
        await PartnerApi.PostAsync(vietnam, $"/api/v1/groups/{group.Id}/handover", new GroupHandoverRequest(at, [
            new(members[0], HandoverOutcome.HandedOver), new(members[1], HandoverOutcome.HandedOver)]));
        var handedOver = await DoneAsync(vietnam, group.Id);

        Assert.Equal([GroupMemberStatus.Returned, GroupMemberStatus.Returned, GroupMemberStatus.Missing, GroupMemberStatus.Rejected], handedOver.Members.Select(m => m.Status));
        foreach (var id in members.Take(2))
        {
            // Each person's history as if handled alone: created, two consents, offer, accepted, verified, planned, two confirmations.
            var referral = (await PartnerApi.GetReferralAsync(vietnam, id))!;
            Assert.Equal((Stage.Returned, "vn-focal-point", 9), (referral.Stage, referral.Holder, referral.Version));
            var history = await vietnam.GetFromJsonAsync<List<HistoryEntry>>($"/api/v1/referrals/{id}/history", Json.Options);
            Assert.Equal(Enumerable.Range(1, 9), history!.Select(h => h.Number));
        }

        Assert.Equal(Stage.ReturnPlanned, (await PartnerApi.GetReferralAsync(thailand, members[2]))!.Stage);
        Assert.NotNull((await PartnerApi.GetReferralAsync(thailand, members[3]))!.NationalityRejectionReason);
    }

    [Fact]
    public async Task A_person_is_in_one_open_group_at_a_time_and_a_withdrawn_group_withdraws_its_offers_and_frees_its_members()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var vietnam = await Factory.ClientForAsync("vn-focal-point");
        var first = (await ConsentedAsync(thailand, "vn-focal-point")).Id;
        var second = (await ConsentedAsync(thailand, "vn-focal-point")).Id;
        var flight = await CreateAsync(thailand, "Charter flight BKK-HAN, 20 Feb", [first, second]);

        // The same person on a second flight is refused, and the refused group does not exist; the other person is not held by it.
        var third = (await ConsentedAsync(thailand, "vn-focal-point")).Id;
        var problem = await Problem.AssertAsync(
            await PartnerApi.PostAsync(thailand, "/api/v1/groups", new CreateGroupRequest("Bus through Mae Sot", [third, second])), HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("referrals[1]", out _), problem.ToString());
        Assert.False(errors.TryGetProperty("referrals[0]", out _), problem.ToString());
        Assert.DoesNotContain((await thailand.GetFromJsonAsync<List<GroupSummary>>("/api/v1/groups", Json.Options))!, g => g.Label == "Bus through Mae Sot");
        var bus = await CreateAsync(thailand, "Bus through Mae Sot", [third]);

        using (var offer = await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{flight.Id}/offer", new GroupOfferRequest("vn-focal-point", null, null)))
        {
            Assert.Equal(HttpStatusCode.Accepted, offer.StatusCode);
        }

        var offered = await DoneAsync(thailand, flight.Id);
        Assert.All(offered.Members, m => Assert.Equal(GroupMemberStatus.Offered, m.Status));

        // Only the holder withdraws; the flight is cancelled: each open offer is withdrawn as a single withdrawal would be.
        var notYours = await Problem.AssertAsync(await PartnerApi.PostAsync(vietnam, $"/api/v1/groups/{flight.Id}/withdraw", new GroupWithdrawRequest(null)), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(RefusalCode.GroupNotYours, notYours.GetProperty("code").GetString());
        using (var withdraw = await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{flight.Id}/withdraw", new GroupWithdrawRequest("The flight was cancelled.")))
        {
            Assert.Equal(HttpStatusCode.Accepted, withdraw.StatusCode);
            Assert.NotNull((await PartnerApi.ReadAsync<GroupView>(withdraw)).WithdrawnAt);
        }

        var withdrawn = await DoneAsync(thailand, flight.Id);
        Assert.All(withdrawn.Members, m => Assert.Equal(GroupMemberStatus.Withdrawn, m.Status));
        foreach (var member in withdrawn.Members)
        {
            var handoff = Assert.Single((await PartnerApi.GetReferralAsync(thailand, member.ReferralId))!.Handoffs);
            Assert.Equal((member.HandoffId, HandoffStatus.Withdrawn), (handoff.Id, handoff.Status));
        }

        // A withdrawn group takes no further step; its people can go on the next flight.
        var over = await Problem.AssertAsync(
            await PartnerApi.PostAsync(thailand, $"/api/v1/groups/{flight.Id}/offer", new GroupOfferRequest("vn-focal-point", null, null)), HttpStatusCode.Conflict, "transition-not-allowed");
        Assert.Equal(RefusalCode.GroupWithdrawn, over.GetProperty("code").GetString());
        await Problem.AssertAsync(
            await PartnerApi.PostAsync(thailand, "/api/v1/groups", new CreateGroupRequest("Charter flight BKK-HAN, 27 Feb", [first, third])), HttpStatusCode.BadRequest, "validation");
        var next = await CreateAsync(thailand, "Charter flight BKK-HAN, 27 Feb", [first, second]);
        Assert.Equal(2, next.Members.Count);
        Assert.Equal(bus.Id, (await thailand.GetFromJsonAsync<GroupView>($"/api/v1/groups/{bus.Id}", Json.Options))!.Id);
    }

    private static async Task<ReferralView> ConsentedAsync(HttpClient holder, string origin)
    {
        var referral = await ReferralRequests.CreateAsync(holder);
        await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        return await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Share, origin, true, ConsentMethod.Written));
    }

    private static async Task<GroupView> CreateAsync(HttpClient client, string label, IReadOnlyList<Guid> members)
    {
        using var response = await PartnerApi.PostAsync(client, "/api/v1/groups", new CreateGroupRequest(label, members));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await PartnerApi.ReadAsync<GroupView>(response);
    }

    /// <summary>The group once its operation has reached every member.</summary>
    private static async Task<GroupView> DoneAsync(HttpClient client, Guid id) =>
        (await Eventually.Until(() => client.GetFromJsonAsync<GroupView>($"/api/v1/groups/{id}", Json.Options), g => g!.Operation is null, TimeSpan.FromSeconds(60)))!;
}
