using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Tests.Support;

public static class ProjectionHarness
{
    /// <summary>
    /// The platform database on SQLite and MassTransit's test harness on the in-memory bus, with the one consumer that
    /// applies the projections the test registers (<c>AddReferralProjection</c>), as the platform does.
    /// </summary>
    public static IServiceCollection AddProjectionHarness(this IServiceCollection services, string platformDb) => services
        .AddPlatformDbContext(PlatformProfile.Embedded, platformDb)
        .AddSingleton(TimeProvider.System)
        .AddSingleton(new EventDeliveryOptions())
        .AddSingleton<EventDelivery>()
        .AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<ReferralProjections, ReferralProjectionsDefinition>();
            bus.UsingInMemory((context, cfg) =>
            {
                cfg.ConfigureJsonSerializerOptions(Json.Configure);
                cfg.ConfigureEndpoints(context);
            });
        });
}
