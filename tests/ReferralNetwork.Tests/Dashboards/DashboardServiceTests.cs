using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>The dashboards over a few thousand synthetic referrals written by the seed: figures match the facts, suppressed groups give none.</summary>
public sealed class DashboardServiceTests
{
    [Fact]
    public async Task Medians_match_the_facts_only_published_groups_have_them_and_shared_counts_read_the_same_everywhere()
    {
        using var data = new TempFolder();
        var platformDb = $"Data Source={Path.Combine(data.Path, "platform.db")}";
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddPlatformDbContext(PlatformProfile.Embedded, platformDb)
            .AddSingleton(new DashboardOptions { RefreshInterval = TimeSpan.Zero })
            .AddSingleton(TimeProvider.System)
            .AddSingleton<DashboardService>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellation);
        }

        await SyntheticReferrals.SeedAsync(services, 4000, TextWriter.Null, seed: 7, cancellationToken: cancellation);
        List<DashboardCase> cases;
        await using (var scope = services.CreateAsyncScope())
        {
            cases = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().DashboardCases.AsNoTracking().ToListAsync(cancellation);
        }

        var view = await services.GetRequiredService<DashboardService>().AnswerAsync(new DashboardQuery("time-to-return", Period.WholeYear(2025), null, null), cancellation);
        var returns = view.Tables.Single(t => t.Name == "returns");
        var checkedMedians = 0;
        foreach (var cell in returns.Cells.Where(c => c.Row != "total" && c.Column != "total"))
        {
            var days = cases.Where(c => c.ReturnedMonth / 100 == 2025 && c.IdentifiedIn == cell.Row && c.Nationality == cell.Column)
                .Select(c => (double)c.DaysToReturn!.Value).Order().ToList();
            Assert.Equal(days.Count > 0 ? cell.Count ?? -1 : 0, cell.Count is null ? -1 : days.Count);
            var median = returns.Statistics.Single(s => s.Name == "median-days" && s.Row == cell.Row && s.Column == cell.Column).Value;
            var p90 = returns.Statistics.Single(s => s.Name == "p90-days" && s.Row == cell.Row && s.Column == cell.Column).Value;
            if (cell.Count is null || days.Count < 10)
            {
                Assert.Null(median);
                Assert.Null(p90);
                continue;
            }

            Assert.Equal(SuppressedRatio.Median(days), median);
            Assert.Equal(days[(int)Math.Ceiling(0.9 * days.Count) - 1], p90);
            checkedMedians++;
        }

        Assert.True(checkedMedians >= 3, $"only {checkedMedians} corridors had a median");
        Assert.Contains(returns.Cells, c => c.Count is null);

        // Counts two dashboards share read the same on both, month by month and country by country.
        var dashboards = services.GetRequiredService<DashboardService>();
        foreach (var period in new[] { Period.Month(2025, 5), Period.Quarter(2025, 2), Period.WholeYear(2025) })
        {
            foreach (var country in new string?[] { null, "KH", "LA" })
            {
                string Display(DashboardView v, string table, string row, string column) =>
                    v.Tables.Single(t => t.Name == table).Cells.Single(c => c.Row == row && c.Column == column).Display;
                var screening = await dashboards.AnswerAsync(new DashboardQuery("screening", period, country, null), cancellation);
                var presumed = Display(screening, "outcomes", "presumed-victim", "total");
                Assert.All(screening.Tables.Single(t => t.Name == "indicators").Cells.Where(c => c.Row != "total" && c.Column == "total"), c => Assert.Equal(presumed, c.Display));

                var trends = await dashboards.AnswerAsync(new DashboardQuery("trends", period, country, null), cancellation);
                var toReturn = await dashboards.AnswerAsync(new DashboardQuery("time-to-return", period, country, null), cancellation);
                Assert.Equal(Display(toReturn, "returns", country ?? "total", "total"), Display(trends, "monthly", "returned", "total"));
                var corridors = await dashboards.AnswerAsync(new DashboardQuery("corridors", period, country, null), cancellation);
                Assert.Equal(Display(corridors, "identified", country ?? "total", "total"), Display(trends, "monthly", "identified", "total"));
            }
        }
    }

    [Fact]
    public async Task Each_family_computed_is_logged_once_with_its_read_and_protection_times_for_operators()
    {
        using var data = new TempFolder();
        var logs = new LogCapture();
        await using var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information))
            .AddPlatformDbContext(PlatformProfile.Embedded, $"Data Source={Path.Combine(data.Path, "platform.db")}")
            .AddSingleton(new DashboardOptions())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<DashboardService>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellation);
        }

        await SyntheticReferrals.SeedAsync(services, 500, TextWriter.Null, seed: 3, cancellationToken: cancellation);
        var dashboards = services.GetRequiredService<DashboardService>();
        await dashboards.AnswerAsync(new DashboardQuery("funnel", Period.WholeYear(2025), null, null), cancellation);
        await dashboards.AnswerAsync(new DashboardQuery("funnel", Period.Month(2025, 5), "KH", null), cancellation);

        // The funnel follows the corridors' counts: both families are computed, once each, then served from memory.
        var lines = logs.Entries.Where(e => e.Category == typeof(DashboardService).FullName).Select(e => e.Text).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => l.StartsWith("Dashboard table identified of 2025: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Dashboard table furthest-stage of 2025: ", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Matches(@"\d+ leaf counts read in \d+ ms, protected in \d+ ms", l));
    }

    [Fact]
    public async Task The_indicators_table_counts_each_presumed_victim_once_per_indicator_as_shown_or_not_shown()
    {
        using var data = new TempFolder();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddPlatformDbContext(PlatformProfile.Embedded, $"Data Source={Path.Combine(data.Path, "platform.db")}")
            .AddSingleton(new DashboardOptions())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<DashboardService>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await db.Database.MigrateAsync(cancellation);
        await SyntheticReferrals.SeedAsync(services, 3000, TextWriter.Null, seed: 5, cancellationToken: cancellation);

        var presumed = await db.DashboardCases.AsNoTracking()
            .Where(c => c.IdentifiedMonth >= 202501 && c.IdentifiedMonth <= 202512 && c.Outcome == ScreeningOutcome.PresumedVictim)
            .ToListAsync(cancellation);
        var expected = presumed
            .SelectMany(c => IndicatorCatalog.All.Select(i => (Month: c.IdentifiedMonth % 100, c.IdentifiedIn, i.Code, Shown: c.Indicators.Split(',').Contains(i.Code) ? "shown" : "not-shown")))
            .CountBy(x => x)
            .Select(x => $"{x.Key.Month} {x.Key.IdentifiedIn} {x.Key.Code} {x.Key.Shown} {x.Value}")
            .Order(StringComparer.Ordinal);

        var indicators = DashboardCatalog.Dashboards["screening"].Single(t => t.Name == "indicators");
        var table = await indicators.Load(db, 2025, cancellation);
        var actual = table.Leaves
            .GroupBy(l => (l.Month, Country: l.Filters.Single(), l.Row, l.Column))
            .Select(g => $"{g.Key.Month} {g.Key.Country} {g.Key.Row} {g.Key.Column} {g.Sum(l => l.Count)}")
            .Order(StringComparer.Ordinal);

        Assert.True(presumed.Count > 500, $"only {presumed.Count} presumed victims in 2025");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Statistics_kept_with_a_family_are_those_of_the_period_country_and_form_asked()
    {
        using var data = new TempFolder();
        var file = $"Data Source={Path.Combine(data.Path, "platform.db")}";
        ServiceProvider Services(TimeSpan refresh) => new ServiceCollection()
            .AddLogging()
            .AddPlatformDbContext(PlatformProfile.Embedded, file)
            .AddSingleton(new DashboardOptions { RefreshInterval = refresh })
            .AddSingleton(TimeProvider.System)
            .AddSingleton<DashboardService>()
            .BuildServiceProvider(true);
        await using var cached = Services(TimeSpan.FromHours(1));
        await using var fresh = Services(TimeSpan.Zero);
        var cancellation = TestContext.Current.CancellationToken;
        await using (var scope = cached.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellation);
        }

        await SyntheticReferrals.SeedAsync(cached, 4000, TextWriter.Null, seed: 9, cancellationToken: cancellation);
        var queries = (
            from dashboard in new[] { "time-to-return", "handoffs" }
            from period in new[] { Period.WholeYear(2025), Period.Quarter(2025, 2), Period.Month(2025, 5) }
            from country in new string?[] { null, "KH", "VN" }
            from form in dashboard == "time-to-return" ? new ExploitationForm?[] { null, ExploitationForm.ForcedCriminality } : [null]
            select new DashboardQuery(dashboard, period, country, form)).ToList();

        // Twice over, so that the second round is answered from the statistics kept with each family.
        foreach (var query in queries.Concat(queries))
        {
            var kept = await cached.GetRequiredService<DashboardService>().AnswerAsync(query, cancellation);
            var computed = await fresh.GetRequiredService<DashboardService>().AnswerAsync(query, cancellation);
            Assert.Equal(
                computed.Tables.SelectMany(t => t.Statistics).Select(s => $"{s.Name} {s.Row} {s.Column} {s.Value}"),
                kept.Tables.SelectMany(t => t.Statistics).Select(s => $"{s.Name} {s.Row} {s.Column} {s.Value}"));
        }

        var medians = await cached.GetRequiredService<DashboardService>().AnswerAsync(new DashboardQuery("time-to-return", Period.WholeYear(2025), null, null), cancellation);
        Assert.Contains(medians.Tables.Single().Statistics, s => s.Value is not null);
    }
}
