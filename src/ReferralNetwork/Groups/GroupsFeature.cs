using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Groups;

/// <summary>Return groups of a surge: the group grain and its storage, the routes.</summary>
public static class GroupsFeature
{
    public const string GrainStorage = "groups";

    public static WebApplicationBuilder AddGroups(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Groups", "Return groups of a surge (a chartered flight, a bus through a crossing point): referrals of one nationality offered to their country's focal point as one, and answered as one or per person. Each person's referral records the same events as if handled alone.");
        builder.Services.AddScoped<GroupBoard>();
        builder.Services.Configure<GroupOptions>(builder.Configuration.GetSection(GroupOptions.Section));
        builder.PlatformFeatures().ConfigureSilo(ConfigureSilo);
        return builder;
    }

    /// <summary>What a silo needs of groups (the grain test cluster uses it as the platform does).</summary>
    public static void ConfigureSilo(ISiloBuilder silo, GrainStore store) => store.AddGrainStorage(silo, GrainStorage);

    public static IEndpointRouteBuilder MapGroups(this IEndpointRouteBuilder app) => app.MapGroupsApi();
}

/// <summary>The <c>Groups</c> configuration section.</summary>
public sealed class GroupOptions
{
    public const string Section = "Groups";

    /// <summary>
    /// A pause between a group's turns (each reaches a few members): back-pressure, so that a surge's groups leave the
    /// usual traffic its share of the silo. None by default.
    /// </summary>
    public TimeSpan TurnPause { get; set; } = TimeSpan.Zero;
}
