using Microsoft.Data.Sqlite;
using ReferralNetwork.Storage.OrleansTables;
using Xunit;

namespace ReferralNetwork.Tests.Storage.OrleansTables;

public sealed class SqliteSchemaTests
{
    [Fact]
    public async Task Running_twice_keeps_the_data_restores_the_queries_and_leaves_the_file_in_WAL_mode()
    {
        await using var database = await SqliteCluster.CreateAsync();
        await database.ExecuteAsync("""
            INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
            VALUES ('service', 'grain', 'kept', '2025-01-01 00:00:00', 60000, 1, 0);
            UPDATE OrleansQuery SET QueryText = 'stale' WHERE QueryKey = 'WriteToStorageKey';
            DELETE FROM OrleansQuery WHERE QueryKey = 'DeleteReminderRowKey';
            """);

        await OrleansSchema.EnsureSqliteAsync(database.ConnectionString, TestContext.Current.CancellationToken);

        Assert.Equal("wal", await database.QueryAsync<string>("PRAGMA journal_mode;"));
        Assert.Equal(1L, await database.QueryAsync<long>("SELECT COUNT(*) FROM OrleansRemindersTable WHERE ReminderName = 'kept';"));
        Assert.NotEqual("stale", await database.QueryAsync<string>("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey';"));
        Assert.Equal(
            [
                "ClearStorageKey", "DeleteReminderRowKey", "DeleteReminderRowsKey", "DeleteStorageKey",
                "ReadFromStorageKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey",
                "ReadReminderRowsKey", "UpsertReminderRowKey", "WriteToStorageKey",
            ],
            await ReadQueryKeysAsync(database.ConnectionString));
    }

    [Fact]
    public async Task Creates_the_folder_of_the_database_file()
    {
        var root = Directory.CreateTempSubdirectory("referral-network-orleans-");
        try
        {
            var file = Path.Combine(root.FullName, "data", "nested", "orleans.db");
            var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();

            await OrleansSchema.EnsureSqliteAsync(connectionString, TestContext.Current.CancellationToken);

            Assert.True(File.Exists(file));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<List<string>> ReadQueryKeysAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey;";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var keys = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
