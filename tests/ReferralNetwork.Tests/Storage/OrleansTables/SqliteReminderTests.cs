using Xunit;

namespace ReferralNetwork.Tests.Storage.OrleansTables;

public sealed class SqliteReminderTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_registered_reminder_fires_is_stored_and_unregistering_deletes_it()
    {
        await using var database = await SqliteCluster.CreateAsync();
        await using var cluster = await database.StartAsync();
        var id = Guid.NewGuid();
        var probe = cluster.Client.GetGrain<IReminderProbeGrain>(id);

        await probe.Start(Period);

        Assert.Equal(1L, await CountReminderRowsAsync(database));
        await WaitForTicksAsync(id, atLeast: 2);

        await probe.Stop();

        Assert.Equal(0L, await CountReminderRowsAsync(database));
        var ticksAfterStop = ReminderProbeGrain.Ticks(id);
        await Task.Delay(Period * 4, TestContext.Current.CancellationToken);
        Assert.Equal(ticksAfterStop, ReminderProbeGrain.Ticks(id));
    }

    [Fact]
    public async Task A_reminder_survives_a_cluster_restart_and_fires_without_being_registered_again()
    {
        await using var database = await SqliteCluster.CreateAsync();
        var id = Guid.NewGuid();

        await using (var cluster = await database.StartAsync())
        {
            await cluster.Client.GetGrain<IReminderProbeGrain>(id).Start(Period);
        }

        var ticksBeforeRestart = ReminderProbeGrain.Ticks(id);
        Assert.Equal(1L, await CountReminderRowsAsync(database));

        // Nothing calls the grain: only the reminder service, reading the table, can wake it.
        await using (var cluster = await database.StartAsync())
        {
            await WaitForTicksAsync(id, atLeast: ticksBeforeRestart + 2);
            await cluster.Client.GetGrain<IReminderProbeGrain>(id).Stop();
        }

        Assert.Equal(0L, await CountReminderRowsAsync(database));
    }

    private static Task<long> CountReminderRowsAsync(SqliteCluster database) =>
        database.QueryAsync<long>(
            "SELECT COUNT(*) FROM OrleansRemindersTable WHERE ReminderName = @name;",
            ("@name", ReminderProbeGrain.ReminderName));

    private static async Task WaitForTicksAsync(Guid id, int atLeast)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (ReminderProbeGrain.Ticks(id) < atLeast)
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
