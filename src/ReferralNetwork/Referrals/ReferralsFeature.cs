using ReferralNetwork.Hosting;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Referrals.Recovery;
using ReferralNetwork.Storage;
using ReferralNetwork.Http;


namespace ReferralNetwork.Referrals;

/// <summary>Referrals and their workflow: the grain, its storage, the list and inbox read model, recovery, the routes.</summary>
public static class ReferralsFeature
{
    public const string GrainStorage = "referrals";

    public static WebApplicationBuilder AddReferrals(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Referrals", "Record a person identified as a possible victim, list the organization's referrals, read one and its numbered history (the audit trail). No personal data outside the subject compartment.")
            .DescribeApiTag("Workflow", "Move a referral through screening, consents, handoffs, nationality verification, return and services to its closing; the inbox of offers waiting for the caller's organization; the screening indicators. Every change honours If-Match.");
        builder.Services.Configure<WorkflowOptions>(builder.Configuration.GetSection(WorkflowOptions.Section));
        builder.Services.Configure<EventRecoveryOptions>(builder.Configuration.GetSection(EventRecoveryOptions.Section));
        builder.PlatformFeatures()
            .ConfigureSilo(ConfigureSilo)
            .AddProjection<ReferralListProjection>()
            .AddMeter(WorkflowMetrics.MeterName);
        return builder;
    }

    /// <summary>What a silo needs of referrals (the grain test cluster uses it as the platform does).</summary>
    public static void ConfigureSilo(ISiloBuilder silo, GrainStore store)
    {
        store.AddGrainStorage(silo, GrainStorage);
        silo.Services.AddSingleton<ReferralIndex>();
        silo.Services.AddMetrics();
        silo.Services.AddSingleton<WorkflowMetrics>();

        // Events a dead process saved but did not publish go out at start and within a sweep period.
        silo.AddStartupTask((services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<IEventRecoveryGrain>(0).Start());

        // Rows written before encryption, or under keys rotated since, are sealed under the current keys.
        silo.AddStartupTask((services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<IResealGrain>(0).Start());
    }

    public static IEndpointRouteBuilder MapReferrals(this IEndpointRouteBuilder app) =>
        app.MapReferralsApi().MapReferralBatchApi().MapWorkflowApi().MapInboxApi();
}
