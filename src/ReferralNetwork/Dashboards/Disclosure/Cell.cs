using System.Globalization;

namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>
/// One published count. <see cref="Count"/> is the exact number, or null when the cell is suppressed; counts are
/// never rounded or given as ranges. <see cref="Display"/> is what a dashboard shows:
/// <list type="bullet">
/// <item>"25" or "0": published. Zeros are published as 0, so a cell marked suppressed is never empty.</item>
/// <item>"&lt;10": primary suppression, the true count is between 1 and threshold − 1.</item>
/// <item>"≥10": secondary suppression, hidden only so that a "&lt;10" cell cannot be worked out by arithmetic.
/// It says honestly that the count is not small; the protection is proven against an attacker who knows
/// which suppressed cells are which (docs/disclosure-control.md).</item>
/// <item>"withheld": the whole table is left out, because one of its cells could not be protected otherwise
/// (rare; failure is then safe rather than leaky).</item>
/// </list>
/// </summary>
public sealed record Cell(int? Count, string Display)
{
    public const string WithheldDisplay = "withheld";

    public bool IsSuppressed => Count is null;

    public static Cell Published(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new Cell(count, count.ToString(CultureInfo.InvariantCulture));
    }

    public static Cell Small(int threshold) => new(null, string.Create(CultureInfo.InvariantCulture, $"<{threshold}"));

    public static Cell Complementary(int threshold) => new(null, string.Create(CultureInfo.InvariantCulture, $"≥{threshold}"));

    public static Cell Withheld { get; } = new(null, WithheldDisplay);

    public override string ToString() => Display;
}
