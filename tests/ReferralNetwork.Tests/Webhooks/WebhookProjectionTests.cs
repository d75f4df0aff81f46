using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Tests.Support;
using ReferralNetwork.Webhooks;

namespace ReferralNetwork.Tests.Webhooks;

/// <summary>The bus delivers at least once: an event consumed twice makes one delivery per subscription, and one that overtook the event before it waits for it.</summary>
public sealed class WebhookProjectionTests
{
    [Fact]
    public async Task An_event_consumed_twice_makes_one_delivery_and_events_are_stored_in_their_order()
    {
        using var data = new TempFolder();
        var cancellation = TestContext.Current.CancellationToken;
        var (services, subscriptionId) = await StartAsync(data);
        await using var _ = services;
        var harness = services.GetRequiredService<ITestHarness>();
        var referral = Guid.NewGuid();
        var identified = Identified(referral, "th-focal-point");
        ConsentRecorded Consent(int number) => new(
            referral, number, DateTimeOffset.UtcNow, "th-focal-point", ["TH", "VN"], Stage.Identified, "th-focal-point", ConsentPurpose.Services, null, true, ConsentMethod.Verbal);

        async Task<List<(int? Number, DateTimeOffset CreatedAt)>> DeliveriesAsync()
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            return [.. (await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriptionId).ToListAsync(cancellation))
                .OrderBy(d => d.Id).Select(d => (d.EventNumber, d.CreatedAt))];
        }

        await harness.Bus.Publish(identified, cancellation);
        await harness.Bus.Publish(identified, cancellation);

        // Event 1 is in before the others come (a referral the projection sees from its start): with nothing of it in yet,
        // a later event would count as the start of a referral first seen mid-history.
        await Eventually.Until(DeliveriesAsync, d => d.Count >= 1);

        // Event 3 overtakes event 2: it is retried until 2 is in, so the deliveries are stored 1, 2, 3.
        await harness.Bus.Publish(Consent(3), cancellation);
        await Task.Delay(300, cancellation);
        await harness.Bus.Publish(Consent(2), cancellation);

        var deliveries = await Eventually.Until(DeliveriesAsync, d => d.Count >= 3);
        Assert.Equal([1, 2, 3], deliveries.Select(d => d.Number));
        Assert.Equal(2, harness.Consumed.Select<ReferralIdentified>().Count());
    }

    [Fact]
    public async Task Only_an_event_that_queues_a_delivery_wakes_the_sender()
    {
        using var data = new TempFolder();
        var cancellation = TestContext.Current.CancellationToken;
        var (services, _) = await StartAsync(data);
        await using var _ = services;
        var harness = services.GetRequiredService<ITestHarness>();
        var signal = services.GetRequiredService<WebhookSignal>();

        // Viet Nam's focal point has no subscription: its referral's event is applied, and the sender sleeps on.
        var unwatched = Identified(Guid.NewGuid(), "vn-focal-point");
        await harness.Bus.Publish(unwatched, cancellation);
        Assert.True(await harness.Consumed.Any<ReferralIdentified>(c => c.Context.Message.ReferralId == unwatched.ReferralId, cancellation));
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, cancellation));

        // Thailand's subscription wants everything: its delivery is saved, and the sender is woken for it.
        var watched = Identified(Guid.NewGuid(), "th-focal-point");
        await harness.Bus.Publish(watched, cancellation);
        Assert.True(await harness.Consumed.Any<ReferralIdentified>(c => c.Context.Message.ReferralId == watched.ReferralId, cancellation));
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, cancellation));
    }

    /// <summary>The webhook projection on a fresh platform database, with one subscription of Thailand's focal point to every event; the bus started.</summary>
    private static async Task<(ServiceProvider Services, Guid SubscriptionId)> StartAsync(TempFolder data)
    {
        var platformDb = $"Data Source={Path.Combine(data.Path, "platform.db")}";
        var protector = new EnvelopeProtector(KeyRing.Create());
        var services = new ServiceCollection()
            .AddProjectionHarness(platformDb)
            .AddSingleton(new WebhookOptions())
            .AddSingleton(new WebhookClock(TimeProvider.System))
            .AddSingleton<WebhookSignal>()
            .AddReferralProjection<WebhookProjection>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            await db.Database.MigrateAsync(cancellation);
            var (subscription, _) = WebhookSubscription.Create(protector, "th-focal-point", "http://127.0.0.1:9/", ["*"], null, DateTimeOffset.UtcNow);
            db.WebhookSubscriptions.Add(subscription);
            await db.SaveChangesAsync(cancellation);
            await services.GetRequiredService<ITestHarness>().Start();
            return (services, subscription.Id);
        }
    }

    /// <summary>A referral identified by <paramref name="holder"/> (the organization it concerns), of a Vietnamese woman in Thailand.</summary>
    private static ReferralIdentified Identified(Guid referral, string holder) => new(
        referral, 1, DateTimeOffset.UtcNow, holder, ["TH", "VN"], Stage.Identified, holder,
        "TH", "VN", Sex.Female, AgeBand.From18To24, [ExploitationForm.ForcedCriminality], DateTimeOffset.UtcNow);
}
