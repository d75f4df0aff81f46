using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Storage;

/// <summary>
/// The relational side of the platform: directory, read models built from events, and the identity store.
/// It knows no feature: each one declares its tables (IEntityTypeConfiguration) and its sets (extension
/// members on this context) in its own folder.
/// </summary>
public class PlatformDbContext : DbContext, IDataProtectionKeyContext
{
    public PlatformDbContext(DbContextOptions<PlatformDbContext> options)
        : base(options)
    {
    }

    protected PlatformDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The shared ASP.NET Core Data Protection key ring (each key sealed: Storage/Protection/SealedKeyXml).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// The provider of each profile. Migrations are provider-specific: production applies the PostgreSQL ones of
    /// <c>Storage/Migrations</c> (this context), the embedded profile the SQLite ones of <c>Storage/Migrations/Sqlite</c>
    /// (<see cref="SqlitePlatformDbContext"/>, the same model).
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
        options.ReplaceService<IModelCacheKeyFactory, PersonalDataColumns.ModelCacheKeys>();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset columns; store them as sortable integers there.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcBinaryConverter>();
        }
        else
        {
            // PostgreSQL's timestamptz holds an instant, and Npgsql refuses to write an offset other than zero;
            // times taken from request bodies (a handoff's respondBy) carry the caller's offset.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
        }
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);

    /// <summary>
    /// EF Core's binary form of a DateTimeOffset (tenths of a millisecond of local clock time, shifted, and the offset in
    /// minutes in the low 11 bits), written for the instant in UTC as PostgreSQL stores it. The binary form of a time with
    /// another offset orders by its local clock time: an offer due at 15:00+07:00 (08:00 UTC) sorted after one due at
    /// 11:00 UTC. Rows written before keep their form and are read back as they were.
    /// </summary>
    private sealed class UtcBinaryConverter() : ValueConverter<DateTimeOffset, long>(
        v => (v.UtcTicks / 1000) << 11,
        v => new DateTimeOffset((v >> 11) * 1000, TimeSpan.FromMinutes((v << 53) >> 53)));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");

        // Each feature brings its tables as IEntityTypeConfiguration classes beside its entities.
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PlatformDbContext).Assembly);

        // Columns marked as personal data are sealed, whichever feature declares them.
        PersonalDataColumns.Seal(modelBuilder, PersonalDataColumns.ProtectorOf(this));
    }
}

/// <summary>The platform database of the embedded profile: the same model, with SQLite migrations of its own.</summary>
public sealed class SqlitePlatformDbContext(DbContextOptions<SqlitePlatformDbContext> options) : PlatformDbContext(options);

/// <summary>
/// Lets <c>dotnet ef</c> build each provider's model without starting the platform. After a change to the
/// model, add a migration for both providers from the repository root (the test <c>MigrationTests</c> fails
/// until they exist):
/// <code>
/// dotnet tool restore
/// dotnet ef migrations add NameOfTheChange --project src/ReferralNetwork --context PlatformDbContext --output-dir Storage/Migrations
/// dotnet ef migrations add NameOfTheChange --project src/ReferralNetwork --context SqlitePlatformDbContext --output-dir Storage/Migrations/Sqlite
/// </code>
/// </summary>
internal sealed class PlatformDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PlatformDbContext>, IDesignTimeDbContextFactory<SqlitePlatformDbContext>
{
    // Never opened: generating a migration compares the model with the previous snapshot only.
    public PlatformDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, PlatformProfile.Production, "Host=localhost;Database=referral_network_design_time");
        return new PlatformDbContext(options.Options);
    }

    SqlitePlatformDbContext IDesignTimeDbContextFactory<SqlitePlatformDbContext>.CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqlitePlatformDbContext>();
        PlatformDbContext.Configure(options, PlatformProfile.Embedded, "Data Source=referral-network-design-time.db");
        return new SqlitePlatformDbContext(options.Options);
    }
}
