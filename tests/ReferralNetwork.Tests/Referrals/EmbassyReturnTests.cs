using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>
/// People of countries without a focal point on the platform, through the partner API only: a Chinese national
/// identified in Thailand returns through the (fictional) consular section for CN nationals of the demo directory.
/// </summary>
public sealed class EmbassyReturnTests(SharedPlatform platform)
{
    private const string Embassy = "th-embassy-cn";

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task A_Chinese_national_identified_in_Thailand_is_handed_to_the_embassy_for_CN_which_accepts_and_confirms_the_return_with_Thailand()
    {
        using var thFp = await Factory.ClientForAsync("th-focal-point");
        using var embassy = await Factory.ClientForAsync(Embassy);
        var r = await ReferralRequests.CreateAsync(thFp, ChineseMan());
        var path = $"/api/v1/referrals/{r.Id}";
        Assert.Equal("CN", r.Nationality);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Embassy, true, ConsentMethod.Written), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written), r.Version);

        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thFp, $"{path}/handoffs", new HandoffRequest(Embassy, HandoffKind.Custody, null, null, null, null), r.Version));
        Assert.True(offer.CrossBorder);
        var inbox = await Eventually.Until(() => PartnerApi.InboxAsync(embassy), i => i.Any(x => x.HandoffId == offer.Id));
        Assert.Equal(Stage.RepatriationRequested, inbox.Single(x => x.HandoffId == offer.Id).Stage);

        r = await PartnerApi.ChangeAsync(embassy, $"{path}/handoffs/{offer.Id}/accept", null);
        AssertAt(r, Stage.RepatriationRequested, "th-focal-point", Embassy);
        using (var byThailand = await PartnerApi.PostAsync(thFp, $"{path}/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null)))
        {
            var refused = await Problem.AssertAsync(byThailand, HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("only-origin-verifies", refused.GetProperty("code").GetString());
        }

        r = await PartnerApi.ChangeAsync(embassy, $"{path}/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null), r.Version);
        AssertAt(r, Stage.NationalityVerified, "th-focal-point", Embassy);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/return-plan", new ReturnPlanRequest(TravelDocument.EmergencyTravelDocument, new DateOnly(2026, 12, 9), "Suvarnabhumi airport", null), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow), r.Version);
        AssertAt(r, Stage.ReturnPlanned, "th-focal-point", Embassy);
        r = await PartnerApi.ChangeAsync(embassy, $"{path}/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow), r.Version);

        AssertAt(r, Stage.Returned, Embassy, "th-focal-point");
        Assert.Equal([(ReturnSide.Sending, "th-focal-point"), (ReturnSide.Receiving, Embassy)], r.ReturnConfirmations.Select(c => (c.Side, c.OrganizationId)));
        var historyText = await thFp.GetStringAsync($"{path}/history");
        var history = JsonSerializer.Deserialize<List<JsonElement>>(historyText)!;
        Assert.Equal(Enumerable.Range(1, r.Version), history.Select(h => h.GetProperty("number").GetInt32()));
        Assert.Equal(
            ["ReferralIdentified", "ConsentRecorded", "ConsentRecorded", "HandoffOffered", "HandoffAccepted", "NationalityVerified", "ReturnPlanned", "ReturnConfirmed", "ReturnConfirmed"],
            history.Select(h => h.GetProperty("type").GetString()));
        Assert.DoesNotContain(GivenName, historyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Chinese_national_cannot_be_handed_to_vn_focal_point_and_nothing_changes()
    {
        using var thFp = await Factory.ClientForAsync("th-focal-point");
        using var vnFp = await Factory.ClientForAsync("vn-focal-point");
        var r = await ReferralRequests.CreateAsync(thFp, ChineseMan());
        var path = $"/api/v1/referrals/{r.Id}";
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Written), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written), r.Version);

        using var toVietnam = await PartnerApi.PostAsync(thFp, $"{path}/handoffs", new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null), r.Version);

        var problem = await Problem.AssertAsync(toVietnam, HttpStatusCode.Conflict, "handoff-route-not-allowed");
        Assert.Equal("return-through-embassy", problem.GetProperty("code").GetString());
        Assert.Contains("CN", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var after = (await PartnerApi.GetReferralAsync(thFp, r.Id))!;
        Assert.Equal((r.Version, Stage.Identified, 0), (after.Version, after.Stage, after.Handoffs.Count));
        using var seenByVietnam = await vnFp.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, seenByVietnam.StatusCode);
    }

    [Fact]
    public async Task A_Vietnamese_national_cannot_be_handed_to_the_embassy_for_CN_and_still_returns_focal_point_to_focal_point()
    {
        using var thFp = await Factory.ClientForAsync("th-focal-point");
        var r = await ReferralRequests.CreateAsync(thFp);
        var path = $"/api/v1/referrals/{r.Id}";
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Embassy, true, ConsentMethod.Written), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Written), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written), r.Version);

        using var toEmbassy = await PartnerApi.PostAsync(thFp, $"{path}/handoffs", new HandoffRequest(Embassy, HandoffKind.Custody, null, null, null, null), r.Version);

        var problem = await Problem.AssertAsync(toEmbassy, HttpStatusCode.Conflict, "handoff-route-not-allowed");
        Assert.Equal("embassy-of-another-nationality", problem.GetProperty("code").GetString());
        Assert.Equal(r.Version, (await PartnerApi.GetReferralAsync(thFp, r.Id))!.Version);
        var home = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thFp, $"{path}/handoffs", new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null), r.Version));
        Assert.True(home.CrossBorder);
    }

    [Fact]
    public async Task An_unknown_nationality_is_a_problem_naming_the_field_and_changes_nothing()
    {
        using var thFp = await Factory.ClientForAsync("th-focal-point");
        var request = ChineseMan() with { Subject = ChineseMan().Subject! with { Nationality = "XX" } };
        var key = Guid.NewGuid().ToString();

        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/referrals") { Content = JsonContent.Create(request, options: PlatformFactory.JsonOptions) };
        create.Headers.Add("Idempotency-Key", key);
        using var created = await thFp.SendAsync(create);
        var problem = await Problem.AssertAsync(created, HttpStatusCode.BadRequest, "validation");
        Assert.Equal(["subject.nationality"], Problem.ErrorFields(problem));

        // The same key with a good body creates the referral: the refused request left nothing behind.
        using var retry = new HttpRequestMessage(HttpMethod.Post, "/api/v1/referrals") { Content = JsonContent.Create(ChineseMan(), options: PlatformFactory.JsonOptions) };
        retry.Headers.Add("Idempotency-Key", key);
        using var retried = await thFp.SendAsync(retry);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        var r = await PartnerApi.ReadAsync<ReferralView>(retried);

        // A correction to an unassigned code is refused the same way; one to any assigned code (ET) is taken.
        using var badCorrection = await thFp.PutAsJsonAsync($"/api/v1/referrals/{r.Id}/subject", Correction("QQ"), PlatformFactory.JsonOptions);
        Assert.Equal(["nationality"], Problem.ErrorFields(await Problem.AssertAsync(badCorrection, HttpStatusCode.BadRequest, "validation")));
        var unchanged = (await PartnerApi.GetReferralAsync(thFp, r.Id))!;
        Assert.Equal((r.Version, "CN"), (unchanged.Version, unchanged.Nationality));
        using var goodCorrection = await thFp.PutAsJsonAsync($"/api/v1/referrals/{r.Id}/subject", Correction("ET"), PlatformFactory.JsonOptions);
        Assert.True(goodCorrection.IsSuccessStatusCode, await goodCorrection.Content.ReadAsStringAsync());
        Assert.Equal("ET", (await PartnerApi.GetReferralAsync(thFp, r.Id))!.Nationality);
    }

    [Fact]
    public async Task The_embassy_sees_only_the_referrals_whose_return_it_accepted()
    {
        using var thFp = await Factory.ClientForAsync("th-focal-point");
        using var embassy = await Factory.ClientForAsync(Embassy);
        var notOffered = await ReferralRequests.CreateAsync(thFp, ChineseMan());
        var offered = await ReferralRequests.CreateAsync(thFp, ChineseMan());
        var path = $"/api/v1/referrals/{offered.Id}";
        await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Embassy, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thFp, $"{path}/handoffs", new HandoffRequest(Embassy, HandoffKind.Custody, null, null, null, null)));

        foreach (var id in new[] { notOffered.Id, offered.Id })
        {
            foreach (var read in new[] { "", "/history", "/subject?purpose=nationality-verification" })
            {
                using var response = await embassy.GetAsync($"/api/v1/referrals/{id}{read}");
                await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");
            }
        }

        using (var screening = await PartnerApi.PostAsync(embassy, $"/api/v1/referrals/{notOffered.Id}/screening", new ScreeningRequest([])))
        {
            await Problem.AssertAsync(screening, HttpStatusCode.NotFound, "not-found");
        }

        await PartnerApi.ChangeAsync(embassy, $"{path}/handoffs/{offer.Id}/accept", null);
        var seen = await PartnerApi.GetReferralAsync(embassy, offered.Id);
        var subject = await embassy.GetFromJsonAsync<SubjectView>($"{path}/subject?purpose=nationality-verification", PlatformFactory.JsonOptions);
        using var stillHidden = await embassy.GetAsync($"/api/v1/referrals/{notOffered.Id}");
        using var accessLog = await embassy.GetAsync($"{path}/access-log");

        Assert.Equal(Stage.RepatriationRequested, seen!.Stage);
        Assert.Equal(GivenName, subject!.GivenName); // the person consented to sharing with the embassy
        await Problem.AssertAsync(stillHidden, HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(accessLog, HttpStatusCode.Forbidden, "forbidden"); // the holder's alone
    }

    [Fact]
    public async Task The_directory_shows_the_embassy_with_the_nationalities_it_handles()
    {
        using var client = await Factory.ClientForAsync("th-shelter-bangkok");

        var thailand = await client.GetFromJsonAsync<List<OrganizationView>>("/api/v1/organizations?country=TH", PlatformFactory.JsonOptions);

        var entry = Assert.Single(thailand!, o => o.Id == Embassy);
        Assert.Equal((OrganizationKind.Embassy, "TH"), (entry.Kind, entry.Country));
        Assert.Equal(["CN"], entry.Nationalities!);
        Assert.All(thailand!.Where(o => o.Kind != OrganizationKind.Embassy), o => Assert.Null(o.Nationalities));
    }

    private const string GivenName = "Wei";

    private static CreateReferralRequest ChineseMan() => new(
        new SubjectInput(GivenName, "Zhang", Sex.Male, new DateOnly(1999, 8, 2), "CN", ["zh"]),
        "TH",
        DateTimeOffset.UtcNow.AddHours(-3),
        [ExploitationForm.ForcedCriminality],
        null);

    private static SubjectCorrectionRequest Correction(string nationality) =>
        new(GivenName, "Zhang", Sex.Male, new DateOnly(1999, 8, 2), nationality, ["zh"], null);

    private static void AssertAt(ReferralView referral, Stage stage, string holder, params string[] participants)
    {
        Assert.Equal(stage, referral.Stage);
        Assert.Equal(holder, referral.Holder);
        Assert.Equal(participants.Order(), referral.Participants.Order());
    }
}
