using System.Net;
using System.Net.Http.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;
using ShelterCaseSystem;

namespace ReferralNetwork.Tests.Partners;

/// <summary>
/// The sample partner (samples/ShelterCaseSystem) run as a shelter would run it, against an embedded platform of its
/// own on Kestrel, both on loopback over real HTTP: it reports its one bed and subscribes; Thailand's focal point offers
/// it a person, the webhook reaches it, it accepts, the shelter becomes the holder, records the service and reports no
/// free bed; a second offer is declined for want of one. A platform of its own, because the sample answers every offer
/// made to its organization, which other tests' offers on the shared platform would be.
/// </summary>
public sealed class ShelterCaseSystemTests
{
    private const string Shelter = "th-shelter-bangkok";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_sample_accepts_an_offer_that_fits_its_capacity_and_declines_one_that_does_not()
    {
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["Webhooks:PollInterval"] = "00:00:00.050",
                // The sample listens on loopback over plain http: named as an allowed target, as an operator names a partner
                // inside its own network, rather than relying on the embedded profile's leniency for development.
                ["Webhooks:AllowedTargets:0"] = "127.0.0.1",
            },
        };
        platform.UseKestrel(0);
        using var focalPoint = await platform.ClientForAsync("th-focal-point");
        using var shelterView = await platform.ClientForAsync(Shelter);
        var shelterUrl = $"http://127.0.0.1:{FreePorts.OnLoopback(1)[0]}/";
        await using var sample = ShelterApp.Build(
        [
            $"--urls={shelterUrl}",
            $"--contentRoot={Repository.PathOf("samples", "ShelterCaseSystem")}",
            $"--ReferralNetwork:BaseAddress={focalPoint.BaseAddress}",
            $"--ReferralNetwork:ClientId={Shelter}",
            $"--ReferralNetwork:ClientSecret={PlatformFactory.DemoSecret}",
            $"--Shelter:OrganizationId={Shelter}",
            $"--Shelter:PublicUrl={shelterUrl}",
            "--Shelter:Beds=1",
        ]);
        await sample.StartAsync();

        var subscribed = await Eventually.Until(() => WebhooksAsync(shelterView), hooks => hooks.Any(h => h.Url == shelterUrl + "webhooks/referral-network"), Deadline);
        var bedsAtStart = await Eventually.Until(() => BedsAsync(shelterView), beds => beds is { Available: 1 }, Deadline);

        var first = await OfferToShelterAsync(focalPoint);
        var accepted = await Eventually.Until(() => ReferralAsync(focalPoint, first.Referral), r => r.Holder == Shelter && r.Services.Count > 0, Deadline);
        var bedsAfter = await Eventually.Until(() => BedsAsync(shelterView), beds => beds is { Available: 0 }, Deadline);

        var second = await OfferToShelterAsync(focalPoint);
        var declined = await Eventually.Until(
            () => ReferralAsync(focalPoint, second.Referral), r => r.Handoffs.Single().Status != HandoffStatus.Offered, Deadline);

        using var forged = new HttpRequestMessage(HttpMethod.Post, shelterUrl + "webhooks/referral-network") { Content = JsonContent.Create(new { type = "handoff-offered" }) };
        forged.Headers.Add("webhook-id", "msg_forged");
        forged.Headers.Add("webhook-timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        forged.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(new byte[32]));
        using var toSample = new HttpClient();
        using var refused = await toSample.SendAsync(forged);

        Assert.Single(subscribed, h => h.Url == shelterUrl + "webhooks/referral-network");
        Assert.Equal(1, bedsAtStart!.Maximum);
        Assert.Equal(Shelter, accepted.Holder);
        Assert.Contains("th-focal-point", accepted.Participants);
        Assert.Equal(HandoffStatus.Accepted, Assert.Single(accepted.Handoffs, h => h.Id == first.Handoff).Status);
        var service = Assert.Single(accepted.Services);
        Assert.Equal((ServiceKind.Shelter, ServiceStatus.Started, Shelter), (service.Service, service.Status, service.OrganizationId));
        Assert.Equal((0, 1), (bedsAfter!.Available, bedsAfter.Maximum));
        var answer = Assert.Single(declined.Handoffs);
        Assert.Equal((second.Handoff, HandoffStatus.Declined, "No free bed at the moment."), (answer.Id, answer.Status, answer.Reason));
        Assert.Equal("th-focal-point", declined.Holder);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A person Thailand's focal point identified, consented to sharing with the shelter, offered to it for custody with a bed.</summary>
    private static async Task<(Guid Referral, Guid Handoff)> OfferToShelterAsync(HttpClient focalPoint)
    {
        var referral = await ReferralRequests.CreateAsync(focalPoint);
        var path = $"/api/v1/referrals/{referral.Id}";
        var consented = await PartnerApi.ChangeAsync(focalPoint, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Shelter, true, ConsentMethod.Written), referral.Version);
        using var offered = await PartnerApi.PostAsync(
            focalPoint, $"{path}/handoffs", new HandoffRequest(Shelter, HandoffKind.Custody, [ServiceKind.Shelter], null, null, null), consented.Version);
        return (referral.Id, (await PartnerApi.ReadAsync<HandoffView>(offered)).Id);
    }

    private static async Task<ReferralView> ReferralAsync(HttpClient client, Guid id) => (await PartnerApi.GetReferralAsync(client, id))!;

    private static async Task<List<WebhookView>> WebhooksAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<WebhookView>>("/api/v1/webhooks", Json.Options))!;

    private static async Task<CapacityView?> BedsAsync(HttpClient client)
    {
        var directory = await client.GetFromJsonAsync<List<OrganizationView>>("/api/v1/organizations?country=TH&service=shelter", Json.Options);
        return directory!.Single(o => o.Id == Shelter).Services.Single(s => s.Service == ServiceKind.Shelter).Capacities?.SingleOrDefault(c => c.Unit == "beds");
    }
}
