using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Storage;

/// <summary>Projections are idempotent each on its own: one projection's markers never make another skip an event.</summary>
public sealed class ProjectionTests
{
    [Fact]
    public async Task Two_projections_each_apply_every_event_once_whatever_the_other_has_applied()
    {
        using var data = new TempFolder();
        var platformDb = $"Data Source={Path.Combine(data.Path, "platform.db")}";
        var counter = new Applications();
        await using var services = new ServiceCollection()
            .AddProjectionHarness(platformDb)
            .AddSingleton(counter)
            .AddReferralProjection<ReferralListProjection>()
            .AddReferralProjection<CountingProjection>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        var first = Identified();
        var second = Identified();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            await db.Database.MigrateAsync(cancellation);
            // The counting projection has the first event already (say, from before a crash); the list has not.
            db.Set<ProcessedEvent>().Add(new ProcessedEvent { Projection = "counting", ReferralId = first.ReferralId, Number = first.Number });
            await db.SaveChangesAsync(cancellation);
        }

        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();

        // Each event delivered twice: each projection applies each event once, and neither skips one for the other.
        await harness.Bus.Publish(first, cancellation);
        await harness.Bus.Publish(second, cancellation);
        await harness.Bus.Publish(first, cancellation);
        await harness.Bus.Publish(second, cancellation);
        await Eventually.Until(() => Task.FromResult(harness.Consumed.Select<ReferralIdentified>().Count()), n => n == 4);

        await using var check = services.CreateAsyncScope();
        var checkDb = check.ServiceProvider.GetRequiredService<PlatformDbContext>();
        Assert.Equal([second.ReferralId], counter.Referrals);
        foreach (var e in new[] { first, second })
        {
            var markers = await checkDb.Set<ProcessedEvent>().Where(p => p.ReferralId == e.ReferralId).Select(p => p.Projection).ToListAsync(cancellation);
            Assert.Equal(["counting", "referral-list"], markers.Order());
            Assert.Equal(1, await checkDb.Referrals.CountAsync(r => r.Id == e.ReferralId, cancellation));
        }
    }

    [Fact]
    public async Task A_projection_waiting_for_an_earlier_event_holds_back_no_other()
    {
        using var data = new TempFolder();
        var counter = new Applications();
        var gate = new Gate();
        await using var services = new ServiceCollection()
            .AddProjectionHarness($"Data Source={Path.Combine(data.Path, "platform.db")}")
            .AddSingleton(counter)
            .AddSingleton(gate)
            .AddReferralProjection<WaitingProjection>()
            .AddReferralProjection<CountingProjection>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellation);
        }

        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var identified = Identified();
        await harness.Bus.Publish(identified, cancellation);

        // The counting projection has it while the other still waits (its retries go on in place).
        Assert.Equal([identified.ReferralId], await Eventually.Until(() => Task.FromResult(counter.Referrals), r => r.Count > 0));
        Assert.True(gate.Refusals > 0);
        Assert.Equal(["counting"], await MarkersAsync(services, identified));

        gate.Open = true;
        Assert.Equal(["counting", "waiting"], await Eventually.Until(() => MarkersAsync(services, identified), m => m.Count == 2));
        Assert.Equal([identified.ReferralId], counter.Referrals); // the retry applied the waiting one only
    }

    private static async Task<List<string>> MarkersAsync(IServiceProvider services, IReferralEvent e)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        return [.. (await db.Set<ProcessedEvent>().Where(p => p.ReferralId == e.ReferralId).Select(p => p.Projection).ToListAsync()).Order()];
    }

    public sealed class Gate
    {
        private int _refusals;

        public volatile bool Open;

        public int Refusals => _refusals;

        public void Refuse() => Interlocked.Increment(ref _refusals);
    }

    /// <summary>A read model that waits for an event before this one (as across silos) until the gate opens.</summary>
    public sealed class WaitingProjection(Gate gate) : ReferralEventProjection
    {
        public override string Name => "waiting";

        public override Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken)
        {
            if (!gate.Open)
            {
                gate.Refuse();
                throw new EventAheadException(e, "an earlier event");
            }

            return Task.CompletedTask;
        }
    }

    private static ReferralIdentified Identified() => new(
        Guid.NewGuid(), 1, DateTimeOffset.UtcNow, "th-focal-point", ["TH", "VN"], Stage.Identified, "th-focal-point",
        "TH", "VN", Sex.Female, AgeBand.From18To24, [ExploitationForm.ForcedCriminality], DateTimeOffset.UtcNow);

    public sealed class Applications
    {
        private readonly List<Guid> _referrals = [];

        public IReadOnlyList<Guid> Referrals
        {
            get
            {
                lock (_referrals)
                {
                    return [.. _referrals];
                }
            }
        }

        public void Add(Guid referral)
        {
            lock (_referrals)
            {
                _referrals.Add(referral);
            }
        }
    }

    /// <summary>A second read model of the same events that writes nothing but its markers, and counts the saves that applied one.</summary>
    public sealed class CountingProjection(Applications applications) : ReferralEventProjection
    {
        public override string Name => "counting";

        public override Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Saved(IReferralEvent e) => applications.Add(e.ReferralId);
    }
}
