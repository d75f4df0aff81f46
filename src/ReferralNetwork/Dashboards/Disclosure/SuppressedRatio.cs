namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>
/// Percentages and medians for dashboards. A statistic of a group is only as safe as the group's count: a
/// percentage is two counts in disguise, and a median of three people is one person's value. So each helper
/// returns null when the group it describes is suppressed or below the threshold.
/// </summary>
public static class SuppressedRatio
{
    /// <summary>
    /// <paramref name="part"/> as a percentage of <paramref name="whole"/>, both taken from protected tables.
    /// Null when either is suppressed or the whole is zero: a percentage of published counts tells nothing the
    /// counts do not, and one of a suppressed count would give it away.
    /// </summary>
    public static double? Percent(Cell part, Cell whole)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(whole);
        return part.Count is { } p && whole.Count is { } w && w > 0 ? 100.0 * p / w : null;
    }

    /// <summary>
    /// A percentage from raw counts that are not published as cells themselves. Null when the whole is below
    /// the threshold, or when the part or the rest of the whole (whole − part) is a small non-zero count:
    /// "94% of 50" gives away the 3 who are not in the part just as "6% of 50" gives away the 3 who are.
    /// </summary>
    public static double? Percent(int part, int whole, int threshold = SmallCellProtection.DefaultThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(part);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(part, whole);
        return whole < threshold || IsSmall(part, threshold) || IsSmall(whole - part, threshold) ? null : 100.0 * part / whole;
    }

    /// <summary>The median of a group's values; null when the group's published count is suppressed.</summary>
    public static double? Median(IReadOnlyCollection<double> values, Cell groupCount, int threshold = SmallCellProtection.DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(groupCount);
        return groupCount.IsSuppressed ? null : Median(values, threshold);
    }

    /// <summary>The median of a group's values; null when the group has fewer than <paramref name="threshold"/> members.</summary>
    public static double? Median(IReadOnlyCollection<double> values, int threshold = SmallCellProtection.DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < threshold || values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static bool IsSmall(int count, int threshold) => count > 0 && count < threshold;
}
