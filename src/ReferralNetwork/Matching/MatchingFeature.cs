using ReferralNetwork.Hosting;
using ReferralNetwork.Http;

namespace ReferralNetwork.Matching;

/// <summary>Cross-border duplicates found from keyed encodings (docs/matching.md): the network key, the match index, the focal points' routes.</summary>
public static class MatchingFeature
{
    public static WebApplicationBuilder AddMatching(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Matches", "Possible duplicates of a referral in another country (or the same), found from keyed encodings of name, date of birth and sex without exchanging them; shown to the two focal points concerned, who confirm or dismiss.");
        var options = MatchingOptions.From(builder.Configuration);
        var platform = PlatformOptions.From(builder.Configuration);
        if (platform.Profile != PlatformProfile.Production && options.Problems().ToList() is { Count: > 0 } problems)
        {
            throw new StartupRefusedException("ReferralNetwork refuses to start: the Matching settings are unusable.", problems);
        }

        builder.Services.AddMatchingServices(options, NetworkKey.For(builder.Configuration, platform));
        builder.Services.AddScoped<MatchBoard>();
        builder.PlatformFeatures()
            .AddProductionCheck(NetworkKey.ProductionRefusals)
            .AddMeter(MatchingMetrics.MeterName)
            .ConfigureSilo((silo, _) => silo.AddStartupTask(
                // Every silo's start: resumes a pass under way, or encodes what awaits an encoding under this silo's key
                // (all of them after a rotation, those recorded before matching existed, those whose encoding was refused).
                (services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<IEncodingPassGrain>(0).Start()));
        return builder;
    }

    /// <summary>What a silo needs to encode and index (the grain test cluster adds them too).</summary>
    public static IServiceCollection AddMatchingServices(this IServiceCollection services, MatchingOptions options, NetworkKey key) =>
        services.AddMetrics().AddSingleton(options).AddSingleton(key).AddSingleton<MatchSubmission>().AddSingleton<MatchingMetrics>();

    public static IEndpointRouteBuilder MapMatching(this IEndpointRouteBuilder app) => app.MapMatchesApi();
}
