using System.Net;
using System.Text.RegularExpressions;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;
using ReferralNetwork.WebConsole.Pages.Work.Dashboards;

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
    public async Task Trends_are_drawn_as_lines_month_by_month_and_the_funnel_as_bars()
    {
        var (session, _) = await ConsoleSession.SignInAsync(Platform, "officer@regional-secretariat");
        using var __ = session;
        var year = DateTime.UtcNow.Year;

        var trends = await session.GetAsync($"/console/dashboards?name=trends&period={year}");
        var quarter = await session.GetAsync($"/console/dashboards?name=trends&period={year}-Q{((DateTime.UtcNow.Month - 1) / 3) + 1}");
        var funnel = await session.GetAsync($"/console/dashboards?name=funnel&period={year}");

        Assert.Contains("<svg class=\"line-chart\"", trends.Html, StringComparison.Ordinal);
        Assert.Contains("<polyline", trends.Html, StringComparison.Ordinal); // every month is published (0 where none), so each line is whole
        Assert.Equal(12, Regex.Matches(LineChartOf(trends), "class=\"axis\">[^<0-9]+</text>").Count); // a month's name under each point
        Assert.Equal(3, Regex.Matches(LineChartOf(quarter), "class=\"axis\">[^<0-9]+</text>").Count);
        Assert.DoesNotContain("<svg class=\"heat-map\"", trends.Html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"bar-chart\"", funnel.Html, StringComparison.Ordinal);
        Assert.Matches("<rect x=\"200\"", funnel.Html);
    }

    [Fact]
    public void A_line_breaks_where_a_count_is_hidden_and_the_scale_rounds_up_to_1_2_or_5()
    {
        DashboardCell Published(int count) => new("identified", "count", count, $"{count}");
        var hidden = new DashboardCell("identified", "count", null, "<10");
        var line = new LineSeries("identified", [Published(12), hidden, Published(30), Published(47), null, Published(0)]);

        var segments = Charts.Segments(line, top: 50).ToList();

        var only = Assert.Single(segments); // 12 stands alone and 0 too: neither is joined across a hidden month
        Assert.Equal($"{Charts.X(2)},{Charts.Y(30, 50)} {Charts.X(3)},{Charts.Y(47, 50):0.#}", only);
        Assert.Equal(50, Charts.ScaleTop(line.Points));
        Assert.Equal(10, Charts.ScaleTop([hidden, null]));
        Assert.Equal(100, Charts.ScaleTop([Published(100)]));
        Assert.Equal(200, Charts.ScaleTop([Published(101)]));
    }

    private static string LineChartOf(TestBrowser.Page page)
    {
        var start = page.Html.IndexOf("<svg class=\"line-chart\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No line chart on {page.Url}");
        return page.Html[start..page.Html.IndexOf("</svg>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task The_surge_board_gives_a_focal_point_its_own_figures_per_day_and_everyone_the_queues()
    {
        var (thailand, _) = await ConsoleSession.SignInAsync(Platform, "officer@th-focal-point");
        using var __ = thailand;
        var (secretariat, _) = await ConsoleSession.SignInAsync(Platform, "officer@regional-secretariat");
        using var ___ = secretariat;

        var own = await thailand.GetAsync($"/console/dashboards?name=surge&period={DateTime.UtcNow.Year}");
        var all = await secretariat.GetAsync($"/console/dashboards?name=surge&period={DateTime.UtcNow.Year}");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (own.Status, all.Status));
        // Fourteen days, each step a row, and the step's total; days in the person's words (English here).
        Assert.Contains("<h2 id=\"table-by-day\">Your organization&#x27;s people, per day", own.Html, StringComparison.Ordinal);
        var byDay = own.Html[own.Html.IndexOf("data-table=\"by-day\"", StringComparison.Ordinal)..own.Html.IndexOf("data-table=\"by-nationality\"", StringComparison.Ordinal)];
        Assert.Equal(15, Regex.Matches(byDay, "data-cell=\"identified[|]").Count);
        Assert.Contains("data-cell=\"returned|total\"", own.Html, StringComparison.Ordinal);
        var lastDay = DateOnly.ParseExact(Regex.Matches(byDay, "data-cell=\"identified[|](?<d>[0-9-]{10})\"")[^1].Groups["d"].Value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"<th scope=\"col\">{lastDay.ToString("d MMM", System.Globalization.CultureInfo.GetCultureInfo("en"))}</th>", byDay, StringComparison.Ordinal);
        Assert.DoesNotContain("data-table=\"by-day\"", all.Html, StringComparison.Ordinal);
        foreach (var page in new[] { own, all })
        {
            Assert.Contains("data-table=\"waiting-now\"", page.Html, StringComparison.Ordinal);
            Assert.Contains("30+ days", page.Html, StringComparison.Ordinal);
        }
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
