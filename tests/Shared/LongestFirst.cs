using Xunit.Sdk;
using Xunit.v3;

namespace ReferralNetwork.Testing;

/// <summary>
/// Starts the longest test collections first. xunit runs as many collections at once as the machine has cores and, by
/// default, starts them in an order derived from their ids, which may put a long collection (the production one takes
/// about eleven minutes, its tests one after another) among the last, with one thread left to run it while the other
/// has nothing to do. Longest first is the classic schedule for that: the long chains start at once and the short
/// collections fill in around them.
/// </summary>
/// <remarks>
/// The times are each collection's test time summed over one whole run (<c>-result-xml</c>, 2026-12-07;
/// docs/benchmarks.md, "The test suite's own time"). A collection not listed is short: it starts after the listed
/// ones, in the default order. A stale figure costs only minutes of the suite, never a result.
/// </remarks>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private static readonly Dictionary<string, int> MeasuredSeconds = new(StringComparer.Ordinal)
    {
        // ReferralNetwork.EndToEnd
        ["Production profile"] = 647,
        ["RepatriationJourneyBrowserTests"] = 458,
        ["ConsoleKeyboardBrowserTests"] = 310,
        ["GroupBrowserTests"] = 280,
        ["DashboardBrowserTests"] = 274,
        ["IntakeBrowserTests"] = 155,
        ["GroupCrashTests"] = 154,
        ["MatchBrowserTests"] = 119,
        ["LandingPageBrowserTests"] = 72,
        ["EmbeddedCrashTests"] = 59,
        ["SignInBrowserTests"] = 56,
        ["PostgreSQL and RabbitMQ servers"] = 49,

        // ReferralNetwork.Tests
        ["SurgeJourneyTests"] = 532,
        ["FederatedSignInTests"] = 196,
        ["DashboardServiceTests"] = 159,
        ["ConsoleIntakeTests"] = 118,
        ["ProtectedCubeTests"] = 115,
        ["SubjectProtectionTests"] = 111,
        ["TelemetryTests"] = 90,
        ["RoleMatrixTests"] = 90,
        ["WebhookDeliveryTests"] = 89,
    };

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        Order(DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections), c => c.TestCollectionDisplayName);

    /// <summary>Longest first by the measured times; the rest after them, in the order given (a stable sort).</summary>
    public static List<T> Order<T>(IEnumerable<T> collections, Func<T, string> displayName) =>
        [.. collections.OrderByDescending(c => MeasuredSeconds.GetValueOrDefault(Key(displayName(c))))];

    /// <summary>
    /// The name a collection is listed under: a collection definition's own name, or, for the collection xunit makes
    /// for each class of its own ("Test collection for Full.Class.Name (id: …)"), the class's short name.
    /// </summary>
    public static string Key(string displayName)
    {
        const string PerClass = "Test collection for ";
        if (!displayName.StartsWith(PerClass, StringComparison.Ordinal))
        {
            return displayName;
        }

        var className = displayName[PerClass.Length..].Split(' ')[0];
        return className[(className.LastIndexOf('.') + 1)..];
    }
}
