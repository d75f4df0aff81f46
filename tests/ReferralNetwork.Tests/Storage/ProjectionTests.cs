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
            .AddPlatformDbContext(PlatformProfile.Embedded, platformDb)
            .AddSingleton(counter)
            .AddSingleton(new EventDeliveryOptions())
            .AddSingleton<EventDelivery>()
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<ReferralListProjection>();
                bus.AddConsumer<CountingProjection>();
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.ConfigureJsonSerializerOptions(Json.Configure);
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(TestContext.Current.CancellationToken);
        }

        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var identified = new ReferralIdentified(
            Guid.NewGuid(), 1, DateTimeOffset.UtcNow, "th-focal-point", ["TH", "VN"], Stage.Identified, "th-focal-point",
            "TH", "VN", Sex.Female, AgeBand.From18To24, [ExploitationForm.ForcedCriminality], DateTimeOffset.UtcNow);

        // Delivered once to both, then again to both: each applies it once, and neither skips it for the other.
        await harness.Bus.Publish(identified, TestContext.Current.CancellationToken);
        Assert.True(await harness.Consumed.Any<ReferralIdentified>(TestContext.Current.CancellationToken));
        await Eventually.Until(() => Task.FromResult(counter.Count), n => n == 1);
        await harness.Bus.Publish(identified, TestContext.Current.CancellationToken);
        await Eventually.Until(() => Task.FromResult(harness.Consumed.Select<ReferralIdentified>().Count()), n => n == 4);

        await using var check = services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var markers = await db.Set<ProcessedEvent>().Where(p => p.ReferralId == identified.ReferralId).Select(p => p.Projection).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, counter.Count);
        Assert.Equal(["counting", "referral-list"], markers.Order());
        Assert.Equal(1, await db.Referrals.CountAsync(r => r.Id == identified.ReferralId, TestContext.Current.CancellationToken));
    }

    public sealed class Applications
    {
        private int _count;

        public int Count => _count;

        public void Add() => Interlocked.Increment(ref _count);
    }

    /// <summary>A second read model of the same events that writes nothing but its markers.</summary>
    public sealed class CountingProjection(PlatformDbContext db, EventDelivery delivery, Applications applications, PlatformWriter writer)
        : ReferralEventProjection(db, delivery, writer), IConsumer<ReferralIdentified>
    {
        public override string Name => "counting";

        public Task Consume(ConsumeContext<ReferralIdentified> context) => ApplyOnceAsync(context.Message, () =>
        {
            applications.Add();
            return Task.CompletedTask;
        }, context.CancellationToken);
    }
}
