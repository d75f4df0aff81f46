using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Matching;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Dashboards.Disclosure;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>
/// A platform of its own whose match tables hold, all confirmed by both sides in March 2025: 12 women first identified in
/// Thailand and again in Cambodia after their case ended, 11 the other way round, 3 first in Laos and again in Viet Nam,
/// and 6 duplicates of open cases (Thailand, then Cambodia); besides them a match confirmed by one side only and a
/// dismissed one. Rows are written as the matching feature and the referral list leave them, with no referral behind
/// them: the dashboard reads these two tables only.
/// </summary>
public sealed class ReIdentificationPlatform : IAsyncLifetime
{
    public const string Month = "2025-03";
    private readonly TempFolder _data = new();

    public PlatformFactory Factory { get; private set; } = null!;

    public List<Guid> Ids { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Factory = new PlatformFactory(_data.Path) { Settings = new Dictionary<string, string> { ["Dashboards:RefreshInterval"] = "00:00:00" } };
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        static DateTimeOffset On(int year, int month, int day) => new(year, month, day, 9, 0, 0, TimeSpan.Zero);
        void Add(int count, (string Country, DateTimeOffset At) first, (string Country, DateTimeOffset At) again, bool reIdentification,
            DateTimeOffset? linkedAt, MatchSideStatus other = MatchSideStatus.Confirmed)
        {
            for (var i = 0; i < count; i++)
            {
                // Which referral has the smaller id (side A) is chance, as in life: the table must order them by identification.
                var (earlier, later) = (Guid.NewGuid(), Guid.NewGuid());
                db.Referrals.Add(Row(earlier, first.Country, first.At, reIdentification ? Stage.Closed : Stage.InProtection));
                db.Referrals.Add(Row(later, again.Country, again.At, Stage.Screened));
                var (a, b) = earlier.CompareTo(later) < 0 ? (earlier, later) : (later, earlier);
                var match = new PossibleMatch
                {
                    Id = Guid.CreateVersion7(), ReferralA = a, ReferralB = b,
                    CountryA = a == earlier ? first.Country : again.Country, CountryB = b == earlier ? first.Country : again.Country,
                    Similarity = MatchSimilarity.High, StatusA = MatchSideStatus.Confirmed, StatusB = other,
                    FoundAt = again.At, LinkedAt = linkedAt, ReIdentification = reIdentification,
                };
                db.PossibleMatches.Add(match);
                Ids.AddRange([earlier, later, match.Id]);
            }
        }

        Add(12, ("TH", On(2024, 6, 1)), ("KH", On(2025, 2, 10)), reIdentification: true, On(2025, 3, 15));
        Add(11, ("KH", On(2024, 1, 5)), ("TH", On(2025, 1, 20)), reIdentification: true, On(2025, 3, 20));
        Add(3, ("LA", On(2024, 8, 8)), ("VN", On(2025, 2, 2)), reIdentification: true, On(2025, 3, 5));
        Add(6, ("TH", On(2025, 1, 3)), ("KH", On(2025, 2, 14)), reIdentification: false, On(2025, 3, 10));
        Add(1, ("TH", On(2025, 1, 3)), ("KH", On(2025, 2, 14)), reIdentification: false, linkedAt: null, other: MatchSideStatus.Open);
        Add(1, ("TH", On(2025, 1, 3)), ("KH", On(2025, 2, 14)), reIdentification: false, linkedAt: null, other: MatchSideStatus.Dismissed);
        await db.SaveChangesAsync();
    }

    private static ReferralListRow Row(Guid id, string country, DateTimeOffset identifiedAt, Stage stage) => new()
    {
        Id = id, Stage = stage, Holder = $"{country.ToLowerInvariant()}-focal-point", IdentifiedIn = country, Nationality = "KH",
        IdentifiedAt = identifiedAt, UpdatedAt = identifiedAt, Version = 1,
    };

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _data.Dispose();
    }
}

