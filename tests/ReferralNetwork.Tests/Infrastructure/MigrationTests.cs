using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Tests.Infrastructure;

public sealed class MigrationTests
{
    /// <summary>
    /// Fails when the model of <see cref="PlatformDbContext"/> changed without a migration: the production
    /// database is only ever changed by migrations. The fix is one command (see PlatformDbContextDesignTimeFactory):
    /// <c>dotnet ef migrations add NameOfTheChange --project src/ReferralNetwork --output-dir Infrastructure/Migrations</c>.
    /// </summary>
    [Fact]
    public void The_PostgreSQL_migrations_cover_the_whole_model()
    {
        var factory = typeof(PlatformDbContext).Assembly.GetTypes()
            .Single(t => typeof(IDesignTimeDbContextFactory<PlatformDbContext>).IsAssignableFrom(t));
        using var db = ((IDesignTimeDbContextFactory<PlatformDbContext>)Activator.CreateInstance(factory)!).CreateDbContext([]);

        Assert.True(db.Database.IsNpgsql());
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "The model has changes no migration covers: add a migration (command in this test's summary).");
    }
}
