using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Privacy;

/// <summary>
/// What only an in-process platform can hand the search: its log calls at every level, the messages on its bus and
/// the spans it ends.
/// The search itself is shared with the end-to-end tests (tests/Shared), which have no such captures.
/// </summary>
public static class CapturedSources
{
    public static void AddLogs(this CanarySearch search, IEnumerable<CapturedLog> logs)
    {
        foreach (var log in logs)
        {
            search.AddText("log", $"log #{log.Sequence} [{log.Level} {log.Category}]", log.Text);
        }
    }

    /// <summary>Spans as an exporter receives them (OTLP ships the same names, tags, events and status).</summary>
    public static void AddSpans(this CanarySearch search, IEnumerable<System.Diagnostics.Activity> spans)
    {
        var number = 0;
        foreach (var span in spans)
        {
            search.AddText("span", $"span #{++number} [{span.Source.Name} {span.DisplayName}]", SpanCapture.Describe(span));
        }
    }

    public static void AddMessages(this CanarySearch search, IEnumerable<CapturedMessage> messages)
    {
        foreach (var message in messages)
        {
            search.AddBytes("message", $"bus #{message.Sequence} {message.Seen} {message.MessageType}", message.Bytes);
        }
    }
}
