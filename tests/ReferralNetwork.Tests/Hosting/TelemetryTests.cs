using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Hosting;

/// <summary>
/// Telemetry on the real Kestrel server (docs/telemetry.md): Prometheus text on the operators' port and nowhere else,
/// labels no finer than the dashboards allow, server spans named by their route template without the query, JSON log
/// lines that carry the trace id, and workflow counts that an event adds to once however often its request is retried.
/// </summary>
public sealed partial class TelemetryTests : IAsyncLifetime
{
    private const string Holder = "kh-focal-point";
    private const string Target = "kh-shelter-phnom-penh";

    private readonly TempFolder _data = new();
    private readonly SpanCapture _spans = new();
    private FormattedLogs? _logs;
    private PlatformFactory _platform = null!;
    private HttpClient _operators = null!;

    public ValueTask InitializeAsync()
    {
        _platform = new PlatformFactory(_data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["Telemetry:MetricsPort"] = FreePorts.OnLoopback(1)[0].ToString(CultureInfo.InvariantCulture),
                ["Telemetry:MetricsAddress"] = "127.0.0.1",
                ["Telemetry:Tracing"] = "true",
                ["Telemetry:LogFormat"] = "json",
            },
            TestServices = services =>
            {
                _spans.Register(services);
                FormattedLogs.Register(services, logs => _logs = logs);
            },
        };
        _platform.UseKestrel(0);
        _platform.StartServer();
        _operators = new HttpClient { BaseAddress = _platform.Services.GetRequiredService<OperatorsPort>().Address };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _operators.Dispose();
        await _platform.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task The_operators_port_serves_prometheus_text_with_the_workflow_counters_after_a_referral_is_created_and_an_offer_answered()
    {
        await WalkAsync();

        using var scrape = await _operators.GetAsync(TelemetryOptions.ScrapePath);

        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Equal("text/plain", scrape.Content.Headers.ContentType?.MediaType);
        var samples = PrometheusText.Parse(await scrape.Content.ReadAsStringAsync());
        Assert.True(Sum(samples, "referralnetwork_referrals_created_total") >= 1);
        Assert.True(Sum(samples, "referralnetwork_handoffs_offered_total", ("kind", "custody")) >= 1);
        Assert.True(Sum(samples, "referralnetwork_handoffs_answered_total", ("kind", "custody"), ("outcome", "accepted")) >= 1);
        Assert.True(Sum(samples, "referralnetwork_handoffs_answered_total", ("kind", "service"), ("outcome", "declined")) >= 1);
        Assert.True(Sum(samples, "referralnetwork_handoffs_time_to_answer_seconds_count", ("kind", "custody"), ("outcome", "accepted")) >= 1);
        // The embedded writer of the platform database: the walk's events were saved through it.
        Assert.True(Sum(samples, "referralnetwork_platform_writer_batch_size_count") >= 1);
        Assert.True(Sum(samples, "referralnetwork_platform_writer_batch_duration_seconds_count") >= 1);

        // The frameworks' own: HTTP by route template, Orleans, MassTransit, the runtime.
        Assert.Contains(samples, s => s.Name == "http_server_request_duration_seconds_count" && AcceptRoute().IsMatch(s.Labels.GetValueOrDefault("http_route") ?? ""));
        Assert.Contains(samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name.StartsWith("messaging_masstransit_", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_public_port_has_no_scrape_path_not_even_for_an_organizations_admin_and_the_operators_port_serves_nothing_else()
    {
        using var anonymous = _platform.CreateClient();
        using var admin = await _platform.ClientForAsync("th-focal-point", "admin");

        using var adminScrape = await admin.GetAsync(TelemetryOptions.ScrapePath);
        using var anonymousScrape = await anonymous.GetAsync(TelemetryOptions.ScrapePath);
        using var anonymousNowhere = await anonymous.GetAsync("/no-such-address");

        // The public port knows no scrape path: an admin's token finds nothing there, and without a token it is asked
        // for one, like at any other address it does not serve.
        Assert.Equal(HttpStatusCode.NotFound, adminScrape.StatusCode);
        Assert.Equal(anonymousNowhere.StatusCode, anonymousScrape.StatusCode);
        Assert.DoesNotContain("# TYPE", await adminScrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("# TYPE", await anonymousScrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual(_platform.ClientOptions.BaseAddress.Port, _operators.BaseAddress!.Port);
        foreach (var path in new[] { "/", "/health/live", "/api/v1/referrals", "/connect/token", "/swagger/v1/swagger.json", "/metrics/../api/v1/inbox" })
        {
            using var answer = await _operators.GetAsync(path);
            Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"the operators' port answered {(int)answer.StatusCode} for {path}");
        }
    }

    [Fact]
    public async Task No_label_of_any_exported_series_is_a_country_an_organization_or_a_referral()
    {
        var walked = await WalkAsync();
        using var client = await _platform.ClientForAsync(Holder);
        var directory = (await client.GetFromJsonAsync<List<OrganizationView>>("/api/v1/organizations", Json.Options))!;
        var countries = directory.Select(o => o.Country).Concat(["VN", "KH", "LA", "MM", "TH", "CN", "REGIONAL"]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ids = directory.Select(o => o.Id).Concat(walked.SelectMany(id => new[] { id.ToString(), id.ToString("N") })).ToList();

        var samples = PrometheusText.Parse(await _operators.GetStringAsync(TelemetryOptions.ScrapePath));

        var offending = samples
            .SelectMany(s => s.Labels.Select(l => (Series: s.Name, l.Key, l.Value)))
            .Where(l => countries.Contains(l.Value)
                || ids.Any(id => l.Value.Contains(id, StringComparison.OrdinalIgnoreCase))
                || AnyGuid().IsMatch(l.Value))
            .Select(l => $"{l.Series}{{{l.Key}=\"{l.Value}\"}}")
            .Distinct()
            .ToList();
        Assert.Empty(offending);

        // Keys too: only those allowed, and the workflow's series carry the kind and the outcome at most.
        var allowed = Telemetry.AllowedLabels.Select(k => k.Replace('.', '_')).Concat(["le", "otel_scope_name", "otel_scope_version"]).ToHashSet(StringComparer.Ordinal);
        var keys = samples.Where(s => s.Name != "target_info").SelectMany(s => s.Labels.Keys.Select(k => (s.Name, Key: k))).ToList();
        Assert.Empty(keys.Where(k => !allowed.Contains(k.Key)).Select(k => $"{k.Name}: {k.Key}").Distinct());
        Assert.All(keys.Where(k => k.Name.StartsWith("referralnetwork_", StringComparison.Ordinal)), k =>
            Assert.Contains(k.Key, new[] { "kind", "outcome", "le", "otel_scope_name", "otel_scope_version" }));
        Assert.Contains(samples, s => s.Name.StartsWith("referralnetwork_", StringComparison.Ordinal) && s.Labels.ContainsKey("outcome"));
    }

    [Fact]
    public async Task The_http_server_span_carries_the_route_template_and_not_the_query_nor_the_access_note()
    {
        using var holder = await _platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(holder);
        var note = $"note{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/referrals/{referral.Id}/subject?purpose=nationality-verification");
        request.Headers.Add("Access-Note", note);

        using var answer = await holder.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var path = $"/api/v1/referrals/{referral.Id}/subject";
        var span = await Eventually.Until(
            () => Task.FromResult(_spans.Spans.SingleOrDefault(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("url.path"), path))),
            s => s is not null);
        Assert.NotNull(span);
        var route = Assert.IsType<string>(span.GetTagItem("http.route"));
        Assert.Matches(SubjectRoute(), route);
        Assert.Equal($"GET {route}", span.DisplayName);
        Assert.Null(span.GetTagItem("url.query"));
        var described = SpanCapture.Describe(span);
        Assert.DoesNotContain("purpose", described, StringComparison.Ordinal);
        Assert.DoesNotContain("nationality-verification", described, StringComparison.Ordinal);
        Assert.DoesNotContain(note, string.Join('\n', _spans.Spans.Select(SpanCapture.Describe)), StringComparison.Ordinal);

        // The grain call the request made is in the same trace, on Orleans' own source.
        Assert.Contains(_spans.Spans, s => s.TraceId == span.TraceId && s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_grain_call_keeps_the_exception_type_on_its_span_and_not_its_text()
    {
        var walked = await WalkAsync();
        using var target = await _platform.ClientForAsync(Target);

        using var again = await PartnerApi.PostAsync(target, $"/api/v1/referrals/{walked[0]}/handoffs/{walked[2]}/accept", null);

        var problem = await Problem.AssertAsync(again, HttpStatusCode.Conflict, "transition-not-allowed");
        var refused = await Eventually.Until(
            () => Task.FromResult(_spans.Spans.Where(s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.GetTagItem("exception.type") is not null).ToList()),
            spans => spans.Count > 0);
        Assert.NotEmpty(refused);
        Assert.All(refused, span =>
        {
            Assert.Null(span.GetTagItem("exception.message"));
            Assert.Null(span.GetTagItem("exception.stacktrace"));
            Assert.DoesNotContain(problem.GetProperty("detail").GetString()!, SpanCapture.Describe(span), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_json_log_line_carries_the_trace_id_of_the_request_it_belongs_to()
    {
        Assert.Equal(ConsoleFormatterNames.Json, _platform.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        using var holder = await _platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(holder);
        var path = $"/api/v1/referrals/{referral.Id}/history";

        using var answer = await holder.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var span = await Eventually.Until(
            () => Task.FromResult(_spans.Spans.SingleOrDefault(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("url.path"), path))),
            s => s is not null);
        Assert.NotNull(span);
        var lines = _logs!.Lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var ofRequest = lines.Where(l => Scopes(l).Any(s => s.TryGetProperty("RequestPath", out var p) && p.GetString() == path)).ToList();
        Assert.NotEmpty(ofRequest);
        Assert.All(ofRequest, line =>
        {
            Assert.True(line.TryGetProperty("Timestamp", out _) && line.TryGetProperty("LogLevel", out _) && line.TryGetProperty("Category", out _));
            Assert.Contains(Scopes(line), s => s.TryGetProperty("TraceId", out var id) && id.GetString() == span.TraceId.ToHexString());
            Assert.Contains(Scopes(line), s => s.TryGetProperty("SpanId", out var id) && id.GetString() is { Length: 16 });
        });
    }

    [Fact]
    public async Task An_event_is_counted_once_however_often_its_request_is_sent_again()
    {
        var metrics = _platform.Services.GetRequiredService<WorkflowMetrics>();
        using var counted = new WorkflowCounts(metrics.Meter);
        using var holder = await _platform.ClientForAsync(Holder);
        using var target = await _platform.ClientForAsync(Target);
        var key = $"telemetry-{Guid.NewGuid():N}";

        var body = ReferralRequests.VietnameseWoman("KH");

        using var created = await CreateWithKeyAsync(holder, key, body);
        using var replayed = await CreateWithKeyAsync(holder, key, body);
        var referral = await PartnerApi.ReadAsync<ReferralView>(created);
        Assert.Equal(referral.Id, (await PartnerApi.ReadAsync<ReferralView>(replayed)).Id);
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Target, true, ConsentMethod.Written));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest(Target, HandoffKind.Custody, null, null, null, null)));
        using var accepted = await PartnerApi.PostAsync(target, $"{path}/handoffs/{offer.Id}/accept", null);
        using var acceptedAgain = await PartnerApi.PostAsync(target, $"{path}/handoffs/{offer.Id}/accept", null);
        using var staleOffer = await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest(Target, HandoffKind.Service, [ServiceKind.Shelter], null, null, null), ifMatch: 1);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, acceptedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleOffer.StatusCode);
        Assert.Equal(1, counted.Total("referralnetwork.referrals.created"));
        Assert.Equal(1, counted.Total("referralnetwork.handoffs.offered"));
        Assert.Equal(1, counted.Total("referralnetwork.handoffs.answered"));
        Assert.Equal(1, counted.Total("referralnetwork.handoffs.time_to_answer"));
        Assert.Equal(0, counted.Total("referralnetwork.handoffs.expired") + counted.Total("referralnetwork.handoffs.withdrawn"));
    }

    /// <summary>A referral of Cambodia's focal point, a custody offer its shelter accepts and a service offer it declines; the ids met.</summary>
    private async Task<IReadOnlyList<Guid>> WalkAsync()
    {
        using var holder = await _platform.ClientForAsync(Holder);
        using var target = await _platform.ClientForAsync(Target);
        var referral = await ReferralRequests.CreateAsync(holder, ReferralRequests.VietnameseWoman("KH"));
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, Target, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written));
        var service = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest(Target, HandoffKind.Service, [ServiceKind.Shelter], null, null, null)));
        using (var declined = await PartnerApi.PostAsync(target, $"{path}/handoffs/{service.Id}/decline", new ReasonRequest("No bed tonight")))
        {
            Assert.True(declined.IsSuccessStatusCode, $"decline answered {(int)declined.StatusCode}");
        }

