using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ReferralNetwork.Tests.Support;

/// <summary>Every span the platform ends, as an exporter would receive it. Register it with <see cref="PlatformFactory.TestServices"/>.</summary>
public sealed class SpanCapture : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _spans = new();

    public IReadOnlyCollection<Activity> Spans => _spans;

    public void Register(IServiceCollection services) => services.ConfigureOpenTelemetryTracerProvider(traces => traces.AddProcessor(this));

    public override void OnEnd(Activity data) => _spans.Enqueue(data);

    /// <summary>All an exporter could ship of a span: names, tags, events and their tags, status, links, baggage.</summary>
    public static string Describe(Activity span)
    {
        var text = new StringBuilder()
            .Append(span.Source.Name).Append(' ').Append(span.Kind).Append(' ').Append(span.DisplayName).Append(" | ").Append(span.OperationName)
            .Append(" | status ").Append(span.Status).Append(' ').Append(span.StatusDescription);
        foreach (var (key, value) in span.TagObjects)
        {
            text.Append(" | ").Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        foreach (var e in span.Events)
        {
            text.Append(" | event ").Append(e.Name);
            foreach (var (key, value) in e.Tags)
            {
                text.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }

        foreach (var link in span.Links)
        {
            text.Append(" | link ").Append(link.Context.TraceId);
        }

        foreach (var (key, value) in span.Baggage)
        {
            text.Append(" | baggage ").Append(key).Append('=').Append(value);
        }

        return text.ToString();
    }
}

/// <summary>
/// Log lines as the platform's console would write them: through the console formatter the platform configured (the JSON
/// one with <c>Telemetry:LogFormat=json</c>), with the scopes the logger factory hands its providers (trace and span ids).
/// </summary>
public sealed class FormattedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConsoleFormatter _formatter;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    private FormattedLogs(ConsoleFormatter formatter) => _formatter = formatter;

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>For <see cref="PlatformFactory.TestServices"/>: lines formatted by the formatter named <paramref name="formatterName"/>, at every level.</summary>
    public static void Register(IServiceCollection services, Action<FormattedLogs> created, string formatterName = ConsoleFormatterNames.Json)
    {
        services.AddSingleton<ILoggerProvider>(s =>
        {
            var logs = new FormattedLogs(s.GetServices<ConsoleFormatter>().Single(f => f.Name == formatterName));
            created(logs);
            return logs;
        });
        services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(FormattedLogs).FullName, null, LogLevel.Trace, null)));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(FormattedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            logs._formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), logs._scopes, writer);
            logs._lines.Enqueue(writer.ToString());
        }
    }
}

/// <summary>One sample of the Prometheus text format: <c>name{label="value",…} value</c>.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

public static partial class PrometheusText
{
    /// <summary>The samples of a scrape (comments and blank lines skipped); throws on a line that is neither.</summary>
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = Sample().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["key"].Value] = Regex.Unescape(label.Groups["value"].Value);
            }

            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new PrometheusSample(match.Groups["name"].Value, labels, value));
        }

        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \S+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
