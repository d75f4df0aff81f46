using System.Numerics;

namespace ReferralNetwork.Benchmarks;

/// <summary>
/// Latencies in microseconds, in HdrHistogram's log-linear layout: exact below 128 µs, then 64 buckets per
/// power of two, so a reported percentile is at most 1/64 (1.6 %) above the true value. Recording is one
/// interlocked increment, safe from every worker at once.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int HalfSubBuckets = SubBuckets / 2;
    private const int Magnitudes = 40;

    private readonly long[] _counts = new long[SubBuckets + (HalfSubBuckets * Magnitudes)];
    private long _count;
    private long _sum;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    public double MeanMicros => Count == 0 ? 0 : (double)Interlocked.Read(ref _sum) / Count;

    public long MaxMicros => Interlocked.Read(ref _max);

    public void Record(long micros)
    {
        micros = Math.Max(micros, 0);
        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        var max = Interlocked.Read(ref _max);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, micros, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The highest value equivalent to the one at <paramref name="percentile"/> (0–100), as HdrHistogram reports it.</summary>
    public long PercentileMicros(double percentile)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var target = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= target)
            {
                return Math.Min(HighestEquivalent(i), MaxMicros);
            }
        }

        return MaxMicros;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        _count += other._count;
        _sum += other._sum;
        _max = Math.Max(_max, other._max);
    }

    private static int Index(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        // For value >= 128: magnitude >= 1 and value >> magnitude lies in [64, 128).
        var magnitude = Math.Min(63 - BitOperations.LeadingZeroCount((ulong)value) - (SubBucketBits - 1), Magnitudes);
        var subBucket = Math.Min(value >> magnitude, SubBuckets - 1);
        return SubBuckets + ((magnitude - 1) * HalfSubBuckets) + (int)(subBucket - HalfSubBuckets);
    }

    private static long HighestEquivalent(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var magnitude = ((index - SubBuckets) / HalfSubBuckets) + 1;
        var subBucket = ((index - SubBuckets) % HalfSubBuckets) + HalfSubBuckets;
        return ((subBucket + 1L) << magnitude) - 1;
    }
}