        var custody = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest(Target, HandoffKind.Custody, null, null, null, null)));
        await PartnerApi.ChangeAsync(target, $"{path}/handoffs/{custody.Id}/accept", null);
        return [referral.Id, service.Id, custody.Id];
    }

    private static Task<HttpResponseMessage> CreateWithKeyAsync(HttpClient client, string key, CreateReferralRequest body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/referrals") { Content = JsonContent.Create(body, options: Json.Options) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    private static double Sum(IEnumerable<PrometheusSample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Sum(s => s.Value);

    private static IEnumerable<JsonElement> Scopes(JsonElement line) =>
        line.TryGetProperty("Scopes", out var scopes) ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object) : [];

    /// <summary>The route template, whatever constraint its parameter carries (<c>{id:uuid}</c>).</summary>
    [GeneratedRegex(@"^/api/v1/referrals/\{id(:\w+)?\}/subject$")]
    private static partial Regex SubjectRoute();

    [GeneratedRegex(@"^/api/v1/referrals/\{id(:\w+)?\}/handoffs/\{handoffId(:\w+)?\}/accept$")]
    private static partial Regex AcceptRoute();

    /// <summary>Any id in the form the platform writes them (a build's commit hash, in target_info, is not one).</summary>
    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex AnyGuid();

    /// <summary>The measurements of one platform's workflow meter (other platforms of the test run have meters of the same name).</summary>
    private sealed class WorkflowCounts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

        public WorkflowCounts(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
            _listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Add(instrument.Name, 1));
            _listener.Start();
        }

        public long Total(string instrument)
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault(instrument);
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(string instrument, long value)
        {
            lock (_counts)
            {
                _counts[instrument] = _counts.GetValueOrDefault(instrument) + value;
            }
        }
    }
}
