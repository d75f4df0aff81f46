using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Organizations;

/// <summary>How much of one service an organization has free, in one unit: the current figure (HSDS <c>service_capacity</c>).</summary>
public sealed class ServiceCapacity
{
    public required string OrganizationId { get; init; }
    public ServiceKind Service { get; init; }
    public required string Unit { get; init; }
    public int Available { get; set; }
    public int Maximum { get; set; }
    public DateTimeOffset Updated { get; set; }

    public CapacityView ToView() => new(Unit, Available, Maximum, Updated);
}

/// <summary>
/// One reported change, kept as history (what an offer's target had when the offer was made) and as the outbox of
/// <see cref="CapacityChanged"/>: saved with the figure it changes, published after, marked when the bus took it.
/// </summary>
public sealed class CapacityChange
{
    public Guid Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Country { get; init; }
    public ServiceKind Service { get; init; }
    public required string Unit { get; init; }
    public int Available { get; init; }
    public int Maximum { get; init; }
    public DateTimeOffset At { get; init; }
    public DateTimeOffset? PublishedAt { get; set; }

    public CapacityChanged ToEvent() => new(Id, OrganizationId, Country, Service, Unit, Available, Maximum, At);
}

/// <summary>The units a capacity may be counted in: a short fixed list, so that partners can compare organizations.</summary>
public static class CapacityUnits
{
    public static readonly IReadOnlyList<string> All = ["beds", "places", "people", "sessions", "cases"];

    /// <summary>The request's figures, or a 400 problem naming every field at fault.</summary>
    public static (string Unit, int Available, int Maximum) Validate(CapacityRequest request)
    {
        var errors = FieldErrors.Of(request);
        var unit = request.Unit?.Trim().ToLowerInvariant();
        errors.Required("unit", unit);
        if (!string.IsNullOrEmpty(unit) && !All.Contains(unit))
        {
            errors.Add("unit", $"One of: {string.Join(", ", All)}.");
        }

        errors.Required("available", request.Available).Required("maximum", request.Maximum);
        if (request is { Available: >= 0, Maximum: >= 0 } && request.Available > request.Maximum)
        {
            errors.Add("available", "At most maximum.");
        }

        errors.ThrowIfAny();
        return (unit!, request.Available!.Value, request.Maximum!.Value);
    }
}

internal sealed class CapacityConfiguration : IEntityTypeConfiguration<ServiceCapacity>, IEntityTypeConfiguration<CapacityChange>
{
    public void Configure(EntityTypeBuilder<ServiceCapacity> e)
    {
        e.ToTable("ServiceCapacities");
        e.HasKey(c => new { c.OrganizationId, c.Service, c.Unit });
        e.Property(c => c.OrganizationId).HasMaxLength(100);
        e.Property(c => c.Service).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.Unit).HasMaxLength(32);
        e.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
    }

    public void Configure(EntityTypeBuilder<CapacityChange> e)
    {
        e.ToTable("CapacityChanges");
        e.HasKey(c => c.Id);
        e.Property(c => c.OrganizationId).HasMaxLength(100);
        e.Property(c => c.Country).HasMaxLength(16);
        e.Property(c => c.Service).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.Unit).HasMaxLength(32);
        e.HasIndex(c => new { c.OrganizationId, c.Service, c.At });
        e.HasIndex(c => c.PublishedAt);
    }
}

/// <summary>The capacity tables, as sets of the platform database, and the history's one question.</summary>
public static class CapacityTables
{
    extension(PlatformDbContext db)
    {
        public DbSet<ServiceCapacity> ServiceCapacities => db.Set<ServiceCapacity>();

        public DbSet<CapacityChange> CapacityChanges => db.Set<CapacityChange>();

        /// <summary>The changes <paramref name="organizationId"/> reported for <paramref name="services"/> up to <paramref name="until"/>.</summary>
        public async Task<CapacityHistory> CapacityHistoryAsync(
            string organizationId, IReadOnlyCollection<ServiceKind> services, DateTimeOffset until, CancellationToken cancellationToken) =>
            new(services.Count == 0 ? [] : await db.CapacityChanges.AsNoTracking()
                .Where(c => c.OrganizationId == organizationId && services.Contains(c.Service) && c.At <= until)
                .ToListAsync(cancellationToken));
    }
}

/// <summary>An organization's reported changes, to answer what it had at a given moment.</summary>
public sealed class CapacityHistory(IReadOnlyList<CapacityChange> changes)
{
    /// <summary>Each service's figure per unit as it stood at <paramref name="at"/>: the latest change at or before it.</summary>
    public List<ServiceCapacityView> At(IEnumerable<ServiceKind> services, DateTimeOffset at)
    {
        var wanted = services.ToHashSet();
        return [.. changes.Where(c => wanted.Contains(c.Service) && c.At <= at)
            .GroupBy(c => (c.Service, c.Unit))
            .Select(g => g.MaxBy(c => c.At)!)
            .OrderBy(c => c.Service).ThenBy(c => c.Unit, StringComparer.Ordinal)
            .Select(c => new ServiceCapacityView(c.Service, c.Unit, c.Available, c.Maximum, c.At))];
    }
}
