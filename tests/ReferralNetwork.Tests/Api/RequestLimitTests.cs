using System.Net;
using System.Net.Sockets;
using System.Text;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Api;

/// <summary>
/// Over the real Kestrel server, which would answer an over-long address or over-large headers itself with no body:
/// the platform's own limits answer first, as problems, and every answer carries the safety headers and no banner.
/// </summary>
public sealed class RequestLimitTests(OwnKestrelPlatform platform) : IClassFixture<OwnKestrelPlatform>
{
    [Theory]
    [InlineData('x', 20_000)]
    [InlineData('ក', 8_000)] // Khmer: nine characters each once percent-encoded, 72,000 in all
    public async Task An_over_long_address_gets_a_414_problem(char character, int count)
    {
        using var client = await platform.Factory.ClientForAsync("th-focal-point");

        using var answer = await client.GetAsync("/api/v1/referrals?stage=" + new string(character, count));

        var problem = await Problem.AssertAsync(answer, HttpStatusCode.RequestUriTooLong, "uri-too-long");
        Assert.Contains("at most 8192 are accepted", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_40_kilobyte_header_and_too_many_headers_get_431_problems()
    {
        using var client = await platform.Factory.ClientForAsync("th-focal-point");
        using var large = new HttpRequestMessage(HttpMethod.Get, "/api/v1/referrals");
        large.Headers.Add("X-Partner-Note", new string('x', 40 * 1024));
        using var many = new HttpRequestMessage(HttpMethod.Get, "/api/v1/referrals");
        for (var i = 0; i < 150; i++)
        {
            many.Headers.Add($"X-Note-{i}", "n");
        }

        using var tooLarge = await client.SendAsync(large);
        using var tooMany = await client.SendAsync(many);

        Assert.Contains("at most 32768 are accepted", (await Problem.AssertAsync(tooLarge, HttpStatusCode.RequestHeaderFieldsTooLarge, "headers-too-large")).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("at most 100 are accepted", (await Problem.AssertAsync(tooMany, HttpStatusCode.RequestHeaderFieldsTooLarge, "headers-too-large")).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/referrals")] // refused: no token
    [InlineData("/health/live")]
    [InlineData("/console")] // leads to the sign-in page, which has its own, stricter policy
    [InlineData("/console.css")]
    public async Task Every_answer_carries_the_safety_headers_and_no_server_banner(string path)
    {
        using var client = platform.Factory.CreateClient();

        using var answer = await client.GetAsync(path);

        Assert.Equal("nosniff", Assert.Single(answer.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(answer.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("frame-ancestors 'none'", Assert.Single(answer.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.False(answer.Headers.Contains("Server"));
        Assert.False(answer.Headers.Contains("Strict-Transport-Security")); // plain http on loopback: HSTS means nothing here
    }

    [Fact]
    public async Task Past_the_raised_kestrel_limit_kestrel_still_refuses_alone_and_the_platform_keeps_serving()
    {
        // A request line beyond eight times the platform's limit: not a partner's mistake; Kestrel answers, and the
        // connection's end does not disturb the next request.
        using var client = platform.Factory.CreateClient();
        var address = client.BaseAddress!;
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(address.Host, address.Port);
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /{new string('a', 200_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            var buffer = new byte[256];
            var read = await stream.ReadAsync(buffer);
            Assert.StartsWith("HTTP/1.1 414", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
