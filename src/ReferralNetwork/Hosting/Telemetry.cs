using System.Diagnostics;
using System.Net;
using System.Reflection;
using MassTransit.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ReferralNetwork.Hosting;

/// <summary>The <c>Telemetry</c> configuration section (docs/telemetry.md).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>The standard OpenTelemetry setting: where traces and metrics go by OTLP. Unset, nothing is exported that way.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The path Prometheus scrapes on the operators' port, and only there.</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>The operators' port: Prometheus text at <see cref="ScrapePath"/> and nothing else. Unset, there is no such listener.</summary>
    public int? MetricsPort { get; set; }

    /// <summary>The address the operators' port listens on; every interface when unset (a pod is scraped at its own IP).</summary>
    public string? MetricsAddress { get; set; }

    /// <summary>Traces are made when something takes them: on with an OTLP endpoint, unless set to false.</summary>
    public bool? Tracing { get; set; }

    /// <summary><c>text</c> (the default) or <c>json</c>: one JSON object a line, with its scopes, the trace and span ids among them.</summary>
    public string LogFormat { get; set; } = "text";

    public bool UsesJsonLogs => string.Equals(LogFormat, "json", StringComparison.OrdinalIgnoreCase);

    public static TelemetryOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

    public static bool ExportsOtlp(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);

    /// <summary>The instrumentation's switch that would copy the values of SQL parameters (whatever a query is about) into spans.</summary>
    public const string QueryParametersSetting = "OTEL_DOTNET_EXPERIMENTAL_EFCORE_ENABLE_TRACE_DB_QUERY_PARAMETERS";

    public IReadOnlyList<string> Refusals(IConfiguration configuration)
    {
        var refusals = new List<string>();
        if (string.Equals(configuration[QueryParametersSetting], "true", StringComparison.OrdinalIgnoreCase))
        {
            refusals.Add($"{QueryParametersSetting} is true: spans would carry the values of SQL parameters, whatever a query is about (a person's account among them). Remove it.");
        }

        if (MetricsPort is < 1 or > 65535)
        {
            refusals.Add($"{Section}:{nameof(MetricsPort)} is {MetricsPort}: a TCP port from 1 to 65535, apart from the public one, or unset for no metrics listener.");
        }

        if (MetricsAddress is { Length: > 0 } address && !IPAddress.TryParse(address, out _))
        {
            refusals.Add($"{Section}:{nameof(MetricsAddress)} is '{address}', which is not an IP address.");
        }

        if (!UsesJsonLogs && !string.Equals(LogFormat, "text", StringComparison.OrdinalIgnoreCase))
        {
            refusals.Add($"{Section}:{nameof(LogFormat)} is '{LogFormat}': 'text' or 'json'.");
        }

        return refusals;
    }
}

