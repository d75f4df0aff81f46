using System.Net;
using System.Net.Sockets;
using ReferralNetwork.Hosting;
using ReferralNetwork.Webhooks;

namespace ReferralNetwork.Tests.Webhooks;

/// <summary>Production posts to public addresses only, unless listed; the check is made on what the host resolves to when connecting.</summary>
public sealed class WebhookTargetTests
{
    private static WebhookTargets Production(params string[] allowed) => new(new WebhookOptions { AllowedTargets = [.. allowed] }, PlatformProfile.Production);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("10.0.0.7")]
    [InlineData("172.20.1.1")]
    [InlineData("192.168.1.10")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::5")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Production_refuses_non_public_addresses(string address) =>
        Assert.False(Production().Allows("partner.example", IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    public void Production_allows_public_addresses(string address) =>
        Assert.True(Production().Allows("partner.example", IPAddress.Parse(address)));

    [Fact]
    public void Allowed_targets_open_a_host_an_address_or_a_range()
    {
        var targets = Production("10.20.0.0/16", "192.168.5.5", "hooks.internal");
        Assert.True(targets.Allows("a.example", IPAddress.Parse("10.20.3.4")));
        Assert.False(targets.Allows("a.example", IPAddress.Parse("10.21.3.4")));
        Assert.True(targets.Allows("a.example", IPAddress.Parse("192.168.5.5")));
        Assert.False(targets.Allows("a.example", IPAddress.Parse("192.168.5.6")));
        Assert.True(targets.Allows("hooks.internal", IPAddress.Parse("10.99.0.1")));
    }

    [Fact]
    public void The_embedded_profile_allows_loopback_only()
    {
        var targets = new WebhookTargets(new WebhookOptions(), PlatformProfile.Embedded);
        Assert.True(targets.Allows("localhost", IPAddress.Loopback));
        Assert.True(targets.Allows("localhost", IPAddress.IPv6Loopback));
        Assert.False(targets.Allows("partner.example", IPAddress.Parse("10.0.0.7")));
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_when_connecting()
    {
        // A real server on loopback; "localhost" is a name, so only what it resolves to at connect time tells.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = Production().ConnectAsync });
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync($"http://localhost:{port}/hook", new StringContent("{}")));
        Assert.IsType<WebhookTargetRefusedException>(refused.InnerException);
        Assert.False(listener.Pending());

        // Listed, the same target is reached.
        using var allowed = new HttpClient(new SocketsHttpHandler { ConnectCallback = Production("localhost").ConnectAsync });
        var sending = allowed.PostAsync($"http://localhost:{port}/hook", new StringContent("{}"));
        using var accepted = await listener.AcceptTcpClientAsync();
        Assert.True(accepted.Connected);
        allowed.CancelPendingRequests();
        await Assert.ThrowsAnyAsync<Exception>(() => sending);
    }

    [Fact]
    public async Task Production_refuses_plain_http_and_internal_hosts_when_subscribing()
    {
        Assert.NotNull(await Production().RefusalOfAsync("http://93.184.216.34/hook", CancellationToken.None));
        Assert.NotNull(await Production().RefusalOfAsync("https://127.0.0.1/hook", CancellationToken.None));
        Assert.NotNull(await Production().RefusalOfAsync("https://localhost/hook", CancellationToken.None));
        Assert.Null(await Production().RefusalOfAsync("https://93.184.216.34/hook", CancellationToken.None));
        Assert.Null(await Production("127.0.0.1").RefusalOfAsync("https://127.0.0.1/hook", CancellationToken.None));
    }

    [Fact]
    public void The_retry_schedule_reads_the_default_and_refuses_nonsense()
    {
        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
             TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24)],
            new WebhookOptions().Schedule());
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)], WebhookOptions.ParseSchedule("00:01:00, 1d"));
        Assert.Throws<FormatException>(() => WebhookOptions.ParseSchedule("5 minutes"));
        Assert.Throws<FormatException>(() => WebhookOptions.ParseSchedule(""));
    }
}
