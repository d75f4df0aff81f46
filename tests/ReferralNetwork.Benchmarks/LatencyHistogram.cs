using HdrHistogram;

namespace ReferralNetwork.Benchmarks;

/// <summary>
/// Latencies in microseconds, kept by HdrHistogram (the reference implementation of its layout): values from 1 µs to an
/// hour to two significant digits, so a reported percentile is at most 1 % above the true value. Recording is safe from
/// every worker at once.
/// </summary>
public sealed class LatencyHistogram
{
    private const long Highest = 3_600_000_000; // an hour, in microseconds: anything longer is recorded as an hour

    private readonly LongConcurrentHistogram _histogram = new(1, Highest, 2);

    public long Count => _histogram.TotalCount;

    public double MeanMicros => Count == 0 ? 0 : _histogram.GetMean();

    public long MaxMicros => Count == 0 ? 0 : _histogram.GetMaxValue();

    public void Record(long micros) => _histogram.RecordValue(Math.Clamp(micros, 1, Highest));

    /// <summary>The highest value equivalent to the one at <paramref name="percentile"/> (0–100), as HdrHistogram reports it.</summary>
    public long PercentileMicros(double percentile) => Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile);

    public void Add(LatencyHistogram other) => _histogram.Add(other._histogram);
}
