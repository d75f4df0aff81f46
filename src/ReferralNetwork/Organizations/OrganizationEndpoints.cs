using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Organizations;

public static class OrganizationEndpoints
{
    private const string CountryPattern = "^[A-Za-z]{2}$";

    public static IEndpointRouteBuilder MapOrganizationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("organizations", "Organizations");

        api.MapGet("/", ListAsync)
            .WithName("ListOrganizations")
            .WithSummary("The directory of organizations, their services and capacity; available=true keeps the organizations with a service (the one asked for, if any) that has room.")
            .ProducesValidationProblem();

        api.MapPut("/{id}/services/{service}/capacity", SetCapacityAsync)
            .RequireAuthorization(Scopes.DirectoryWrite)
            .WithName("SetServiceCapacity")
            .WithSummary("An organization reports how much of one of its services is free, in one unit (beds, places, people, sessions, cases); only the organization itself may.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Ok<List<OrganizationView>>> ListAsync(
        PlatformDbContext db,
        [MaxLength(Limits.CountryCode), RegularExpression(CountryPattern)] string? country,
        [OneOf(typeof(ServiceKind))] string? service,
        bool? available,
        CancellationToken cancellationToken)
    {
        var wantedService = ApiGroups.ParseQuery<ServiceKind>(service, "service");
        var query = db.Organizations.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(country))
        {
            var code = country.Trim().ToUpperInvariant();
            query = query.Where(o => o.Country == code);
        }

        if (wantedService is { } wanted)
        {
            query = query.Where(o => o.Services.Any(s => s.Service == wanted));
        }

        if (available == true)
        {
            var capacities = db.ServiceCapacities;
            query = query.Where(o => capacities.Any(c =>
                c.OrganizationId == o.Id && c.Available > 0 && (wantedService == null || c.Service == wantedService)));
        }

        var organizations = await query.OrderBy(o => o.Country).ThenBy(o => o.Id).ToListAsync(cancellationToken);
        var ids = organizations.Select(o => o.Id).ToList();
        var reported = (await db.ServiceCapacities.AsNoTracking().Where(c => ids.Contains(c.OrganizationId)).ToListAsync(cancellationToken))
            .ToLookup(c => (c.OrganizationId, c.Service));
        return TypedResults.Ok(organizations.Select(o => o.ToView(reported)).ToList());
    }

    private static async Task<Ok<ServiceOfferView>> SetCapacityAsync(
        HttpContext http, [MaxLength(Limits.OrganizationId)] string id, [OneOf(typeof(ServiceKind))] string service, CapacityRequest request, PlatformDbContext db, CapacityAnnouncements announcements,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http.User);
        caller.Require(CaseAction.ManageCapacity);
        if (!string.Equals(id, caller.OrganizationId, StringComparison.Ordinal))
        {
            // The directory is public to every caller, so refusing says nothing that listing it does not.
            throw ProblemException.OnlyMay(RefusalCode.OnlyOwnCapacity, "An organization reports its own capacity only.");
        }

        var kind = ApiGroups.ParseQuery<ServiceKind>(service, "service")!.Value;
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        var offer = organization.Services.SingleOrDefault(s => s.Service == kind)
            ?? throw new ProblemException(ProblemKind.NotFound, $"Your organization does not offer the service {service} in the directory.");
        var (unit, available, maximum) = CapacityUnits.Validate(request);

        var now = time.GetUtcNow();
        var change = new CapacityChange
        {
            Id = Guid.CreateVersion7(now), OrganizationId = organization.Id, Country = organization.Country,
            Service = kind, Unit = unit, Available = available, Maximum = maximum, At = now,
        };
        try
        {
            await SaveAsync(db, change, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The first report of this unit raced another one to insert the row: the row exists now, update it.
            db.ChangeTracker.Clear();
            await SaveAsync(db, change, cancellationToken);
        }

        await announcements.TryPublishAsync(change);

        var capacities = await db.ServiceCapacities.AsNoTracking().Where(c => c.OrganizationId == organization.Id && c.Service == kind).ToListAsync(cancellationToken);
        return TypedResults.Ok(offer.ToView(capacities));
    }

    /// <summary>The figure and its event in one write; the event is published right after (and by the sweep if this process stops first).</summary>
    private static async Task SaveAsync(PlatformDbContext db, CapacityChange change, CancellationToken cancellationToken)
    {
        var current = await db.ServiceCapacities.SingleOrDefaultAsync(
            c => c.OrganizationId == change.OrganizationId && c.Service == change.Service && c.Unit == change.Unit, cancellationToken);
        if (current is null)
        {
            db.ServiceCapacities.Add(new ServiceCapacity
            {
                OrganizationId = change.OrganizationId, Service = change.Service, Unit = change.Unit,
                Available = change.Available, Maximum = change.Maximum, Updated = change.At,
            });
        }
        else
        {
            current.Available = change.Available;
            current.Maximum = change.Maximum;
            current.Updated = change.At;
        }

        db.CapacityChanges.Add(change);
        await db.SaveChangesAsync(cancellationToken);
    }
}
