using System.Net;
using System.Net.Http.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Api;

public sealed class EmbeddedRestartTests
{
    [Fact]
    public async Task What_was_acknowledged_is_there_after_a_stop_and_start()
    {
        using var data = new TempFolder();
        ReferralView created;
        await using (var first = new PlatformFactory(data.Path))
        {
            using var client = await first.ClientForAsync("th-focal-point");
            created = await ReferralRequests.CreateAsync(client);
            await Eventually.Until(() => ReferralRequests.ListAsync(client), l => l!.Total == 1);
        }

        await using var second = new PlatformFactory(data.Path);
        using var again = await second.ClientForAsync("th-focal-point");
        using var read = await again.GetAsync($"/api/v1/referrals/{created.Id}");
        var subject = await again.GetFromJsonAsync<SubjectView>($"/api/v1/referrals/{created.Id}/subject?purpose=case-work", PlatformFactory.JsonOptions);
        var list = await ReferralRequests.ListAsync(again);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equivalent(created, await read.Content.ReadFromJsonAsync<ReferralView>(PlatformFactory.JsonOptions), strict: true);
        Assert.Equal(ReferralRequests.GivenName, subject!.GivenName);
        Assert.Equal(created.Id, Assert.Single(list!.Items).Id);
        Assert.True(File.Exists(Path.Combine(data.Path, "grains.db")));
        Assert.True(File.Exists(Path.Combine(data.Path, "keys", "development-signing.pfx")));
    }
}
