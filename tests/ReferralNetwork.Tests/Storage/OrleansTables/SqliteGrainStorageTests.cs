using Orleans.Storage;
using Xunit;

namespace ReferralNetwork.Tests.Storage.OrleansTables;

public sealed class SqliteGrainStorageTests
{
    [Fact]
    public async Task State_written_by_a_grain_reads_back_after_the_cluster_restarts()
    {
        await using var database = await SqliteCluster.CreateAsync();
        var id = Guid.NewGuid();

        await using (var cluster = await database.StartAsync())
        {
            var counter = cluster.Client.GetGrain<ICounterGrain>(id);
            await counter.Add(2);
            Assert.Equal(5, await counter.Add(3));
        }

        await using (var cluster = await database.StartAsync())
        {
            Assert.Equal(5, await cluster.Client.GetGrain<ICounterGrain>(id).Get());
        }

        Assert.Equal(2L, await database.QueryAsync<long>("SELECT Version FROM OrleansStorage WHERE GrainTypeString = 'counter';"));
    }

    // Two clusters on one database, each with its own membership, activate the same grain: the
    // duplicate activation a storage version check exists for.
    [Fact]
    public async Task A_write_based_on_a_stale_version_is_refused()
    {
        await using var database = await SqliteCluster.CreateAsync();
        var id = Guid.NewGuid();
        await using var first = await database.StartAsync();
        await using var second = await database.StartAsync();
        var inFirst = first.Client.GetGrain<ICounterGrain>(id);
        var inSecond = second.Client.GetGrain<ICounterGrain>(id);

        Assert.Equal(0, await inFirst.Get());
        Assert.Equal(5, await inSecond.Add(5));

        // The first activation read "no state" and would insert over the second one's write.
        await Assert.ThrowsAsync<InconsistentStateException>(() => inFirst.Add(1));

        Assert.Equal(5, await inFirst.Reload());
        Assert.Equal(6, await inFirst.Add(1));

        // Now the second activation holds the older version.
        await Assert.ThrowsAsync<InconsistentStateException>(() => inSecond.Add(1));
        Assert.Equal(6, await inSecond.Reload());
        Assert.Equal(2L, await database.QueryAsync<long>("SELECT Version FROM OrleansStorage WHERE GrainTypeString = 'counter';"));
    }

    [Fact]
    public async Task Clear_keeps_the_row_without_payload_and_later_writes_continue_its_version()
    {
        await using var database = await SqliteCluster.CreateAsync();
        var id = Guid.NewGuid();

        await using (var cluster = await database.StartAsync())
        {
            var counter = cluster.Client.GetGrain<ICounterGrain>(id);
            await counter.Add(3);
            await counter.Clear();
            Assert.Equal(0, await counter.Get());
        }

        Assert.Equal(1L, await database.QueryAsync<long>("SELECT COUNT(*) FROM OrleansStorage WHERE GrainTypeString = 'counter' AND PayloadBinary IS NULL AND Version = 2;"));

        await using (var cluster = await database.StartAsync())
        {
            var counter = cluster.Client.GetGrain<ICounterGrain>(id);
            Assert.Equal(0, await counter.Get());
            Assert.Equal(4, await counter.Add(4));
        }

        Assert.Equal(3L, await database.QueryAsync<long>("SELECT Version FROM OrleansStorage WHERE GrainTypeString = 'counter';"));
    }

    [Fact]
    public async Task Clear_with_DeleteStateOnClear_removes_the_row_and_the_next_write_starts_over()
    {
        await using var database = await SqliteCluster.CreateAsync();
        await using var cluster = await database.StartAsync();
        var counter = cluster.Client.GetGrain<IDeletingCounterGrain>(Guid.NewGuid());

        await counter.Add(3);
        Assert.Equal(1L, await database.QueryAsync<long>("SELECT COUNT(*) FROM OrleansStorage WHERE GrainTypeString = 'deletingCounter';"));

        await counter.Clear();
        Assert.Equal(0L, await database.QueryAsync<long>("SELECT COUNT(*) FROM OrleansStorage WHERE GrainTypeString = 'deletingCounter';"));
        Assert.Equal(0, await counter.Reload());

        Assert.Equal(2, await counter.Add(2));
        Assert.Equal(1L, await database.QueryAsync<long>("SELECT Version FROM OrleansStorage WHERE GrainTypeString = 'deletingCounter';"));
    }
}
