using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ReferralNetwork.Contracts;
using ReferralNetwork.Identity;
using ReferralNetwork.Infrastructure;
using ReferralNetwork.Infrastructure.Orleans;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>
/// An acknowledged change is never without its event: the grain saves the event with the state and publishes
/// after; if the bus is down, or the silo dies in between, the event goes out later.
/// </summary>
public sealed class EventDeliveryTests
{
    private static readonly Caller Thailand = new("th-focal-point", "TH", OrganizationKind.FocalPoint, [Scopes.ReferralsWrite]);

    [Fact]
    public async Task An_event_saved_by_a_silo_that_died_before_publishing_is_published_by_the_next_activation()
    {
        using var data = new TempFolder();
        var id = Guid.NewGuid();

        await using (var dying = await StartClusterAsync(data.Path, busUp: false))
        {
            var view = await dying.Cluster.Client.GetGrain<IReferralGrain>(id).Create(Thailand, ReferralRequests.VietnameseWoman(), null);
            Assert.Equal(1, view.Version); // acknowledged to the caller
            Assert.False(await dying.Harness.Published.Any<ReferralIdentified>(TestContext.Current.CancellationToken));
        }

        await using var next = await StartClusterAsync(data.Path, busUp: true);
        await next.Cluster.Client.GetGrain<IReferralGrain>(id).Get(Thailand);

        var published = next.Harness.Published.Select<ReferralIdentified>(TestContext.Current.CancellationToken).Select(m => m.Context.Message).ToList();
        var e = Assert.Single(published);
        Assert.Equal(id, e.ReferralId);
        Assert.Equal(1, e.Number);
    }

    [Fact]
    public async Task A_failed_publish_is_retried_until_the_bus_takes_it()
    {
        using var data = new TempFolder();
        await using var running = await StartClusterAsync(data.Path, busUp: false);
        var id = Guid.NewGuid();

        await running.Cluster.Client.GetGrain<IReferralGrain>(id).Create(Thailand, ReferralRequests.VietnameseWoman(), null);
        running.Gate.Open = true;

        Assert.True(await running.Harness.Published.Any<ReferralIdentified>(m => m.Context.Message.ReferralId == id, TestContext.Current.CancellationToken));
    }

    private static async Task<TestSilo> StartClusterAsync(string dataPath, bool busUp)
    {
        var connectionString = $"Data Source={Path.Combine(dataPath, "grains.db")}";
        await OrleansSchema.EnsureSqliteAsync(connectionString);
        var gate = new BusGate { Open = busUp };
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "referral-network"; // grain state is keyed by service: the next "process" is the same service
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHost(host => host.Services.AddContractSerialization());
        builder.ConfigureSilo((_, silo) => OrleansHosting.ConfigureStorage(silo, OrleansHosting.Invariant(PlatformProfile.Embedded), connectionString));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddSingleton(gate);
            host.Services.AddMassTransitTestHarness(bus =>
            {
                bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(8));
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.ConfigurePublish(p => p.UseExecute(_ =>
                    {
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
        var harness = cluster.Silos[0].ServiceProvider.GetRequiredService<ITestHarness>();
        return new TestSilo(cluster, harness, gate);
    }

    private sealed class BusGate
    {
        public volatile bool Open;
    }

    private sealed record TestSilo(InProcessTestCluster Cluster, ITestHarness Harness, BusGate Gate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
    }
}
