using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Dashboards.Disclosure;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>
/// A platform of its own (no other test's referrals in its counts) with 25 Vietnamese women identified in Thailand and
/// 3 Cambodian men identified in Laos in March 2025, all created through the API with real tokens.
/// </summary>
public sealed class DashboardPlatform : IAsyncLifetime
{
    public const string Month = "2025-03";
    private readonly TempFolder _data = new();

    public PlatformFactory Factory { get; private set; } = null!;

    public List<Guid> ReferralIds { get; } = [];

    public async ValueTask InitializeAsync()
    {
        // No caching between requests: every answer reflects the read model as it is.
        Factory = new PlatformFactory(_data.Path) { Settings = new Dictionary<string, string> { ["Dashboards:RefreshInterval"] = "00:00:00" } };
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var laos = await Factory.ClientForAsync("la-focal-point");
        var march = new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 25; i++)
        {
            ReferralIds.Add((await ReferralRequests.CreateAsync(thailand, ReferralRequests.VietnameseWoman("TH") with { IdentifiedAt = march })).Id);
        }

        for (var i = 0; i < 3; i++)
        {
            var cambodian = new CreateReferralRequest(
                new SubjectInput("Sokha", "Chan", Sex.Male, new DateOnly(1995, 6, 1), "KH", ["km"]), "LA", march.AddDays(2), [ExploitationForm.ForcedCriminality], null);
            ReferralIds.Add((await ReferralRequests.CreateAsync(laos, cambodian)).Id);
        }

        // Events are published after the call answers: the tests start once the dashboards' projection has them all.
        var applied = await Eventually.Until(CasesAsync, n => n >= ReferralIds.Count);
        Assert.Equal(ReferralIds.Count, applied);
    }

    public async Task<int> CasesAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().DashboardCases.CountAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _data.Dispose();
    }
}

