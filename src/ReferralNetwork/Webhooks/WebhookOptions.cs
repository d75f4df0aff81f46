using System.Globalization;

namespace ReferralNetwork.Webhooks;

/// <summary>The <c>Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The default of DESIGN §9: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.</summary>
    public const string DefaultRetrySchedule = "0s, 5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h";

    /// <summary>
    /// The delay before each attempt, the first counted from the event: a comma-separated list of durations
    /// (<c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or a TimeSpan such as <c>00:05:00</c>). Its length is the number of attempts.
    /// </summary>
    public string RetrySchedule { get; set; } = DefaultRetrySchedule;

    /// <summary>Each delay after the first is moved by up to this fraction either way, so that receivers back from an outage are not hit all at once.</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>Hosts, addresses or CIDR ranges that production may post to although they are loopback, link-local or private (a partner inside the same network).</summary>
    public List<string> AllowedTargets { get; set; } = [];

    /// <summary>How long a receiver has to answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A subscription all of whose deliveries failed for this long is disabled and its organization told.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>After a rotation, deliveries are signed with the old secret too for this long.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a silo holds a delivery it claimed; a silo that dies with it frees it when the lease runs out.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the sender looks for due deliveries when it was not woken by a new one.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest <c>Retry-After</c> honoured; a receiver asking for more is tried again after this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Subscriptions an organization may have.</summary>
    public int MaxSubscriptionsPerOrganization { get; set; } = 20;

    public IReadOnlyList<TimeSpan> Schedule() => ParseSchedule(RetrySchedule);

    public static IReadOnlyList<TimeSpan> ParseSchedule(string schedule)
    {
        var delays = schedule.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseDuration).ToList();
        return delays.Count > 0 && delays.All(d => d >= TimeSpan.Zero)
            ? delays
            : throw new FormatException($"{Section}:RetrySchedule '{schedule}' names no attempt, or a negative delay.");
    }

    private static TimeSpan ParseDuration(string text)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && text.Contains(':', StringComparison.Ordinal))
        {
            return span;
        }

        var unit = text[^1];
        if (double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            switch (unit)
            {
                case 's': return TimeSpan.FromSeconds(value);
                case 'm': return TimeSpan.FromMinutes(value);
                case 'h': return TimeSpan.FromHours(value);
                case 'd': return TimeSpan.FromDays(value);
            }
        }

        throw new FormatException($"{Section}:RetrySchedule: '{text}' is not a duration (30s, 5m, 2h, 1d or 00:05:00).");
    }
}
