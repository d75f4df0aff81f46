using Orleans.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Storage;

namespace ReferralNetwork.Infrastructure;

/// <summary>The <c>Cluster</c> configuration section.</summary>
public sealed class ClusterOptions
{
    public const string Section = "Cluster";

    public string ServiceId { get; set; } = "referral-network";

    public string ClusterId { get; set; } = "referral-network";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;
}

public static class OrleansHosting
{
    public static WebApplicationBuilder AddPlatformSilo(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        var connectionString = platform.GrainsConnectionString(builder.Configuration);
        var invariant = Invariant(platform.Profile);

        builder.UseOrleans(silo =>
        {
            if (platform.Profile == PlatformProfile.Embedded)
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            }
            else
            {
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = invariant;
                    o.ConnectionString = connectionString;
                });
                silo.Configure<global::Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ServiceId = cluster.ServiceId;
                    o.ClusterId = cluster.ClusterId;
                });
                silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
            }

            ConfigureStorage(silo, invariant, connectionString);
        });
        return builder;
    }

    /// <summary>Grain state, subject compartment and reminders: shared by the host and the grain test cluster.</summary>
    public static void ConfigureStorage(ISiloBuilder silo, string invariant, string connectionString)
    {
        foreach (var name in new[] { Referrals.StorageNames.Referrals, Referrals.StorageNames.Subjects })
        {
            // Orleans' own binary format (version-tolerant through [Id]s) rather than the provider's default
            // Newtonsoft JSON with embedded type names.
            silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> options) => options.Configure<Serializer>((o, serializer) =>
            {
                o.Invariant = invariant;
                o.ConnectionString = connectionString;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        }

        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });

        silo.Services.AddContractSerialization();
        silo.Services.AddSingleton(TimeProvider.System);

        // Events a dead process saved but did not publish go out within a sweep period.
        silo.Services.AddSingleton(new Referrals.GrainStorageLocation(invariant, connectionString));
        silo.AddStartupTask((services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<Referrals.IEventRecoveryGrain>(0).Start());
    }

    /// <summary>
    /// Contract types (events, API bodies) carry no Orleans attributes, since partners reference them without
    /// Orleans: they cross grain calls and sit in grain state as JSON.
    /// </summary>
    public static IServiceCollection AddContractSerialization(this IServiceCollection services) =>
        services
            .AddSingleton<IGeneralizedCopier, ContractCopier>()
            .AddSerializer(serializer => serializer.AddJsonSerializer(
                ContractCopier.IsContract,
                isCopyable: null,
                (OptionsBuilder<JsonCodecOptions> o) => o.Configure(options => options.SerializerOptions = Json.Options)));

    /// <summary>
    /// Contract types are immutable records built afresh for each call, so calls inside one silo pass them as
    /// they are: copying them through JSON would cost a serialization per call for nothing.
    /// </summary>
    private sealed class ContractCopier : IGeneralizedCopier
    {
        public static bool IsContract(Type type) => type.Namespace?.StartsWith("ReferralNetwork.Contracts", StringComparison.Ordinal) == true;

        public bool IsSupportedType(Type type) => IsContract(type);

        public object? DeepCopy(object? input, CopyContext context) => input;
    }

    public static string Invariant(PlatformProfile profile) =>
        profile == PlatformProfile.Embedded ? Orleans.OrleansSchema.SqliteInvariant : Orleans.OrleansSchema.PostgresInvariant;
}
