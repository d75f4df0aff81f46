using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards.Disclosure;

public sealed class SuppressedRatioTests
{
    [Fact]
    public void A_percentage_of_or_from_a_suppressed_count_is_null()
    {
        Assert.Equal(50.0, SuppressedRatio.Percent(Cell.Published(25), Cell.Published(50)));
        Assert.Null(SuppressedRatio.Percent(Cell.Small(10), Cell.Published(50)));
        Assert.Null(SuppressedRatio.Percent(Cell.Published(25), Cell.Complementary(10)));
        Assert.Null(SuppressedRatio.Percent(Cell.Published(0), Cell.Published(0)));
    }

    [Fact]
    public void A_percentage_from_raw_counts_is_null_when_the_group_the_part_or_the_rest_is_small()
    {
        Assert.Equal(40.0, SuppressedRatio.Percent(20, 50));
        Assert.Equal(0.0, SuppressedRatio.Percent(0, 50));
        Assert.Null(SuppressedRatio.Percent(3, 9)); // the group itself is below the threshold
        Assert.Null(SuppressedRatio.Percent(3, 50)); // 6% of 50 is 3 people
        Assert.Null(SuppressedRatio.Percent(47, 50)); // 94% of 50 leaves 3 people
        Assert.Equal(100.0, SuppressedRatio.Percent(50, 50));
    }

    [Fact]
    public void A_median_of_a_group_below_the_threshold_or_with_a_suppressed_count_is_null()
    {
        double[] nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        double[] ten = [10, 1, 2, 3, 4, 5, 6, 7, 8, 9];

        Assert.Null(SuppressedRatio.Median(nine));
        Assert.Equal(5.5, SuppressedRatio.Median(ten));
        Assert.Null(SuppressedRatio.Median(ten, Cell.Complementary(10)));
        Assert.Equal(5.5, SuppressedRatio.Median(ten, Cell.Published(10)));
        Assert.Equal(5.0, SuppressedRatio.Median(nine, threshold: 5));
    }
}
