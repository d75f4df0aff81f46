using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Dashboards;
using ReferralNetwork.EndToEnd.Servers;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>The synthetic seed's binary COPY into PostgreSQL, as the dashboards benchmark uses it on a throwaway database.</summary>
[Collection(ProductionCollection.Name)]
public sealed class SyntheticSeedOnPostgresTests(PostgresFixture postgres)
{
    [Fact]
    public async Task On_PostgreSQL_the_bulk_seed_writes_exactly_the_rows_the_fold_makes_and_EF_Core_finds_them()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var seeded = await PlatformDatabaseAsync(cancellation);
        await using var saved = await PlatformDatabaseAsync(cancellation);

        await SyntheticSeedCheck.SeedAndCompareAsync(seeded, saved, 1500, seed: 11, cancellation);
    }

    private async Task<ServiceProvider> PlatformDatabaseAsync(CancellationToken cancellationToken)
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync($"seed_{Guid.NewGuid():N}", cancellationToken);
        var services = new ServiceCollection()
            .AddLogging()
            .AddPlatformDbContext(PlatformProfile.Production, connectionString)
            .AddSingleton(new DashboardOptions())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<DashboardService>()
            .BuildServiceProvider(true);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellationToken);
        return services;
    }
}
