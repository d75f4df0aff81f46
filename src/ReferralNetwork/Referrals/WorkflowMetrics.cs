using System.Diagnostics.Metrics;
using ReferralNetwork.Contracts;

namespace ReferralNetwork.Referrals;

/// <summary>
/// The workflow as operators count it (docs/telemetry.md): referrals created, handoffs offered, answered, expired and
/// withdrawn, how long an answer took, returns completed. Recorded by the referral grain once the write that makes the
/// events durable has succeeded, so once per event: a retried publish, a redelivery or a replayed request (an
/// Idempotency-Key, a stale If-Match) records nothing more, and a write that failed records nothing.
/// Labels are the kind of handoff and the outcome, never a country, an organization or a referral: every series sums
/// all countries, which is coarser than any cell the dashboards publish.
/// </summary>
public sealed class WorkflowMetrics
{
    public const string MeterName = "ReferralNetwork.Workflow";

    // From a minute to two weeks: offers wait days (Workflow:DefaultResponseDeadline is three).
    private static readonly IReadOnlyList<double> AnswerTimeBuckets =
        [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200, 432000, 604800, 1209600];

    private readonly Counter<long> _created;
    private readonly Counter<long> _offered;
    private readonly Counter<long> _answered;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _withdrawn;
    private readonly Counter<long> _returned;
    private readonly Histogram<double> _timeToAnswer;

    public WorkflowMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _created = Meter.CreateCounter<long>("referralnetwork.referrals.created", "{referral}", "Referrals created.");
        _offered = Meter.CreateCounter<long>("referralnetwork.handoffs.offered", "{handoff}", "Handoffs offered, by kind.");
        _answered = Meter.CreateCounter<long>("referralnetwork.handoffs.answered", "{handoff}", "Offers answered by their target, by kind and outcome (accepted, declined).");
        _expired = Meter.CreateCounter<long>("referralnetwork.handoffs.expired", "{handoff}", "Offers left unanswered past their deadline, by kind.");
        _withdrawn = Meter.CreateCounter<long>("referralnetwork.handoffs.withdrawn", "{handoff}", "Offers withdrawn by the holder, by kind.");
        _returned = Meter.CreateCounter<long>("referralnetwork.returns.confirmed", "{return}", "Returns confirmed by both sides (custody moved home).");
        _timeToAnswer = Meter.CreateHistogram(
            "referralnetwork.handoffs.time_to_answer", "s", "From an offer to its acceptance or decline, by kind and outcome.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AnswerTimeBuckets });
    }

    public Meter Meter { get; }

    /// <summary>The events one write saved; <paramref name="offeredAt"/> tells when a handoff of the referral was offered.</summary>
    public void Saved(IEnumerable<IReferralEvent> events, Func<Guid, DateTimeOffset?> offeredAt)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case ReferralIdentified:
                    _created.Add(1);
                    break;
                case HandoffOffered offered:
                    _offered.Add(1, Kind(offered.Kind));
                    break;
                case HandoffAccepted accepted:
                    Answered(accepted.Kind, "accepted", accepted.OccurredAt - offeredAt(accepted.HandoffId));
                    break;
                case HandoffDeclined declined:
                    Answered(declined.Kind, "declined", declined.OccurredAt - offeredAt(declined.HandoffId));
                    break;
                case HandoffExpired expired:
                    _expired.Add(1, Kind(expired.Kind));
                    break;
                case HandoffWithdrawn withdrawn:
                    _withdrawn.Add(1, Kind(withdrawn.Kind));
                    break;
                case ReturnConfirmed { Completed: true }:
                    _returned.Add(1);
                    break;
            }
        }
    }

    private void Answered(HandoffKind kind, string outcome, TimeSpan? waited)
    {
        var kindTag = Kind(kind);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        _answered.Add(1, kindTag, outcomeTag);
        if (waited is { } time)
        {
            _timeToAnswer.Record(Math.Max(0, time.TotalSeconds), kindTag, outcomeTag);
        }
    }

    private static KeyValuePair<string, object?> Kind(HandoffKind kind) =>
        new("kind", kind == HandoffKind.Custody ? "custody" : "service");
}
