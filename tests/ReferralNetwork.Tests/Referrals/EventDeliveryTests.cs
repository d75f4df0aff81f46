using ReferralNetwork.Contracts;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.Recovery;
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

        await using (var dying = await GrainCluster.StartAsync(data.Path, busUp: false))
        {
            var view = await dying.Grains.GetGrain<IReferralGrain>(id).Create(Thailand, ReferralRequests.Command(Thailand));
            Assert.Equal(1, view.Version); // acknowledged to the caller
            Assert.False(await dying.Harness.Published.Any<ReferralIdentified>(TestContext.Current.CancellationToken));
        }

        await using var next = await GrainCluster.StartAsync(data.Path);
        await next.Grains.GetGrain<IReferralGrain>(id).Get(Thailand);

        var published = next.Harness.Published.Select<ReferralIdentified>(TestContext.Current.CancellationToken).Select(m => m.Context.Message).ToList();
        var e = Assert.Single(published);
        Assert.Equal(id, e.ReferralId);
        Assert.Equal(1, e.Number);
    }

    [Fact]
    public async Task Events_a_dead_silo_left_unpublished_go_out_even_if_nobody_touches_the_referral()
    {
        using var data = new TempFolder();
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() };
        await using (var dying = await GrainCluster.StartAsync(data.Path, busUp: false))
        {
            foreach (var id in ids)
            {
                await dying.Grains.GetGrain<IReferralGrain>(id).Create(Thailand, ReferralRequests.Command(Thailand));
            }
        }

        // The next process starts; no call reaches these referrals. The recovery sweep finds them.
        await using var next = await GrainCluster.StartAsync(data.Path);
        foreach (var id in ids)
        {
            Assert.True(
                await next.Harness.Published.Any<ReferralIdentified>(m => m.Context.Message.ReferralId == id, TestContext.Current.CancellationToken),
                $"referral {id}'s event was not published");
        }
    }

    [Fact]
    public async Task A_failed_publish_is_retried_until_the_bus_takes_it()
    {
        using var data = new TempFolder();
        await using var running = await GrainCluster.StartAsync(data.Path, busUp: false);
        var id = Guid.NewGuid();

        await running.Grains.GetGrain<IReferralGrain>(id).Create(Thailand, ReferralRequests.Command(Thailand));
        running.Gate.Open = true;

        // The retry timer fires every few seconds; on a loaded machine later than the harness's inactivity timeout, so
        // the test waits (bounded) for the event instead of for the bus to fall quiet.
        Assert.True(await Eventually.Until(
            () => Task.FromResult(running.Harness.Published.Select<ReferralIdentified>(TestContext.Current.CancellationToken).Any(m => m.Context.Message.ReferralId == id)),
            published => published,
            TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public async Task A_publish_that_never_answers_does_not_hold_the_referrals_events_back()
    {
        using var data = new TempFolder();
        await using var running = await GrainCluster.StartAsync(data.Path, busUp: false);
        var id = Guid.NewGuid();
        running.Gate.Hang = true;
        try
        {
            await running.Grains.GetGrain<IReferralGrain>(id).Create(Thailand, ReferralRequests.Command(Thailand));

            // The first publish still hangs; the bus now takes new ones.
            running.Gate.Hang = false;
            running.Gate.Open = true;
            Assert.True(await Eventually.Until(
                () => Task.FromResult(running.Harness.Published.Select<ReferralIdentified>(TestContext.Current.CancellationToken).Any(m => m.Context.Message.ReferralId == id)),
                published => published,
                TimeSpan.FromMinutes(2)));
        }
        finally
        {
            running.Gate.Hung.TrySetResult();
        }
    }
}