public sealed class ReIdentificationDashboardTests(ReIdentificationPlatform platform) : IClassFixture<ReIdentificationPlatform>
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task The_secretariat_counts_re_identifications_and_confirmed_matches_by_country_pair_with_the_small_pair_hidden()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");

        var view = await DashboardAsync(secretariat, ReIdentificationPlatform.Month);

        Assert.Equal(["re-identified", "confirmed-matches"], view.Tables.Select(t => t.Name));
        Assert.Equal(new DashboardCell("TH", "KH", 12, "12"), CellOf(view, "re-identified", "TH", "KH"));
        Assert.Equal(new DashboardCell("KH", "TH", 11, "11"), CellOf(view, "re-identified", "KH", "TH"));
        Assert.Equal(new DashboardCell("LA", "VN", null, "<10"), CellOf(view, "re-identified", "LA", "VN"));
        Assert.Equal(0, CellOf(view, "re-identified", "VN", "LA").Count); // the direction is kept: Laos first, Viet Nam again
        // The 6 duplicates of open cases count among the confirmed matches only; one side's confirmation or a dismissal counts nowhere.
        Assert.Equal(new DashboardCell("TH", "KH", 18, "18"), CellOf(view, "confirmed-matches", "TH", "KH"));
        Assert.Equal(new DashboardCell("LA", "VN", null, "<10"), CellOf(view, "confirmed-matches", "LA", "VN"));
        var february = await DashboardAsync(secretariat, "2025-02");
        Assert.All(february.Tables.SelectMany(t => t.Cells), c => Assert.Equal(0, c.Count)); // counted in the month both confirmed

        // Counts only: neither a match's id nor a referral's is in any answer, JSON or CSV.
        var json = await secretariat.GetStringAsync($"/api/v1/dashboard/re-identifications?period={ReIdentificationPlatform.Month}");
        var csv = await CsvAsync(secretariat, "/api/v1/dashboard/re-identifications?period=2025");
        Assert.Contains("re-identifications,2025,all,re-identified,LA,VN,count,<10", csv, StringComparison.Ordinal);
        Assert.All(platform.Ids, id =>
        {
            Assert.DoesNotContain(id.ToString(), json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(id.ToString(), csv, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task Every_month_quarter_and_the_year_of_re_identifications_together_never_pin_the_three_found_again_in_Viet_Nam()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");

        foreach (var table in new[] { "re-identified", "confirmed-matches" })
        {
            var attacker = new Attacker();
            var months = new List<Attacker.TableTerms>();
            foreach (var m in Enumerable.Range(1, 12))
            {
                months.Add(attacker.Read(ToTable(await DashboardAsync(secretariat, $"2025-{m:D2}"), table), $"2025-{m:D2}"));
            }

            var quarters = new List<Attacker.TableTerms>();
            foreach (var q in Enumerable.Range(1, 4))
            {
                quarters.Add(attacker.Read(ToTable(await DashboardAsync(secretariat, $"2025-Q{q}"), table), $"2025-Q{q}"));
                attacker.Sum(quarters[^1], months.Skip((q - 1) * 3).Take(3).ToList());
            }

            attacker.Sum(attacker.Read(ToTable(await DashboardAsync(secretariat, "2025"), table), "2025"), quarters);
            var findings = attacker.Attack(exact: true);
            Assert.NotEmpty(findings);
            Assert.DoesNotContain(findings, f => f.Pinned);
        }
    }

    [Fact]
    public async Task A_focal_point_sees_only_its_country_s_row_and_column_and_shelters_and_NGOs_are_refused()
    {
        using var vietnam = await Factory.ClientForAsync("vn-focal-point");

        var view = await DashboardAsync(vietnam, ReIdentificationPlatform.Month);

        Assert.Equal("VN", view.Scope);
        Assert.All(view.Tables.SelectMany(t => t.Cells), c => Assert.True(c.Row == "VN" || c.Column == "VN", $"{c.Row}/{c.Column}"));
        Assert.Equal("<10", CellOf(view, "re-identified", "LA", "VN").Display);
        Assert.DoesNotContain(view.Tables.SelectMany(t => t.Cells), c => c.Count >= 10);
        using var otherCountry = await vietnam.GetAsync($"/api/v1/dashboard/re-identifications?period={ReIdentificationPlatform.Month}&country=TH");
        await Problem.AssertAsync(otherCountry, HttpStatusCode.Forbidden, "forbidden");

        foreach (var organization in new[] { "th-shelter-bangkok", "vn-ngo-reintegration" })
        {
            using var client = await Factory.ClientForAsync(organization);
            using var refused = await client.GetAsync($"/api/v1/dashboard/re-identifications?period={ReIdentificationPlatform.Month}");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Empty(await PartnerApi.ReadAsync<List<MatchView>>(await client.GetAsync("/api/v1/matches")));
        }
    }

    private static async Task<DashboardView> DashboardAsync(HttpClient client, string period) =>
        await PartnerApi.ReadAsync<DashboardView>(await client.GetAsync($"/api/v1/dashboard/re-identifications?period={period}"));

    private static async Task<string> CsvAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

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
