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
        var harness = await StartAsync(services);
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

    [Fact]
    public async Task A_referrals_events_are_applied_one_at_a_time_in_order_while_other_referrals_go_on()
    {
        using var data = new TempFolder();
        var held = new HeldReferral(Guid.Parse("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"));
        await using var services = new ServiceCollection()
            .AddProjectionHarness($"Data Source={Path.Combine(data.Path, "platform.db")}")
            .AddSingleton(held)
            .AddReferralProjection<HoldingProjection>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        var harness = await StartAsync(services);

        try
        {
            // The held referral's first event stays in its projection until the test lets it go; its second is published
            // right behind it, then the first events of other referrals (fixed ids: not all of them share its partition).
            await harness.Bus.Publish(Identified(held.ReferralId, 1), cancellation);
            await Eventually.Until(() => Task.FromResult(held.Started), s => s.Count == 1);
            await harness.Bus.Publish(Identified(held.ReferralId, 2), cancellation);
            Guid[] others =
            [
                Guid.Parse("11111111-2222-4333-8444-555555555555"), Guid.Parse("66666666-7777-4888-9999-aaaaaaaaaaaa"),
                Guid.Parse("bbbbbbbb-cccc-4ddd-aeee-ffffffffffff"), Guid.Parse("01234567-89ab-4cde-8f01-23456789abcd"),
            ];
            foreach (var other in others)
            {
                await harness.Bus.Publish(Identified(other, 1), cancellation);
            }

            // Other referrals are applied meanwhile; the held referral's second event has not started.
            var meanwhile = await Eventually.Until(() => Task.FromResult(held.Started), s => s.Any(e => e.Referral != held.ReferralId));
            Assert.Contains(meanwhile, e => e.Referral != held.ReferralId);
            Assert.DoesNotContain(held.Started, e => e == (held.ReferralId, 2));
        }
        finally
        {
            // Also when an assertion above failed: the harness waits for a consumer still running before it stops.
            held.Release();
        }

        await Eventually.Until(() => Task.FromResult(held.Started), s => s.Count(e => e.Referral == held.ReferralId) == 2);
        Assert.Equal([1, 2], held.Started.Where(e => e.Referral == held.ReferralId).Select(e => e.Number));
        Assert.Equal(2, (await MarkersOfAsync(services, held.ReferralId)).Count);
    }

    private static async Task<List<int>> MarkersOfAsync(IServiceProvider services, Guid referralId)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        return await db.Set<ProcessedEvent>().Where(p => p.ReferralId == referralId).Select(p => p.Number).ToListAsync();
    }

    /// <summary>The events a projection started to apply, in order; the first of one referral is held until released.</summary>
    public sealed class HeldReferral(Guid referralId)
    {
        private readonly List<(Guid Referral, int Number)> _started = [];
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Guid ReferralId => referralId;

        public IReadOnlyList<(Guid Referral, int Number)> Started
        {
            get
            {
                lock (_started)
                {
                    return [.. _started];
                }
            }
        }

        public void Release() => _released.TrySetResult();

        public Task StartAsync(IReferralEvent e)
        {
            lock (_started)
            {
                _started.Add((e.ReferralId, e.Number));
            }

            return e.ReferralId == referralId && e.Number == 1 ? _released.Task : Task.CompletedTask;
        }
    }

    public sealed class HoldingProjection(HeldReferral held) : ReferralEventProjection
    {
        public override string Name => "holding";

        public override Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken) => held.StartAsync(e);
    }

    /// <summary>The platform database migrated, then the bus started.</summary>
    private static async Task<ITestHarness> StartAsync(IServiceProvider services)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(TestContext.Current.CancellationToken);
        }

        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        return harness;
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

    private static ReferralIdentified Identified() => Identified(Guid.NewGuid(), 1);

    private static ReferralIdentified Identified(Guid referralId, int number) => new(
        referralId, number, DateTimeOffset.UtcNow, "th-focal-point", ["TH", "VN"], Stage.Identified, "th-focal-point",
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
