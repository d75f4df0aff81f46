using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;


namespace ReferralNetwork.Organizations;

/// <summary>The directory: countries, organizations and their services.</summary>
public static class OrganizationsFeature
{
    public static WebApplicationBuilder AddOrganizations(this WebApplicationBuilder builder)
    {
        builder.PlatformFeatures().AddDemoSeed(async (services, cancellationToken) =>
            await DemoDirectory.SeedAsync(services.GetRequiredService<PlatformDbContext>(), cancellationToken));
        return builder;
    }

    public static IEndpointRouteBuilder MapOrganizations(this IEndpointRouteBuilder app) => app.MapOrganizationsApi();
}
