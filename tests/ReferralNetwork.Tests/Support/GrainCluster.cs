using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Matching;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.Recovery;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.OrleansTables;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Tests.Support;

/// <summary>
/// One silo in process with the platform's own storage configuration on a SQLite file, and a MassTransit
/// test harness whose bus can be made unreachable. A second cluster on the same file is "the next process".
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    private GrainCluster(InProcessTestCluster cluster, ITestHarness harness, BusGate gate)
    {
        Cluster = cluster;
        Harness = harness;
        Gate = gate;
    }

    public InProcessTestCluster Cluster { get; }

    public ITestHarness Harness { get; }

    public BusGate Gate { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <param name="residency">Stores of subject compartments by country (<c>Residency</c>), as they are: the test prepares them.</param>
    public static async Task<GrainCluster> StartAsync(string dataPath, bool busUp = true, IReadOnlyDictionary<string, string>? residency = null)
    {
        // The next "process" on the same folder loads the same development key ring, as the embedded profile does.
        var ring = KeyRing.GenerateDevelopment(Path.Combine(dataPath, "keys", StorageProtection.DevelopmentRingFile));
        var store = GrainStore.Sqlite($"Data Source={Path.Combine(dataPath, "grains.db")}", new EnvelopeProtector(ring));
        await OrleansSchema.EnsureSqliteAsync(store.ConnectionString);

        // The referral index lives in the platform database, as in the embedded profile.
        var platformDb = $"Data Source={Path.Combine(dataPath, "platform.db")}";
        await using (var db = new SqlitePlatformDbContext(new DbContextOptionsBuilder<SqlitePlatformDbContext>().UseSqlite(platformDb).UseOpenIddict().Options))
        {
            await db.Database.MigrateAsync();
        }

        var gate = new BusGate { Open = busUp };
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "referral-network"; // grain state is keyed by service: the next "process" is the same service
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHost(host => host.Services.AddContractSerialization());
        builder.ConfigureSilo((_, silo) =>
        {
            SiloHosting.ConfigureShared(silo, store);
            ReferralsFeature.ConfigureSilo(silo, store);
            ReferralNetwork.Groups.GroupsFeature.ConfigureSilo(silo, store);
            SubjectsFeature.ConfigureSilo(silo, store, residency is null ? null : ResidencyOptions.Of(residency));
            silo.Services.AddPlatformDbContext(PlatformProfile.Embedded, platformDb);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1)); // tests only
            silo.Services.AddMatchingServices(new MatchingOptions(), NetworkKey.Development(Path.Combine(dataPath, "keys", NetworkKey.DevelopmentFile)));

            // A deadline passed while the "process" was down is acted on at the timer's next tick: seconds, not the minute of production.
            silo.Services.Configure<WorkflowOptions>(o => o.ExpiryCheckPeriod = TimeSpan.FromSeconds(2));
            silo.Services.Configure<EventRecoveryOptions>(o => o.SweepPeriod = TimeSpan.FromSeconds(2));
        });
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddSingleton(gate);
            host.Services.AddSingleton(new EventDeliveryOptions()).AddSingleton<EventDelivery>();
            host.Services.AddMassTransitTestHarness(bus =>
            {
                bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(8));
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.ConfigureJsonSerializerOptions(Json.Configure);
                    cfg.ConfigurePublish(p => p.UseExecuteAsync(async _ =>
                    {
                        if (gate.Hang)
                        {
                            // Caught by a broker's shutdown: no answer, and the caller's token is never looked at.
                            await gate.Hung.Task;
                        }

                        if (!gate.Open)
                        {
                            throw new InvalidOperationException("The broker is unreachable (test).");
                        }
                    }));
                    cfg.ConfigureEndpoints(context);
                });
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GrainCluster(cluster, cluster.Silos[0].ServiceProvider.GetRequiredService<ITestHarness>(), gate);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    public sealed class BusGate
    {
        public volatile bool Open;

        /// <summary>Publishes from now on hang, deaf to their cancellation, until <see cref="Hung"/> completes.</summary>
        public volatile bool Hang;

        public TaskCompletionSource Hung { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
