using System.Net;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>
/// A Vietnamese woman identified in Thailand after escaping a scam compound, walked through the whole
/// workflow by the organizations that would handle her case, through the partner API only.
/// </summary>
public sealed class RepatriationJourneyTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task From_identification_in_Thailand_to_reintegration_in_Viet_Nam()
    {
        using var thFp = await Factory.ClientForAsync("th-focal-point");
        using var thShelter = await Factory.ClientForAsync("th-shelter-bangkok");
        using var vnFp = await Factory.ClientForAsync("vn-focal-point");
        using var vnNgo = await Factory.ClientForAsync("vn-ngo-reintegration");

        // Identified by Thailand's focal point.
        var r = await ReferralRequests.CreateAsync(thFp);
        var path = $"/api/v1/referrals/{r.Id}";
        AssertAt(r, Stage.Identified, "th-focal-point");

        // Screened: recruited online, confined under guard, forced to defraud: a presumed victim.
        using (var screening = await PartnerApi.PostAsync(thFp, $"{path}/screening", new ScreeningRequest(["recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"]), r.Version))
        {
            var result = await PartnerApi.ReadAsync<ScreeningResult>(screening);
            Assert.Equal(ScreeningOutcome.PresumedVictim, result.Outcome);
            Assert.Equal(new ScreeningElements(true, true, true), result.Elements);
            Assert.Equal("\"2\"", screening.Headers.ETag?.Tag);
        }

        r = (await PartnerApi.GetReferralAsync(thFp, r.Id))!;
        AssertAt(r, Stage.Screened, "th-focal-point");
        Assert.True(r.NonPunishment);

        // She consents to services, to sharing with the Bangkok shelter and Viet Nam's focal point, and to return.
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "th-shelter-bangkok", true, ConsentMethod.Written), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Written), r.Version);
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written), r.Version);
        Assert.Equal(4, r.Consents.Count);

        // Sheltered in Bangkok through a service handoff; the shelter sees the offer, not the referral, until it accepts.
        var shelterOffer = await OfferAsync(thFp, path, new HandoffRequest("th-shelter-bangkok", HandoffKind.Service, [ServiceKind.Shelter, ServiceKind.Medical], "Needs a bed tonight", null, null));
        var inbox = await Eventually.Until(() => PartnerApi.InboxAsync(thShelter), i => i.Any(x => x.HandoffId == shelterOffer.Id));
        var item = Assert.Single(inbox, x => x.HandoffId == shelterOffer.Id);
        Assert.Equal((Stage.Screened, ScreeningOutcome.PresumedVictim), (item.Stage, item.ScreeningOutcome));
        using (var before = await thShelter.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        r = await PartnerApi.ChangeAsync(thShelter, $"{path}/handoffs/{shelterOffer.Id}/accept", null);
        AssertAt(r, Stage.InProtection, "th-focal-point", "th-shelter-bangkok");
        r = await PartnerApi.ChangeAsync(thShelter, $"{path}/services", new ServiceRequest(ServiceKind.Shelter, ServiceStatus.Started, null));
        await Eventually.Until(() => PartnerApi.InboxAsync(thShelter), i => i.All(x => x.HandoffId != shelterOffer.Id));

        // Repatriation requested: custody offered from Thailand's focal point to Viet Nam's.
        var repatriation = await OfferAsync(thFp, path, new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null));
        Assert.True(repatriation.CrossBorder);
        r = (await PartnerApi.GetReferralAsync(thFp, r.Id))!;
        AssertAt(r, Stage.RepatriationRequested, "th-focal-point", "th-shelter-bangkok");
        var vnInbox = await Eventually.Until(() => PartnerApi.InboxAsync(vnFp), i => i.Any(x => x.HandoffId == repatriation.Id));
        Assert.Equal(["TH", "VN"], vnInbox.Single(x => x.HandoffId == repatriation.Id).Countries.Order());

        // Viet Nam accepts (a participant now; custody stays in Thailand) and verifies her nationality.
        r = await PartnerApi.ChangeAsync(vnFp, $"{path}/handoffs/{repatriation.Id}/accept", null);
        AssertAt(r, Stage.RepatriationRequested, "th-focal-point", "th-shelter-bangkok", "vn-focal-point");
        r = await PartnerApi.ChangeAsync(vnFp, $"{path}/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null), r.Version);
        AssertAt(r, Stage.NationalityVerified, "th-focal-point", "th-shelter-bangkok", "vn-focal-point");

        // The return is planned through Moc Bai and confirmed by both sides; custody moves only then.
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/return-plan", new ReturnPlanRequest(TravelDocument.EmergencyTravelDocument, new DateOnly(2026, 12, 4), "Moc Bai", "IOM escort"), r.Version);
        AssertAt(r, Stage.ReturnPlanned, "th-focal-point", "th-shelter-bangkok", "vn-focal-point");
        r = await PartnerApi.ChangeAsync(thFp, $"{path}/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow), r.Version);
        AssertAt(r, Stage.ReturnPlanned, "th-focal-point", "th-shelter-bangkok", "vn-focal-point");
        r = await PartnerApi.ChangeAsync(vnFp, $"{path}/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow), r.Version);
        AssertAt(r, Stage.Returned, "vn-focal-point", "th-shelter-bangkok", "th-focal-point");
        Assert.Equal([ReturnSide.Sending, ReturnSide.Receiving], r.ReturnConfirmations.Select(c => c.Side));

        // Home: Viet Nam's focal point refers her on to a reintegration NGO.
        r = await PartnerApi.ChangeAsync(vnFp, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-ngo-reintegration", true, ConsentMethod.Written), r.Version);
        var reintegration = await OfferAsync(vnFp, path, new HandoffRequest("vn-ngo-reintegration", HandoffKind.Service, [ServiceKind.Reintegration, ServiceKind.Vocational], null, null, null));
        r = await PartnerApi.ChangeAsync(vnNgo, $"{path}/handoffs/{reintegration.Id}/accept", null);
        AssertAt(r, Stage.Reintegration, "vn-focal-point", "th-shelter-bangkok", "th-focal-point", "vn-ngo-reintegration");
        r = await PartnerApi.ChangeAsync(vnNgo, $"{path}/services", new ServiceRequest(ServiceKind.Reintegration, ServiceStatus.Delivered, "Enrolled in a vocational course"));

        // Closed as reintegrated; the loop is closed with those who handed the case on.
        r = await PartnerApi.ChangeAsync(vnFp, $"{path}/close", new CloseRequest(ClosureReason.Reintegrated), r.Version);
        AssertAt(r, Stage.Closed, "vn-focal-point", "th-shelter-bangkok", "th-focal-point", "vn-ngo-reintegration");
        using (var late = await PartnerApi.PostAsync(vnNgo, $"{path}/services", new ServiceRequest(ServiceKind.Reintegration, ServiceStatus.Delivered, null)))
        {
            await Problem.AssertAsync(late, HttpStatusCode.Conflict, "transition-not-allowed");
        }

        // The history is the audit trail: numbered without gaps, every step in order, nobody's name in it.
        var historyText = await thFp.GetStringAsync($"{path}/history");
        var history = JsonSerializer.Deserialize<List<JsonElement>>(historyText)!;
        Assert.Equal(Enumerable.Range(1, r.Version), history.Select(h => h.GetProperty("number").GetInt32()));
        Assert.Equal(
            ["ReferralIdentified", "ReferralScreened", "ConsentRecorded", "ConsentRecorded", "ConsentRecorded", "ConsentRecorded",
             "HandoffOffered", "HandoffAccepted", "ServiceRecorded", "HandoffOffered", "HandoffAccepted", "NationalityVerified",
             "ReturnPlanned", "ReturnConfirmed", "ReturnConfirmed", "ConsentRecorded", "HandoffOffered", "HandoffAccepted",
             "ServiceRecorded", "ReferralClosed"],
            history.Select(h => h.GetProperty("type").GetString()));
        Assert.DoesNotContain(ReferralRequests.GivenName, historyText, StringComparison.Ordinal);
        Assert.DoesNotContain(ReferralRequests.FamilyName, historyText, StringComparison.Ordinal);
        Assert.DoesNotContain("vocational course", historyText, StringComparison.Ordinal);
        var closed = history.Last().GetProperty("event");
        Assert.Equal(["th-focal-point"], closed.GetProperty("reportTo").EnumerateArray().Select(x => x.GetString()).Order());

        // The list follows: Viet Nam holds a closed referral; the Bangkok shelter still sees the case it worked on.
        await Eventually.Until(() => ReferralRequests.ListAsync(vnFp, "?stage=closed"), l => l!.Items.Any(x => x.Id == r.Id && x.Holder == "vn-focal-point"));
        var shelterList = await Eventually.Until(() => ReferralRequests.ListAsync(thShelter), l => l!.Items.Any(x => x.Id == r.Id && x.Stage == Stage.Closed));
        Assert.Contains(shelterList!.Items, x => x.Id == r.Id && x.Stage == Stage.Closed);
    }

    private static async Task<HandoffView> OfferAsync(HttpClient client, string path, HandoffRequest request)
    {
        using var response = await PartnerApi.PostAsync(client, $"{path}/handoffs", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var handoff = await PartnerApi.ReadAsync<HandoffView>(response);
        Assert.Equal(HandoffStatus.Offered, handoff.Status);
        return handoff;
    }

    private static void AssertAt(ReferralView referral, Stage stage, string holder, params string[] participants)
    {
        Assert.Equal(stage, referral.Stage);
        Assert.Equal(holder, referral.Holder);
        Assert.Equal(participants.Order(), referral.Participants.Order());
    }
}
