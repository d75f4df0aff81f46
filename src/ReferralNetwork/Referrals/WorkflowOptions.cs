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

    public TimeSpan DeadlineFor(string fromCountry, string toCountry) =>
        ResponseDeadlines.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"{fromCountry}-{toCountry}"), out var deadline) ? deadline : DefaultResponseDeadline;
}
