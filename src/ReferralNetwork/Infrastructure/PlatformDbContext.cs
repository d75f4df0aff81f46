using Microsoft.EntityFrameworkCore;
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

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset columns; store them as sortable integers there.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.UseOpenIddict();
        Organization.Configure(modelBuilder);
        ReferralRow.Configure(modelBuilder);
        InboxRow.Configure(modelBuilder);
    }
}
