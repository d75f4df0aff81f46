using System.Net.Http.Headers;
using System.Net.Http.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Production;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.EndToEnd.Embedded;

/// <summary>
/// Key rotation as an operator does it, with the real executable: stop the platform, run <c>rotate-keys</c> on its
/// key ring, start it again. The ring gains a current key and keeps the old one; the next start reseals every referral
/// under the new key (and says so), and the person's data still opens.
/// </summary>
public sealed class RotateKeysCommandTests(ITestOutputHelper output) : IAsyncDisposable
{
    private const string FocalPoint = "th-focal-point";

    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-rotate");
    private SiloProcess? _platform;

    [Fact]
    public async Task Rotate_keys_adds_a_current_key_and_the_next_start_reseals_every_referral_under_it()
    {
        var data = Path.Combine(_folder.Path, "data");
        var settings = EmbeddedPlatform.Settings(data, "rotate");
        var platform = _platform = new SiloProcess("embedded", settings, _folder.Path);
        var tokens = new TokenClient(() => platform.Http);

        await platform.StartAsync();
        ReferralView referral;
        using (var http = await ClientAsync(platform, tokens))
        {
            referral = await ReferralRequests.CreateAsync(http);
        }

        await platform.StopAsync();

        var ringPath = Path.Combine(data, "keys", StorageProtection.DevelopmentRingFile);
        var before = KeyRing.Load(ringPath).CurrentKeyId(KeyRing.Regional);
        var rotated = await PlatformExecutable.RunAsync(settings, PlatformCommand.RotateKeys);
        output.WriteLine(rotated.Output);
        var ring = KeyRing.Load(ringPath);
        var after = ring.CurrentKeyId(KeyRing.Regional);

        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("has new current keys", rotated.Output, StringComparison.Ordinal);
        Assert.NotEqual(before, after);
        Assert.Contains(before, ring.KeyIds(KeyRing.Regional)); // what the old key sealed must still open
        Assert.Contains(before, SealedRows.KeyIds(data));

        var startedAt = LogTail.End(platform.LogPath);
        await platform.StartAsync();
        var log = await Eventually.Until(
            () => Task.FromResult(LogTail.Of(platform.LogPath, startedAt)),
            text => text.Contains("Resealed 1 referrals under the current keys", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        Assert.True(log.Contains("Resealed 1 referrals under the current keys", StringComparison.Ordinal), $"No reseal logged after the restart:\n{log}");
        var keys = SealedRows.KeyIds(data);
        Assert.True(keys.Count > 0 && keys.All(k => k == after), $"Rows sealed under: {string.Join(", ", keys.Distinct())}; current key {after}");

        using var again = await ClientAsync(platform, tokens);
        var subject = await again.GetFromJsonAsync<SubjectView>($"/api/v1/referrals/{referral.Id}/subject?purpose=case-work", Json.Options);
        Assert.Equal((ReferralRequests.GivenName, ReferralRequests.FamilyName), (subject!.GivenName, subject.FamilyName));
    }

    /// <summary>A client of its own for each start, so that no connection to the stopped process is reused; tokens outlive restarts.</summary>
    private static async Task<HttpClient> ClientAsync(SiloProcess platform, TokenClient tokens)
    {
        var http = new HttpClient { BaseAddress = platform.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.AccessTokenAsync(FocalPoint, EmbeddedPlatform.DemoSecret));
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
