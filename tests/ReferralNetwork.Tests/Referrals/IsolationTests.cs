using System.Net;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>
/// Every route, as every demo organization: a referral exists only for its holder and participants (404 for
/// everyone else, never 403), the subject only for those DESIGN §3 allows, and the secretariat sees none.
/// </summary>
public sealed class IsolationTests(SharedPlatform platform)
{
    private static readonly string[] Organizations =
    [
        "th-focal-point", "th-shelter-bangkok", "vn-focal-point", "vn-shelter-hanoi", "vn-ngo-reintegration",
        "kh-focal-point", "kh-shelter-phnom-penh", "la-focal-point", "mm-focal-point", "regional-secretariat",
    ];

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task No_route_shows_a_referral_or_its_subject_to_an_organization_outside_it()
    {
        // Held by Thailand's focal point; the Bangkok shelter is a participant without a share consent;
        // Viet Nam's focal point has an open offer in its inbox but has not accepted it.
        using var holder = await Factory.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(holder);
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Verbal));
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Verbal));
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Verbal));
        using (var shelterOffer = await PartnerApi.PostAsync(holder, $"{path}/handoffs",
                   new HandoffRequest("th-shelter-bangkok", HandoffKind.Service, [ServiceKind.Shelter], null, null, "Night arrival; consent to be taken in the morning")))
        {
            var offer = await PartnerApi.ReadAsync<HandoffView>(shelterOffer);
            using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
            await PartnerApi.ChangeAsync(shelter, $"{path}/handoffs/{offer.Id}/accept", null);
        }

        using (var repatriation = await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null)))
        {
            Assert.Equal(HttpStatusCode.Created, repatriation.StatusCode);
        }

        var visible = new HashSet<string> { "th-focal-point", "th-shelter-bangkok" };
        var subjectVisible = new HashSet<string> { "th-focal-point" };
        var target = "vn-focal-point";

        foreach (var organization in Organizations)
        {
            using var client = await Factory.ClientForAsync(organization);
            var secretariat = organization == "regional-secretariat";

            foreach (var read in new[] { "", "/history" })
            {
                using var response = await client.GetAsync($"{path}{read}");
                var expected = secretariat ? HttpStatusCode.Forbidden : visible.Contains(organization) ? HttpStatusCode.OK : HttpStatusCode.NotFound;
                Assert.True(expected == response.StatusCode, $"{organization} GET {read}: {(int)response.StatusCode}");
            }

            using (var subject = await client.GetAsync($"{path}/subject?purpose=case-work"))
            {
                var expected = secretariat ? HttpStatusCode.Forbidden : subjectVisible.Contains(organization) ? HttpStatusCode.OK : HttpStatusCode.NotFound;
                Assert.True(expected == subject.StatusCode, $"{organization} GET /subject: {(int)subject.StatusCode}");
            }

            if (visible.Contains(organization))
            {
                continue;
            }

            // Every state change, as an outsider (or the secretariat): nothing exists, nothing changes.
            var unknownHandoff = Guid.NewGuid();
            var changes = new (string Path, object Body)[]
            {
                ("/screening", new ScreeningRequest(["forced-labour"])),
                ("/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Verbal)),
                ("/handoffs", new HandoffRequest("kh-focal-point", HandoffKind.Custody, null, null, null, null)),
                ($"/handoffs/{unknownHandoff}/accept", new { }),
                ($"/handoffs/{unknownHandoff}/decline", new ReasonRequest("no")),
                ($"/handoffs/{unknownHandoff}/withdraw", new ReasonRequest(null)),
                ("/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null)),
                ("/return-plan", new ReturnPlanRequest(TravelDocument.Passport, new DateOnly(2026, 12, 1), "Poipet", null)),
                ("/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow)),
                ("/services", new ServiceRequest(ServiceKind.Medical, ServiceStatus.Started, null)),
                ("/close", new CloseRequest(ClosureReason.Duplicate)),
                ("/subject/emergency-access", new EmergencyAccessRequest("curious")),
            };
            foreach (var (change, body) in changes)
            {
                using var response = await PartnerApi.PostAsync(client, $"{path}{change}", body);
                var expected = secretariat ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;
                Assert.True(expected == response.StatusCode, $"{organization} POST {change}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            if (!secretariat)
            {
                var list = await ReferralRequests.ListAsync(client);
                Assert.DoesNotContain(list!.Items, r => r.Id == referral.Id);
            }

            if (organization != target && !secretariat)
            {
                Assert.DoesNotContain(await PartnerApi.InboxAsync(client), i => i.ReferralId == referral.Id);
            }
        }

        // The target sees the offer, and only the offer.
        using var vietnam = await Factory.ClientForAsync(target);
        var inbox = await Eventually.Until(() => PartnerApi.InboxAsync(vietnam), i => i.Any(x => x.ReferralId == referral.Id));
        Assert.Contains(inbox, i => i.ReferralId == referral.Id && i.Kind == HandoffKind.Custody);

        // Nothing the outsiders did changed the referral.
        var after = await PartnerApi.GetReferralAsync(holder, referral.Id);
        Assert.Equal(Stage.RepatriationRequested, after!.Stage);
        Assert.Equal(7, after.Version); // identified, three consents, the shelter offer and its acceptance, the repatriation offer
    }
}
