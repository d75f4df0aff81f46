using System.Globalization;

namespace ReferralNetwork.Referrals;

/// <summary>The <c>Workflow</c> configuration section.</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflow";

    /// <summary>How long an offer waits for an answer when it names no <c>respondBy</c>.</summary>
    public TimeSpan DefaultResponseDeadline { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Deadlines per country pair, keyed <c>FROM-TO</c> (e.g. <c>TH-VN</c>); the default applies to other pairs.</summary>
    public Dictionary<string, TimeSpan> ResponseDeadlines { get; set; } = [];

    /// <summary>
    /// The period of the durable expiry timer. A deadline that passed while no silo ran is acted on at the timer's next
    /// tick, so this bounds how late an offer expires after an outage.
    /// </summary>
    public TimeSpan ExpiryCheckPeriod { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan DeadlineFor(string fromCountry, string toCountry) =>
        ResponseDeadlines.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"{fromCountry}-{toCountry}"), out var deadline) ? deadline : DefaultResponseDeadline;
}
