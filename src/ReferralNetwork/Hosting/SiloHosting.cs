using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using ReferralNetwork.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Storage.OrleansTables;

namespace ReferralNetwork.Hosting;

/// <summary>The <c>Cluster</c> configuration section.</summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";

    public string ServiceId { get; set; } = "referral-network";

    public string ClusterId { get; set; } = "referral-network";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Production: the address other silos reach this one at. Unset: the pod IP under Kubernetes hosting,
    /// else the address Orleans resolves for the machine. A loopback address makes the silo listen on loopback only.
    /// </summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>Production: Orleans' Kubernetes hosting (silo named after its pod, pods watched for failure detection).</summary>
    public bool Kubernetes { get; set; }

    /// <summary>
    /// <c>Cluster:Membership</c> is bound to Orleans' <see cref="ClusterMembershipOptions"/> (probe and death
    /// vote timeouts: how soon a crashed silo is declared dead and its grains move). The defaults suit
    /// production; tests shorten them.
    /// </summary>
    public const string MembershipSection = "Cluster:Membership";
}

public static class SiloHosting
{
    public static WebApplicationBuilder AddPlatformSilo(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        var cluster = builder.Configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        var store = new GrainStore(Invariant(platform.Profile), platform.GrainsConnectionString(builder.Configuration), StorageProtection.Of(builder));
        var features = builder.PlatformFeatures();

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
                    o.Invariant = store.Invariant;
                    o.ConnectionString = store.ConnectionString;
                });
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ServiceId = cluster.ServiceId;
                    o.ClusterId = cluster.ClusterId;
                });
                ConfigureEndpoints(silo, cluster);
                silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(ClusterSettings.MembershipSection));
                if (cluster.Kubernetes)
                {
                    // After our own settings: the pod's ORLEANS_SERVICE_ID / ORLEANS_CLUSTER_ID and POD_IP win.
                    silo.UseKubernetesHosting();
                }
            }

            // API calls reach grains through this silo: one retry when the grain's silo was lost.
            silo.AddOutgoingGrainCallFilter<SiloLossRetryFilter>();

            ConfigureShared(silo, store);
            features.ConfigureSilo(silo, store);
        });
        return builder;
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, ClusterSettings cluster)
    {
        if (cluster.AdvertisedIPAddress is { Length: > 0 } configured)
        {
            var advertised = IPAddress.Parse(configured);
            // Silos of a cluster on one machine (tests, the local cluster) stay off the network.
            silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
        }
        else if (cluster.Kubernetes)
        {
            // Kubernetes hosting advertises the pod IP and listens on every address, as long as nothing else set them.
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = cluster.SiloPort;
                o.GatewayPort = cluster.GatewayPort;
            });
        }
        else
        {
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }
    }

    /// <summary>What every silo needs whatever its features: reminders, contract serialization, the clock. Shared with the grain test cluster.</summary>
    public static void ConfigureShared(ISiloBuilder silo, GrainStore store)
    {
        store.AddReminders(silo);

        silo.Services.AddContractSerialization();

        // A storage failure on one silo reaches the API of another as the Npgsql exception it is (instead of
        // a codec error), so that the API can tell an unavailable database from a fault.
        silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
        silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("ReferralNetwork.Storage.Protection"));
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton(store.Protector);
        silo.Services.TryAddSingleton(store);
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
        profile == PlatformProfile.Embedded ? OrleansSchema.SqliteInvariant : OrleansSchema.PostgresInvariant;
}