public sealed class DashboardApiTests(DashboardPlatform platform) : IClassFixture<DashboardPlatform>
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Secretariat_sees_the_big_corridor_and_only_a_mark_for_the_small_one_and_an_attacker_cannot_pin_it()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");

        var corridors = await Eventually.Until(() => DashboardAsync(secretariat, "corridors", DashboardPlatform.Month),
            d => CellOf(d, "identified", "TH", "VN").Count == 25);
        Assert.Equal(new DashboardCell("TH", "VN", 25, "25"), CellOf(corridors, "identified", "TH", "VN"));
        Assert.Equal(new DashboardCell("LA", "KH", null, "<10"), CellOf(corridors, "identified", "LA", "KH"));
        var raw = await secretariat.GetStringAsync($"/api/v1/dashboard/corridors?period={DashboardPlatform.Month}");
        Assert.Contains("{\"row\":\"LA\",\"column\":\"KH\",\"count\":null,\"display\":\"<10\"}", raw, StringComparison.Ordinal);

        var demographics = await DashboardAsync(secretariat, "demographics", DashboardPlatform.Month);
        Assert.Equal(new DashboardCell("18-24", "female", 25, "25"), CellOf(demographics, "age-and-sex", "18-24", "female"));
        Assert.Equal(new DashboardCell("25-34", "male", null, "<10"), CellOf(demographics, "age-and-sex", "25-34", "male"));

        // The referrals identified read the same on every dashboard that shows them, for all countries and for each.
        foreach (var country in new[] { "", "&country=LA", "&country=TH" })
        {
            var shared = new List<string>();
            foreach (var (dashboard, table, row) in new[] { ("corridors", "identified", "total"), ("funnel", "furthest-stage", "total"), ("demographics", "age-and-sex", "total"), ("screening", "outcomes", "total"), ("trends", "monthly", "identified") })
            {
                var view = await PartnerApi.ReadAsync<DashboardView>(await secretariat.GetAsync($"/api/v1/dashboard/{dashboard}?period={DashboardPlatform.Month}{country}"));
                var cells = view.Tables.Single(t => t.Name == table).Cells;
                shared.Add(country.Length > 0 && dashboard == "corridors"
                    ? cells.Single(c => c.Row == country[^2..] && c.Column == "total").Display
                    : cells.Single(c => c.Row == row && c.Column == "total").Display);
            }

            Assert.Single(shared.Distinct());
        }

        // Everything the secretariat can ask for the year, and every sum linking it: the 3 stays between two values at least.
        foreach (var (dashboard, table) in new[] { ("corridors", "identified"), ("demographics", "age-and-sex") })
        {
            var attacker = new Attacker();
            var months = new List<Attacker.TableTerms>();
            foreach (var m in Enumerable.Range(1, 12))
            {
                months.Add(attacker.Read(ToTable(await DashboardAsync(secretariat, dashboard, $"2025-{m:D2}"), table), $"2025-{m:D2}"));
            }

            var quarters = new List<Attacker.TableTerms>();
            foreach (var q in Enumerable.Range(1, 4))
            {
                quarters.Add(attacker.Read(ToTable(await DashboardAsync(secretariat, dashboard, $"2025-Q{q}"), table), $"2025-Q{q}"));
                attacker.Sum(quarters[^1], months.Skip((q - 1) * 3).Take(3).ToList());
            }

            attacker.Sum(attacker.Read(ToTable(await DashboardAsync(secretariat, dashboard, "2025"), table), "2025"), quarters);
            var findings = attacker.Attack(exact: true);
            Assert.NotEmpty(findings);
            Assert.DoesNotContain(findings, f => f.Pinned);
        }
    }

    [Fact]
    public async Task A_focal_point_counts_only_referrals_involving_its_country_and_a_shelter_is_refused()
    {
        using var laos = await Factory.ClientForAsync("la-focal-point");
        using var vietnam = await Factory.ClientForAsync("vn-focal-point");

        var laoCorridors = await DashboardAsync(laos, "corridors", DashboardPlatform.Month);
        Assert.Equal("LA", laoCorridors.Scope);
        Assert.All(laoCorridors.Tables.SelectMany(t => t.Cells), c => Assert.True(c.Row == "LA" || c.Column == "LA", $"{c.Row}/{c.Column}"));
        Assert.DoesNotContain(laoCorridors.Tables.SelectMany(t => t.Cells), c => c.Count >= 25);
        var laoDemographics = await DashboardAsync(laos, "demographics", DashboardPlatform.Month);
        Assert.Equal(new DashboardCell("total", "total", null, "<10"), CellOf(laoDemographics, "age-and-sex", "total", "total"));
        Assert.Equal(0, CellOf(laoDemographics, "age-and-sex", "18-24", "female").Count);

        var vietnamese = await DashboardAsync(vietnam, "corridors", DashboardPlatform.Month);
        Assert.Equal(25, CellOf(vietnamese, "identified", "TH", "VN").Count);
        Assert.All(vietnamese.Tables.SelectMany(t => t.Cells), c => Assert.True(c.Row == "VN" || c.Column == "VN", $"{c.Row}/{c.Column}"));
        Assert.DoesNotContain(vietnamese.Tables.SelectMany(t => t.Cells), c => c.Count is > 0 and < 25);
        var vietnamDemographics = await DashboardAsync(vietnam, "demographics", DashboardPlatform.Month);
        Assert.Equal(0, CellOf(vietnamDemographics, "age-and-sex", "total", "total").Count); // none identified in Viet Nam

        using var otherCountry = await laos.GetAsync("/api/v1/dashboard/corridors?period=2025-03&country=TH");
        await Problem.AssertAsync(otherCountry, HttpStatusCode.Forbidden, "forbidden");
        using var laoExport = await laos.GetAsync("/api/v1/exports/cases");
        await Problem.AssertAsync(laoExport, HttpStatusCode.Forbidden, "forbidden");

        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        foreach (var path in new[] { "/api/v1/dashboard/corridors?period=2025-03", "/api/v1/dashboard/funnel?period=2025", "/api/v1/exports/cases" })
        {
            using var refused = await shelter.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
    }

    [Fact]
    public async Task No_dashboard_or_export_answer_of_the_secretariat_carries_a_referral_id_or_an_organization()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        await Eventually.Until(() => DashboardAsync(secretariat, "corridors", DashboardPlatform.Month), d => CellOf(d, "identified", "LA", "KH").Display == "<10");
        var answers = new List<string>();
        foreach (var dashboard in DashboardCatalog.Dashboards.Keys)
        {
            foreach (var period in new[] { DashboardPlatform.Month, "2025-Q1", "2025" })
            {
                answers.Add(await secretariat.GetStringAsync($"/api/v1/dashboard/{dashboard}?period={period}"));
                answers.Add(await CsvAsync(secretariat, $"/api/v1/dashboard/{dashboard}?period={period}"));
                answers.Add(await secretariat.GetStringAsync($"/api/v1/dashboard/{dashboard}?period={period}&country=TH"));
            }
        }

        answers.Add(await secretariat.GetStringAsync("/api/v1/exports/cases"));
        answers.Add(await CsvAsync(secretariat, "/api/v1/exports/cases"));
        Assert.Equal(DashboardCatalog.Dashboards.Count * 9 + 2, answers.Count);
        foreach (var answer in answers)
        {
            foreach (var id in platform.ReferralIds)
            {
                Assert.DoesNotContain(id.ToString("D"), answer, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(id.ToString("N"), answer, StringComparison.OrdinalIgnoreCase);
            }

            Assert.DoesNotContain("focal-point", answer, StringComparison.Ordinal);
            Assert.DoesNotContain(ReferralRequests.FamilyName, answer, StringComparison.Ordinal);
            Assert.DoesNotContain("Sokha", answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Csv_shows_the_cells_of_the_json_with_suppressed_ones_as_they_display()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        var json = await DashboardAsync(secretariat, "corridors", DashboardPlatform.Month);
        var csv = await CsvAsync(secretariat, $"/api/v1/dashboard/corridors?period={DashboardPlatform.Month}");

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("dashboard,period,scope,table,row,column,measure,value", lines[0]);
        Assert.Contains("corridors,2025-03,all,identified,TH,VN,count,25", lines);
        Assert.Contains("corridors,2025-03,all,identified,LA,KH,count,<10", lines);
        Assert.Equal(json.Tables.Sum(t => t.Cells.Count + t.Statistics.Count), lines.Length - 1);
    }

    [Fact]
    public async Task The_export_releases_the_25_and_withholds_the_3_and_says_so()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        var export = await Eventually.Until(
            async () => (await secretariat.GetFromJsonAsync<CaseExport>("/api/v1/exports/cases", PlatformFactory.JsonOptions))!,
            e => e.Released + e.Withheld >= 28);

        Assert.Equal((11, 25, 3), (export.K, export.Released, export.Withheld));
        Assert.All(export.Cases, c => Assert.Equal(("2025-03", "TH", "VN", "18-24", "female"), (c.Period, c.IdentificationCountry, c.Nationality, c.AgeBand, c.Sex)));
    }

    [Fact]
    public async Task Bad_period_unknown_dashboard_and_a_filter_a_dashboard_lacks_are_problems()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        foreach (var period in new[] { "", "2025-3", "2025-13", "2025-Q5", "2025-03-01", "2025-03..2025-04", "last-30-days" })
        {
            using var bad = await secretariat.GetAsync($"/api/v1/dashboard/corridors?period={Uri.EscapeDataString(period)}");
            Assert.Contains("period", Problem.ErrorFields(await Problem.AssertAsync(bad, HttpStatusCode.BadRequest, "validation")));
        }

        using var unknown = await secretariat.GetAsync("/api/v1/dashboard/people?period=2025");
        await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not-found");
        using var noFilter = await secretariat.GetAsync("/api/v1/dashboard/screening?period=2025&exploitation=forced-criminality");
        Assert.Contains("exploitation", Problem.ErrorFields(await Problem.AssertAsync(noFilter, HttpStatusCode.BadRequest, "validation")));
        using var badCountry = await secretariat.GetAsync("/api/v1/dashboard/corridors?period=2025&country=Thailand");
        Assert.Contains("country", Problem.ErrorFields(await Problem.AssertAsync(badCountry, HttpStatusCode.BadRequest, "validation")));
    }

    [Fact]
    public async Task The_surge_board_shows_each_nationality_where_its_people_got_to_with_the_corridors_totals()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        var corridors = await Eventually.Until(() => DashboardAsync(secretariat, "corridors", DashboardPlatform.Month), d => CellOf(d, "identified", "LA", "KH").Display == "<10");
        var surge = await DashboardAsync(secretariat, "surge", DashboardPlatform.Month);

        // Twenty-five Vietnamese identified in Thailand, none screened yet; three Cambodians in Laos, a small count.
        Assert.Equal("25", CellOf(surge, "by-nationality", "identified", "VN").Display);
        Assert.Equal("0", CellOf(surge, "by-nationality", "screened", "VN").Display);
        Assert.Equal("<10", CellOf(surge, "by-nationality", "identified", "KH").Display);
        foreach (var nationality in new[] { "VN", "KH" })
        {
            Assert.Equal(Value(CellOf(corridors, "identified", "total", nationality)), Value(CellOf(surge, "by-nationality", "total", nationality)));
        }

        Assert.Equal(Value(CellOf(corridors, "identified", "total", "total")), Value(CellOf(surge, "by-nationality", "total", "total")));

        // Thailand's focal point sees the people identified in Thailand; the secretariat's view of Thailand is the same.
        var thai = await DashboardAsync(thailand, "surge", DashboardPlatform.Month);
        Assert.Equal(Value(CellOf(corridors, "identified", "TH", "VN")), Value(CellOf(thai, "by-nationality", "total", "VN")));
        Assert.DoesNotContain(thai.Tables.Single(t => t.Name == "by-nationality").Cells, c => c.Column == "KH" && c.Count > 0);
        Assert.Equal(
            JsonSerializer.Serialize(thai.Tables),
            JsonSerializer.Serialize((await DashboardAsync(secretariat, "surge", $"{DashboardPlatform.Month}&country=TH")).Tables));
    }

    [Fact]
    public async Task The_surge_board_shows_how_long_the_queues_have_held_people_with_small_counts_suppressed()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        await Eventually.Until(() => DashboardAsync(secretariat, "corridors", DashboardPlatform.Month), d => CellOf(d, "identified", "LA", "KH").Display == "<10");

        // Identified in March 2025 and never screened: every one has waited in "identified" for more than 30 days. The
        // table is of today, whatever the period asked; other tests of this class may add referrals of today.
        var thai = await DashboardAsync(thailand, "surge", DashboardPlatform.Month);
        Assert.Equal("25", CellOf(thai, "waiting-now", "identified", "30-days-or-more").Display);
        Assert.Equal(
            [.. DashboardService.WaitingBands.Select(b => b.Key), DashboardCatalog.Total],
            thai.Tables.Single(t => t.Name == "waiting-now").Cells.Where(c => c.Row == "identified").Select(c => c.Column));
        var laos = await DashboardAsync(secretariat, "surge", $"{DashboardPlatform.Month}&country=LA");
        Assert.Equal(("<10", (int?)null), (CellOf(laos, "waiting-now", "identified", "30-days-or-more").Display, CellOf(laos, "waiting-now", "identified", "30-days-or-more").Count));
        Assert.Null(CellOf(laos, "waiting-now", "total", "total").Count);
    }

    [Fact]
    public async Task Rebuilding_from_the_histories_gives_the_same_answers()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        await Eventually.Until(() => DashboardAsync(secretariat, "corridors", DashboardPlatform.Month), d => CellOf(d, "identified", "LA", "KH").Display == "<10");
        async Task<List<string>> AllAsync()
        {
            var all = new List<string>();
            foreach (var dashboard in DashboardCatalog.Dashboards.Keys)
            {
                all.Add(await secretariat.GetStringAsync($"/api/v1/dashboard/{dashboard}?period=2025"));
            }

            return all;
        }

        var before = await AllAsync();
        var replayed = await DashboardRebuild.RunAsync(Factory.Services, TextWriter.Null, TestContext.Current.CancellationToken);
        var after = await AllAsync();

        Assert.True(replayed >= 28, $"{replayed} referrals replayed");
        Assert.Equal(before, after);
    }

    private static async Task<DashboardView> DashboardAsync(HttpClient client, string name, string period) =>
        await PartnerApi.ReadAsync<DashboardView>(await client.GetAsync($"/api/v1/dashboard/{name}?period={period}"));

    private static async Task<string> CsvAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    /// <summary>What a cell says, wherever it stands.</summary>
    private static (int? Count, string Display) Value(DashboardCell cell) => (cell.Count, cell.Display);

    private static DashboardCell CellOf(DashboardView view, string table, string row, string column) =>
        view.Tables.Single(t => t.Name == table).Cells.Single(c => c.Row == row && c.Column == column);

    /// <summary>The published table as the attacker reads it.</summary>
    private static CountTable ToTable(DashboardView view, string name)
    {
        var cells = view.Tables.Single(t => t.Name == name).Cells;
        List<string> rows = [.. cells.Select(c => c.Row).Where(r => r != "total").Distinct()];
        List<string> columns = [.. cells.Select(c => c.Column).Where(c => c != "total").Distinct()];
        Cell At(string row, string column) => cells.Single(c => c.Row == row && c.Column == column) is var c ? new Cell(c.Count, c.Display) : null!;
        return new CountTable(
            rows,
            columns,
            [.. rows.Select(r => (IReadOnlyList<Cell>)[.. columns.Select(c => At(r, c))])],
            [.. rows.Select(r => At(r, "total"))],
            [.. columns.Select(c => At("total", c))],
            At("total", "total"));
    }
}
