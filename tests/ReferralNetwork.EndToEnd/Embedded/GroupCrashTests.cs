using System.Net.Http.Headers;
using System.Net.Http.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Production;
using ReferralNetwork.Http;

namespace ReferralNetwork.EndToEnd.Embedded;

/// <summary>
/// A group operation is a durable intent: the embedded platform is killed with SIGKILL halfway through a group's custody
/// offer; after the restart on the same data folder, and without anyone touching the group, the offer reaches every
/// member, each exactly once, and the group records each one's handoff.
/// </summary>
public sealed class GroupCrashTests(ITestOutputHelper output) : IAsyncDisposable
{
    private const string Holder = "th-focal-point";
    private const string Origin = "vn-focal-point";
    private const int Members = 300;
    private static readonly TimeSpan ConvergenceBound = TimeSpan.FromMinutes(3);

    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-group-crash");
    private SiloProcess? _platform;

    [Fact]
    public async Task Kill_9_halfway_through_a_group_offer_finishes_it_after_restart_offering_no_one_twice()
    {
        var settings = EmbeddedPlatform.Settings(Path.Combine(_folder.Path, "data"), "group-crash");
        // Turns far enough apart that the kill lands in the middle of the offer, whatever the machine's speed.
        settings["Groups__TurnPause"] = "00:00:00.300";
        var platform = _platform = new SiloProcess("embedded", settings, _folder.Path);
        await platform.StartAsync();
        var tokens = new TokenClient(() => platform.Http);
        using var holder = Client(platform, await tokens.AccessTokenAsync(Holder, EmbeddedPlatform.DemoSecret));

        // Three hundred people identified in one go, each consenting to return and to sharing with the origin.
        var batch = await PartnerApi.ReadAsync<ReferralBatchResult>(await PartnerApi.PostAsync(holder, "/api/v1/referrals/batch",
            new CreateReferralBatchRequest([.. Enumerable.Range(0, Members).Select(i => new ReferralBatchItem($"surge-{i}", ReferralRequests.VietnameseWoman()))])));
        var ids = batch.Items.Select(i => i.Id!.Value).ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, _) =>
        {
            await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{id}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
            await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{id}/consents", new ConsentRequest(ConsentPurpose.Share, Origin, true, ConsentMethod.Written));
        });

        var group = await PartnerApi.ReadAsync<GroupView>(await PartnerApi.PostAsync(holder, "/api/v1/groups", new CreateGroupRequest("Charter flight, first day", ids)));
        using (var offer = await PartnerApi.PostAsync(holder, $"/api/v1/groups/{group.Id}/offer", new GroupOfferRequest(Origin, null, null)))
        {
            Assert.True(offer.IsSuccessStatusCode, await offer.Content.ReadAsStringAsync());
        }

        var halfway = await Eventually.Until(
            () => holder.GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", Json.Options),
            g => g!.Members.Count(m => m.Status == GroupMemberStatus.Offered) >= 32,
            TimeSpan.FromSeconds(60));
        await platform.KillAsync();
        var offeredBefore = halfway!.Members.Count(m => m.Status == GroupMemberStatus.Offered);
        output.WriteLine($"killed with {offeredBefore} of {Members} members seen offered");
        Assert.True(halfway.Operation is not null && offeredBefore < Members, "The offer was done before the kill: the test proved nothing.");

        // After the restart nobody reads the group: its own reminder must bring it back and finish the offer.
        await platform.StartAsync();
        using var origin = Client(platform, await tokens.AccessTokenAsync(Origin, EmbeddedPlatform.DemoSecret));
        var inbox = await Eventually.Until(
            () => origin.GetFromJsonAsync<List<InboxItem>>($"/api/v1/inbox?limit={Members}", Json.Options),
            i => i!.Count(o => ids.Contains(o.ReferralId)) >= Members,
            ConvergenceBound);
        Assert.Equal(Members, inbox!.Count(o => ids.Contains(o.ReferralId)));

        var done = await Eventually.Until(
            () => holder.GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", Json.Options), g => g!.Operation is null, ConvergenceBound);
        Assert.All(done!.Members, m => Assert.Equal(GroupMemberStatus.Offered, m.Status));
        await Parallel.ForEachAsync(done.Members, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (member, _) =>
        {
            // Exactly one offer per person, the one the group recorded, numbered as a single offer would be.
            var referral = (await PartnerApi.GetReferralAsync(holder, member.ReferralId))!;
            var handoff = Assert.Single(referral.Handoffs);
            Assert.Equal((member.HandoffId, Origin, HandoffStatus.Offered), (handoff.Id, handoff.To, handoff.Status));
            Assert.Equal(4, referral.Version);
        });
    }

    private static HttpClient Client(SiloProcess platform, string token)
    {
        // A batch of 300 people on a machine busy with the rest of the suite takes longer than a single call's usual 30 s.
        var http = new HttpClient { BaseAddress = platform.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        _folder.Dispose();
    }
}
