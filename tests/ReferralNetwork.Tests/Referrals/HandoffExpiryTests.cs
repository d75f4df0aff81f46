using System.Text.Json.Nodes;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

public sealed class HandoffExpiryTests
{
    private static readonly string[] Fp = [Scopes.ReferralsRead, Scopes.ReferralsWrite, Scopes.SubjectRead];
    private static readonly Caller Thailand = new("th-focal-point", "TH", OrganizationKind.FocalPoint, Fp);
    private static readonly OrganizationRef Vietnam = new("vn-focal-point", "VN", OrganizationKind.FocalPoint);

    /// <summary>A durable reminder, not a polling loop: it survives the silo that registered it.</summary>
    [Fact]
    public async Task Unanswered_offer_expires_and_notifies_the_holder_even_after_the_silo_restarts()
    {
        using var data = new TempFolder();
        var id = Guid.NewGuid();
        Guid offerId;
        await using (var first = await GrainCluster.StartAsync(data.Path))
        {
            var referral = first.Grains.GetGrain<IReferralGrain>(id);
            await referral.Create(Thailand, ReferralRequests.Command(Thailand));
            await referral.RecordConsent(Thailand, null, new ReferralCommand.RecordConsent(ConsentPurpose.Return, null, true, ConsentMethod.Written));
            await referral.RecordConsent(Thailand, null, new ReferralCommand.RecordConsent(ConsentPurpose.Share, Vietnam.Id, true, ConsentMethod.Written));
            var offer = await referral.Offer(Thailand, null, new ReferralCommand.Offer(Vietnam, HandoffKind.Custody, [], null, DateTimeOffset.UtcNow.AddSeconds(4), null));
            offerId = offer.Id;
            Assert.Equal(Stage.RepatriationRequested, (await referral.Get(Thailand)).Stage);
        }

        await using var second = await GrainCluster.StartAsync(data.Path);
        var expired = await second.Harness.Published.Any<HandoffExpired>(m => m.Context.Message.HandoffId == offerId, TestContext.Current.CancellationToken);
        var view = await second.Grains.GetGrain<IReferralGrain>(id).Get(Thailand);

        Assert.True(expired, "no HandoffExpired was published");
        Assert.Equal(HandoffStatus.Expired, Assert.Single(view.Handoffs).Status);
        Assert.Equal(Stage.InProtection, view.Stage);
        var e = second.Harness.Published.Select<HandoffExpired>(TestContext.Current.CancellationToken).Single().Context.Message;
        Assert.Equal(["th-focal-point"], e.ReportTo);
        Assert.Equal(view.Version, e.Number);
    }

    [Fact]
    public async Task Every_event_is_published_as_recorded_in_the_history_and_carries_nothing_personal()
    {
        using var data = new TempFolder();
        await using var cluster = await GrainCluster.StartAsync(data.Path);
        var referral = cluster.Grains.GetGrain<IReferralGrain>(Guid.NewGuid());
        var shelter = new OrganizationRef("th-shelter-bangkok", "TH", OrganizationKind.Shelter);
        var asShelter = new Caller(shelter.Id, "TH", OrganizationKind.Shelter, Fp);

        await referral.Create(Thailand, ReferralRequests.Command(Thailand));
        await referral.Screen(Thailand, 1, new ReferralCommand.Screen(["recruited-social-media", "debt-bondage", "forced-labour"]));
        await referral.RecordConsent(Thailand, 2, new ReferralCommand.RecordConsent(ConsentPurpose.Share, shelter.Id, true, ConsentMethod.Written));
        var offer = await referral.Offer(Thailand, 3, new ReferralCommand.Offer(shelter, HandoffKind.Custody, [], "Bed 12 is free", null, null));
        await referral.Accept(asShelter, 4, offer.Id);
        await referral.Close(asShelter, 5, new ReferralCommand.Close(ClosureReason.LocalIntegration));
        var history = await referral.GetHistory(asShelter);

        Assert.Equal(Enumerable.Range(1, 6), history.Select(h => h.Number));
        Assert.True(await cluster.Harness.Published.Any<ReferralClosed>(TestContext.Current.CancellationToken));
        var all = cluster.Harness.Published.Select(m => m.MessageObject is IReferralEvent, TestContext.Current.CancellationToken).ToList();
        Assert.Equal(history.Count, all.Count);
        foreach (var entry in history)
        {
            var published = Assert.Single(all, m => ((IReferralEvent)m.MessageObject).Number == entry.Number);
            var json = System.Text.Json.JsonSerializer.Serialize(published.MessageObject, published.MessageType, Json.Options);
            Assert.Equal(entry.Type, published.MessageType.Name);
            var recorded = System.Text.Json.JsonSerializer.Serialize(entry.Event, entry.Event.GetType(), Json.Options);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(recorded), JsonNode.Parse(json)), $"published {json} but recorded {recorded}");
            Assert.DoesNotContain(ReferralRequests.GivenName, json, StringComparison.Ordinal);
            Assert.DoesNotContain(ReferralRequests.FamilyName, json, StringComparison.Ordinal);
            // The date of birth as a whole ISO date: a Guid's groups (8-4-4-4-12) cannot form it, and every time an
            // event carries is of this year, so its absence is not luck.
            Assert.DoesNotContain("2002-03-14", json, StringComparison.Ordinal);
            Assert.DoesNotContain("Bed 12", json, StringComparison.Ordinal);
        }
    }
}
