using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>The synthetic seed on SQLite (the PostgreSQL COPY is checked the same way by the end-to-end tests).</summary>
public sealed class SyntheticSeedTests
{
    [Fact]
    public async Task On_SQLite_the_bulk_seed_writes_exactly_the_rows_the_fold_makes_and_EF_Core_finds_them()
    {
        using var data = new TempFolder();
        var cancellation = TestContext.Current.CancellationToken;
        await using var seeded = await PlatformDatabaseAsync(Path.Combine(data.Path, "seeded.db"), cancellation);
        await using var saved = await PlatformDatabaseAsync(Path.Combine(data.Path, "saved.db"), cancellation);

        await SyntheticSeedCheck.SeedAndCompareAsync(seeded, saved, 1500, seed: 11, cancellation);
    }

    private static async Task<ServiceProvider> PlatformDatabaseAsync(string file, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddPlatformDbContext(PlatformProfile.Embedded, $"Data Source={file}")
            .AddSingleton(new DashboardOptions())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<DashboardService>()
            .BuildServiceProvider(true);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellationToken);
        return services;
    }
}
