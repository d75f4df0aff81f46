using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Infrastructure;

/// <summary>The relational side of the platform: directory, read models built from events, and the identity store.</summary>
public sealed class PlatformDbContext(DbContextOptions<PlatformDbContext> options) : DbContext(options)
{
    public DbSet<Country> Countries => Set<Country>();

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<ReferralRow> Referrals => Set<ReferralRow>();

    public DbSet<ReferralAccessRow> ReferralAccess => Set<ReferralAccessRow>();

    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();

    public DbSet<InboxRow> Inbox => Set<InboxRow>();

    /// <summary>
    /// The provider of each profile. The embedded profile creates its SQLite schema from the model
    /// (EnsureCreated); production applies the PostgreSQL migrations of <c>Infrastructure/Migrations</c>,
    /// which are provider-specific and so exist for PostgreSQL only.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder options, PlatformProfile profile, string connectionString)
    {
        if (profile == PlatformProfile.Embedded)
        {
            options.UseSqlite(connectionString);
        }
        else
        {
            options.UseNpgsql(connectionString);
        }

        options.UseOpenIddict();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset columns; store them as sortable integers there.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
        else
        {
            // PostgreSQL's timestamptz holds an instant, and Npgsql refuses to write an offset other than zero;
            // times taken from request bodies (a handoff's respondBy) carry the caller's offset.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
        }
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.UseOpenIddict();
        Organization.Configure(modelBuilder);
        ReferralRow.Configure(modelBuilder);
        InboxRow.Configure(modelBuilder);
    }
}

/// <summary>
/// Lets <c>dotnet ef</c> build the PostgreSQL model without starting the platform. After a change to the
/// model, add a migration from the repository root (the test <c>MigrationTests</c> fails until one exists):
/// <code>
/// dotnet tool restore
/// dotnet ef migrations add NameOfTheChange --project src/ReferralNetwork --output-dir Infrastructure/Migrations
/// </code>
/// Until the first production deployment the single <c>Initial</c> migration may be regenerated instead:
/// delete <c>Infrastructure/Migrations</c> and run the command above with the name <c>Initial</c>.
/// </summary>
internal sealed class PlatformDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PlatformDbContext>
{
    public PlatformDbContext CreateDbContext(string[] args)
    {
        // Never opened: generating a migration compares the model with the previous snapshot only.
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, PlatformProfile.Production, "Host=localhost;Database=referral_network_design_time");
        return new PlatformDbContext(options.Options);
    }
}
