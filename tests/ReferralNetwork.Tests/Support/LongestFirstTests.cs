namespace ReferralNetwork.Tests.Support;

public sealed class LongestFirstTests
{
    [Fact]
    public void A_collection_is_known_by_its_definitions_name_or_by_its_own_class()
    {
        Assert.Equal("Production profile", LongestFirst.Key("Production profile"));
        Assert.Equal("GroupBrowserTests", LongestFirst.Key("Test collection for ReferralNetwork.EndToEnd.Browser.GroupBrowserTests (id: 5a69c912)"));
    }

    [Fact]
    public void The_longest_measured_collections_start_first_and_the_others_keep_their_order()
    {
        string[] given =
        [
            "Test collection for ReferralNetwork.Tests.Api.ShortTests (id: 1)",
            "Test collection for ReferralNetwork.Tests.Console.ConsoleIntakeTests (id: 2)",
            "Production profile",
            "Test collection for ReferralNetwork.Tests.Api.OtherShortTests (id: 3)",
            "Test collection for ReferralNetwork.Tests.Groups.SurgeJourneyTests (id: 4)",
        ];

        var ordered = LongestFirst.Order(given, name => name);

        Assert.Equal(
            [given[2], given[4], given[1], given[0], given[3]],
            ordered);
    }
}
