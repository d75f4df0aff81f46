using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage;


namespace ReferralNetwork.Organizations;

/// <summary>A tenant: an ISO 3166-1 alpha-2 code, or the pseudo-country <c>REGIONAL</c> of the secretariat.</summary>
public sealed class Country
{
    public const string Regional = "REGIONAL";

    public required string Code { get; init; }

    public required string Name { get; set; }
}

public sealed class Organization
{
    public required string Id { get; init; }

    public required string Name { get; set; }

    public required string Country { get; init; }

    public OrganizationKind Kind { get; init; }

    public List<ServiceOffer> Services { get; init; } = [];

    /// <summary>
    /// The nationalities (ISO 3166-1 alpha-2) an embassy or international organization handles: for a person of one of
    /// them whose country has no focal point on the platform, it is where a return goes from this organization's country.
    /// </summary>
    public List<string> Nationalities { get; init; } = [];

    /// <summary>Whether it may receive the return of a person of <paramref name="nationality"/> (an embassy or international organization registered for it).</summary>
    public bool Handles(string nationality) => Kind is OrganizationKind.Embassy or OrganizationKind.International && Nationalities.Contains(nationality);

    /// <summary>The directory entry, each service with the capacities the organization reported for it.</summary>
    public OrganizationView ToView(ILookup<(string OrganizationId, ServiceKind Service), ServiceCapacity> capacities) =>
        new(Id, Name, Country, Kind, [.. Services.Select(s => s.ToView(capacities[(Id, s.Service)]))], Nationalities.Count == 0 ? null : [.. Nationalities]);
}

public sealed class ServiceOffer
{
    public ServiceKind Service { get; init; }

    public int Capacity { get; set; }

    public ServiceOfferView ToView(IEnumerable<ServiceCapacity> capacities) =>
        new(Service, Capacity, [.. capacities.OrderBy(c => c.Unit, StringComparer.Ordinal).Select(c => c.ToView())]);
}

internal sealed class DirectoryConfiguration : IEntityTypeConfiguration<Country>, IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Country> e)
    {
        e.ToTable("Countries");
        e.HasKey(c => c.Code);
        e.Property(c => c.Code).HasMaxLength(16);
    }

    public void Configure(EntityTypeBuilder<Organization> e)
    {
        e.ToTable("Organizations");
        e.Property(o => o.Id).HasMaxLength(100);
        e.Property(o => o.Country).HasMaxLength(16);
        e.Property(o => o.Kind).HasConversion<string>().HasMaxLength(32);
        e.HasIndex(o => o.Country);
        e.PrimitiveCollection(o => o.Nationalities);
        e.HasOne<Country>().WithMany().HasForeignKey(o => o.Country);
        e.OwnsMany(o => o.Services, s =>
        {
            s.ToTable("OrganizationServices");
            s.WithOwner().HasForeignKey("OrganizationId");
            s.HasKey("OrganizationId", nameof(ServiceOffer.Service));
            s.Property(x => x.Service).HasConversion<string>().HasMaxLength(32);
        });
    }
}

/// <summary>The directory's tables, as sets of the platform database.</summary>
public static class DirectoryTables
{
    extension(PlatformDbContext db)
    {
        public DbSet<Country> Countries => db.Set<Country>();

        public DbSet<Organization> Organizations => db.Set<Organization>();
    }
}
