using System.Net;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Console;

/// <summary>The dashboards in the console: the secretariat's first screen, a focal point's own country, refused to a shelter; cells as the API publishes them.</summary>
public sealed class ConsoleDashboardTests(SharedPlatform platform)
{
    private PlatformFactory Platform => platform.Factory;

    [Fact]
    public async Task The_secretariat_lands_on_the_dashboards_of_every_country_and_can_download_them()
    {
        var (session, home) = await ConsoleSession.SignInAsync(Platform, "officer@regional-secretariat");
        using var __ = session;

        var funnel = await session.GetAsync("/console/dashboards?name=funnel&period=2026");
        var csv = await session.GetAsync("/console/dashboards?name=funnel&period=2026&handler=Csv");

        Assert.Equal("/console/dashboards", home.Url.AbsolutePath);
        Assert.Contains("All countries", home.Html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"heat-map\"", home.Html, StringComparison.Ordinal);
        Assert.Contains("data-table=\"identified\"", home.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, funnel.Status);
        Assert.Contains("data-table=\"furthest-stage\"", funnel.Html, StringComparison.Ordinal);
        Assert.StartsWith("dashboard,period,scope,table,row,column,measure,value", csv.Html, StringComparison.Ordinal);
        Assert.DoesNotMatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", funnel.Html[funnel.Html.IndexOf("<main", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task A_focal_point_sees_its_own_country_and_a_shelter_is_refused()
    {
        var (vietnam, _) = await ConsoleSession.SignInAsync(Platform, "officer@vn-focal-point");
        using var __ = vietnam;
        var (shelter, shelterHome) = await ConsoleSession.SignInAsync(Platform, "officer@th-shelter-bangkok");
        using var ___ = shelter;

        var own = await vietnam.GetAsync("/console/dashboards?name=demographics&period=2026&country=TH");
        var refused = await shelter.GetAsync("/console/dashboards");

        Assert.Equal(HttpStatusCode.OK, own.Status);
        Assert.Contains("Viet Nam", own.Html[own.Html.IndexOf("<h1>", StringComparison.Ordinal)..own.Html.IndexOf("</h1>", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"country\"", own.Html, StringComparison.Ordinal); // no country to choose: its own
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.DoesNotContain("href=\"/console/dashboards\"", shelterHome.Html, StringComparison.Ordinal);
    }
}
