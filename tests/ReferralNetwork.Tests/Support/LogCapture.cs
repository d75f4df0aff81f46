using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ReferralNetwork.Tests.Support;

/// <summary>One log call as a sink would receive it, flattened to the text a sink could ship.</summary>
public sealed record CapturedLog(long Sequence, LogLevel Level, string Category, EventId EventId, string Text);

/// <summary>
/// Records every log call of a host, at every level, with all a sink could write: the formatted message, the
/// structured properties (a sink may ship a property the message template does not show), the scopes and the
/// whole exception text. Register it with <see cref="PlatformFactory.Logs"/>.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private long _sequence;

    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        // The entries outlive the host on purpose: tests read them after it stopped.
    }

    private void Add(LogLevel level, string category, EventId eventId, string text) =>
        _entries.Enqueue(new CapturedLog(Interlocked.Increment(ref _sequence), level, category, eventId, text));

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder();
            try
            {
                text.Append(formatter(state, exception));
            }
            catch (Exception ex)
            {
                // A formatter that throws must not hide what it was given: the properties below still are.
                text.Append("<formatter failed: ").Append(ex.GetType().Name).Append('>');
            }

            if (state is IEnumerable<KeyValuePair<string, object?>> properties)
            {
                foreach (var (key, value) in properties)
                {
                    text.Append(" | ").Append(key).Append('=').Append(Describe(value));
                }
            }

            capture._scopes.ForEachScope((scope, builder) => builder.Append(" | scope: ").Append(Describe(scope)), text);
            if (exception is not null)
            {
                text.AppendLine().Append(exception);
            }

            capture.Add(logLevel, category, eventId, text.ToString());
        }

        private static string Describe(object? value)
        {
            try
            {
                return value switch
                {
                    null => "",
                    string s => s,
                    IEnumerable<KeyValuePair<string, object?>> pairs => string.Join(", ", pairs.Select(p => $"{p.Key}={Describe(p.Value)}")),
                    System.Collections.IEnumerable items => string.Join(", ", items.Cast<object?>().Select(Describe)),
                    _ => value.ToString() ?? "",
                };
            }
            catch (Exception ex)
            {
                return $"<not describable: {ex.GetType().Name}>";
            }
        }
    }
}
