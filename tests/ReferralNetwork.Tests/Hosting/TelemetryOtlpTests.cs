using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Hosting;

/// <summary>
/// With only the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces and metrics reach an OTLP receiver (here a
/// stand-in that keeps what it is sent), and what is sent names route templates, not the query.
/// </summary>
public sealed class TelemetryOtlpTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private HttpListener _receiver = null!;
    private Task _receiving = Task.CompletedTask;
    private PlatformFactory _platform = null!;

    public ValueTask InitializeAsync()
    {
        // A bare HttpListener, not an ASP.NET Core host: the platform's tracing would trace the receiver's own requests.
        var address = $"http://127.0.0.1:{FreePorts.OnLoopback(1)[0].ToString(CultureInfo.InvariantCulture)}/";
        _receiver = new HttpListener();
        _receiver.Prefixes.Add(address);
        _receiver.Start();
        _receiving = ReceiveAsync();

        _platform = new PlatformFactory(_data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = address.TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                // Sooner than the defaults (5 s for spans, a minute for metrics): the test waits for them.
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            },
        };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _platform.DisposeAsync();
        await _stop.CancelAsync();
        _receiver.Close();
        await _receiving;
        _stop.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Traces_and_metrics_reach_the_otlp_endpoint_named_by_the_standard_variable()
    {
        using var holder = await _platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(holder);

        using var answer = await holder.GetAsync($"/api/v1/referrals/{referral.Id}/subject?purpose=nationality-verification");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        const string route = "/api/v1/referrals/{id"; // a route template's start, whatever its constraint
        await Eventually.Until(
            () => Task.FromResult(_received.ToList()),
            // Until a metrics export after the create: one made before it carries no workflow counter yet.
            _ => Sent("/v1/metrics").Contains("referralnetwork.referrals.created", StringComparison.Ordinal)
                && Sent("/v1/traces").Contains(route, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        var traces = Sent("/v1/traces");
        Assert.Contains(route, traces, StringComparison.Ordinal);
        Assert.Contains("referral-network", traces, StringComparison.Ordinal);
        // The query string (here a purpose of reading a subject) never reaches a span. Not the bare word: the process's other
        // platforms (tests running alongside) emit on the same activity sources, and a route of theirs may contain it.
        Assert.DoesNotContain("purpose=", traces, StringComparison.Ordinal);
        Assert.Contains(_received, r => r.Path == "/v1/metrics" && r.ContentType == "application/x-protobuf" && r.Body.Length > 0);
        Assert.Contains("referralnetwork.referrals.created", Sent("/v1/metrics"), StringComparison.Ordinal);
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _receiver.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return; // closed
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    /// <summary>What was posted to <paramref name="path"/>, as text: protobuf keeps strings as UTF-8 bytes.</summary>
    private string Sent(string path) =>
        string.Join('\n', _received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));
}
