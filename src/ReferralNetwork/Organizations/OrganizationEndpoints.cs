using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Organizations;

public static class OrganizationEndpoints
{
    public static IEndpointRouteBuilder MapOrganizationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("organizations", "Organizations");

        api.MapGet("/", ListAsync)
            .WithName("ListOrganizations")
            .WithSummary("The directory of organizations, their services and capacity.")
            .ProducesValidationProblem();

        return app;
    }

    private static async Task<Ok<List<OrganizationView>>> ListAsync(
        PlatformDbContext db, string? country, string? service, CancellationToken cancellationToken)
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

        var organizations = await query.OrderBy(o => o.Country).ThenBy(o => o.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(organizations.Select(o => o.ToView()).ToList());
    }
}
