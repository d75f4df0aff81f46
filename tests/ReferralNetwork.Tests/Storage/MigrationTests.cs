using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Tests.Storage;

public sealed class MigrationTests
{
    /// <summary>
    /// Fails when the model of <see cref="PlatformDbContext"/> changed without a migration for each provider: both
    /// platform databases are only ever changed by migrations. The fix is two commands (see
    /// PlatformDbContextDesignTimeFactory): <c>dotnet ef migrations add NameOfTheChange --project src/ReferralNetwork
    /// --context PlatformDbContext --output-dir Storage/Migrations</c>, and the same with <c>--context
    /// SqlitePlatformDbContext --output-dir Storage/Migrations/Sqlite</c>.
    /// </summary>
    [Fact]
    public void The_PostgreSQL_migrations_cover_the_whole_model()
    {
        using var db = DesignTime<PlatformDbContext>();

        Assert.True(db.Database.IsNpgsql());
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "The model has changes no PostgreSQL migration covers: add one (command in this test's summary).");
    }

    [Fact]
    public void The_SQLite_migrations_cover_the_whole_model()
    {
        using var db = DesignTime<SqlitePlatformDbContext>();

        Assert.True(db.Database.IsSqlite());
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "The model has changes no SQLite migration covers: add one (command in this test's summary).");
    }

    private static TContext DesignTime<TContext>() where TContext : DbContext
    {
        var factory = typeof(PlatformDbContext).Assembly.GetTypes()
            .Single(t => typeof(IDesignTimeDbContextFactory<TContext>).IsAssignableFrom(t));
        return ((IDesignTimeDbContextFactory<TContext>)Activator.CreateInstance(factory, nonPublic: true)!).CreateDbContext([]);
    }
}