/// <summary>
/// Traces, metrics and the log format (docs/telemetry.md). Everything telemetry writes goes where an operator looks, so
/// it carries nothing a log may not: no query string, no request or response body, no header but what the instrumentation
/// names, no exception message, no URL path of an outgoing call (a webhook's URL may carry a partner's token). Metric labels
/// pass through <see cref="AllowedLabels"/> only: nothing finer than the dashboards publish (no country, no organization,
/// no referral, no host of a partner).
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "referral-network";

    /// <summary>The platform's own spans (none yet beyond the instrumentations') and the Orleans, MassTransit sources.</summary>
    public static readonly IReadOnlyList<string> ActivitySources =
    [
        "Microsoft.Orleans.Runtime",
        "Microsoft.Orleans.Application",
        "Microsoft.Orleans.Lifecycle",
        "Microsoft.Orleans.Storage",
        DiagnosticHeaders.DefaultListenerName,
    ];

    /// <summary>Meters of the frameworks beside ASP.NET Core, HttpClient and the runtime (which their instrumentations add).</summary>
    public static readonly IReadOnlyList<string> FrameworkMeters =
    [
        "Microsoft.Orleans",
        "MassTransit",
        "Microsoft.EntityFrameworkCore",
    ];

    /// <summary>
    /// The only label keys any exported series may carry; an instrument's other labels are dropped (its series summed over
    /// them). Each is a method, a status, a route template, a type name or one of the workflow's two coarse dimensions; none
    /// is a country, an organization, a referral, an address or a partner's host.
    /// </summary>
    public static readonly IReadOnlySet<string> AllowedLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        // HTTP, server and client (never server.address: for a webhook it names the partner)
        "http.request.method", "http.response.status_code", "http.route", "url.scheme", "error.type",
        "network.protocol.name", "network.protocol.version", "network.transport", "network.type", "tls.protocol.version",
        "aspnetcore.routing.match_status", "aspnetcore.routing.is_fallback", "aspnetcore.diagnostics.handler.type",
        "aspnetcore.diagnostics.exception.result", "aspnetcore.rate_limiting.result", "aspnetcore.rate_limiting.policy",
        "aspnetcore.authentication.scheme", "aspnetcore.authentication.result", "aspnetcore.authorization.policy",
        "aspnetcore.authorization.result", "aspnetcore.identity.user_type", "aspnetcore.identity.result",
        "aspnetcore.identity.error_code", "aspnetcore.identity.sign_in.type", "aspnetcore.identity.sign_in.result",
        "aspnetcore.identity.token_purpose", "aspnetcore.identity.token_verified", "aspnetcore.identity.user.update_type",
        "aspnetcore.identity.password_check_result", "aspnetcore.memory_pool.owner",
        "kestrel.connection.end_reason",

        // The runtime
        "gc.heap.generation", "dotnet.gc.heap.generation", "cpu.mode",

        // MassTransit: message, consumer and endpoint types
        "messaging.masstransit.message_type", "messaging.masstransit.consumer_type", "messaging.masstransit.endpoint",
        "messaging.masstransit.destination", "messaging.masstransit.exception_type", "messaging.masstransit.bus",
        "messaging.masstransit.handler", "messaging.masstransit.service",

        // Orleans: grain, state and provider types, message directions and outcomes (never a grain id or a silo)
        "type", "grain_type", "provider_type_name", "state_type", "state_name", "reason", "status", "Direction", "Status",

        // The workflow's own (WorkflowMetrics): the kind of handoff and the outcome, nothing else
        "kind", "outcome",
    };

    public static WebApplicationBuilder AddPlatformTelemetry(this WebApplicationBuilder builder)
    {
        var options = TelemetryOptions.From(builder.Configuration);
        if (options.Refusals(builder.Configuration) is { Count: > 0 } refusals)
        {
            throw new StartupRefusedException("ReferralNetwork refuses to start: the Telemetry settings are not valid.", refusals, "See docs/telemetry.md.");
        }

        builder.Services.AddSingleton(options);
        ConfigureLogs(builder, options);

        var otlp = TelemetryOptions.ExportsOtlp(builder.Configuration);
        var tracing = options.Tracing ?? otlp;
        var metrics = otlp || options.MetricsPort is not null;
        if (!tracing && !metrics)
        {
            return builder;
        }

        var features = builder.PlatformFeatures();
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(
            ServiceName,
            serviceVersion: typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            // The pod's name in Kubernetes; never the random id the SDK would make up, which no one can tell from a referral's.
            serviceInstanceId: Environment.MachineName));

        if (tracing)
        {
            telemetry.WithTracing(traces =>
            {
                traces
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.RecordException = false;
                        // Probes and scrapes come every few seconds and would drown the requests worth a trace.
                        o.Filter = http => !http.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal)
                            && !http.Request.Path.StartsWithSegments(TelemetryOptions.ScrapePath, StringComparison.Ordinal);
                        o.EnrichWithHttpRequest = (activity, _) => ForgetIncoming(activity);
                    })
                    .AddHttpClientInstrumentation(o =>
                    {
                        o.RecordException = false;
                        o.EnrichWithHttpRequestMessage = (activity, request) => ForgetOutgoing(activity, request.RequestUri);
                    })
                    // The SQL text only, sanitized; never the parameters' values (refused above when switched on).
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddSource([.. ActivitySources])
                    // First of the processors, so that no exporter after it sees what it removes.
                    .AddProcessor(new ForgetExceptionText());
                if (otlp)
                {
                    traces.AddOtlpExporter();
                }
            });

            // Grain calls become spans, and a call carries its caller's trace to the silo that runs it.
            features.ConfigureSilo((silo, _) => silo.AddActivityPropagation());
        }

        if (metrics)
        {
            telemetry.WithMetrics(meters =>
            {
                meters
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter([.. FrameworkMeters, .. features.Meters])
                    .AddView(instrument => new MetricStreamConfiguration { TagKeys = [.. AllowedLabels] });
                if (otlp)
                {
                    meters.AddOtlpExporter();
                }

                if (options.MetricsPort is not null)
                {
                    // Each scrape sees the counters as they are: the operators' port takes no traffic worth a cache.
                    meters.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });
        }

        if (options.MetricsPort is not null)
        {
            builder.Services.AddSingleton<OperatorsPort>();
            builder.Services.AddHostedService(services => services.GetRequiredService<OperatorsPort>());
        }

        return builder;
    }

    /// <summary>
    /// Log lines carry the trace and span ids of the work they belong to (never its baggage or tags: those come from the
    /// caller). JSON, when asked for, is the console's own formatter with scopes, where those ids are.
    /// </summary>
    private static void ConfigureLogs(WebApplicationBuilder builder, TelemetryOptions options)
    {
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (options.UsesJsonLogs)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }

    /// <summary>
    /// The server span keeps the method, the route template and the path (ids, never a name: no personal data is ever in
    /// a URL), and loses the query and the user agent, which describe the caller rather than the request.
    /// </summary>
    private static void ForgetIncoming(Activity activity)
    {
        activity.SetTag("url.query", null);
        activity.SetTag("user_agent.original", null);
    }

    /// <summary>
    /// Orleans writes the message and the whole text of a grain call's exception on its span. A span keeps the exception's
    /// type; its text, which a refusal's detail or a database error would fill, stays in the logs, where it is already.
    /// </summary>
    private sealed class ForgetExceptionText : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            data.SetTag("exception.message", null);
            data.SetTag("exception.stacktrace", null);
        }
    }

    /// <summary>An outgoing call keeps its scheme, host and port: the path and query of a webhook's URL may hold a partner's token.</summary>
    private static void ForgetOutgoing(Activity activity, Uri? uri)
    {
        activity.SetTag("url.full", uri is { IsAbsoluteUri: true } ? uri.GetLeftPart(UriPartial.Authority) : null);
        activity.SetTag("url.query", null);
        activity.SetTag("url.path", null);
    }
}
