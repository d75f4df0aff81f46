using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Privacy;

/// <summary>
/// What only an in-process platform can hand the search: its log calls at every level and the messages on its bus.
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

    public static void AddMessages(this CanarySearch search, IEnumerable<CapturedMessage> messages)
    {
        foreach (var message in messages)
        {
            search.AddBytes("message", $"bus #{message.Sequence} {message.Seen} {message.MessageType}", message.Bytes);
        }
    }
}
