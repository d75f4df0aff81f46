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
        HttpContext http, [MaxLength(Limits.OrganizationId)] string id, [OneOf(typeof(ServiceKind))] string service, CapacityRequest request,
        OrganizationCapacity capacity, CancellationToken cancellationToken) =>
        TypedResults.Ok(await capacity.SetAsync(Caller.From(http.User), id, ApiGroups.ParseQuery<ServiceKind>(service, "service")!.Value, request, cancellationToken));
}
