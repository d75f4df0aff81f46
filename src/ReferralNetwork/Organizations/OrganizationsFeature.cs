using Microsoft.Extensions.DependencyInjection.Extensions;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Http;


namespace ReferralNetwork.Organizations;

/// <summary>The directory: countries, organizations, their services and the capacity they report.</summary>
public static class OrganizationsFeature
{
    public static WebApplicationBuilder AddOrganizations(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Organizations", "The directory of organizations and their services, with the capacity each reports (Open Referral HSDS shape).");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CapacityAnnouncements>();
        builder.Services.AddScoped<OrganizationCapacity>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CapacityAnnouncements>());
        builder.PlatformFeatures().AddDemoSeed(async (services, cancellationToken) =>
            await DemoDirectory.SeedAsync(services.GetRequiredService<PlatformDbContext>(), cancellationToken));
        return builder;
    }

    public static IEndpointRouteBuilder MapOrganizations(this IEndpointRouteBuilder app) => app.MapOrganizationsApi();
}
