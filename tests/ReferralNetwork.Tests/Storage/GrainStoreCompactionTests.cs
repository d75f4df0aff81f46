using Microsoft.Data.Sqlite;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Storage;

/// <summary>Compacting the embedded grain store leaves nothing of a rewritten row in the file or its write-ahead log.</summary>
public sealed class GrainStoreCompactionTests
{
    private const string Earlier = "Compactioncanary8e41b7d2";

    [Fact]
    public async Task A_reader_on_an_older_snapshot_is_waited_for_and_the_log_keeps_nothing_of_the_earlier_row()
    {
        using var data = new TempFolder();
        var connectionString = $"Data Source={Path.Combine(data.Path, "grains.db")};Pooling=False";
        var store = GrainStore.Sqlite(connectionString, new EnvelopeProtector(KeyRing.Create()));

        await using var writer = await OpenAsync(connectionString);
        await ExecuteAsync(writer, "PRAGMA journal_mode = WAL; CREATE TABLE Rows (Payload BLOB);");
        await ExecuteAsync(writer, $"INSERT INTO Rows VALUES (CAST('{Earlier}' AS BLOB));");

        // A reader takes its snapshot, and then the row is rewritten: its earlier version stays in the log's frames.
        await using var reader = await OpenAsync(connectionString);
        await using var snapshot = reader.BeginTransaction(deferred: true);
        await ExecuteAsync(reader, "SELECT count(*) FROM Rows;", snapshot);
        await ExecuteAsync(writer, "UPDATE Rows SET Payload = zeroblob(64);");
        Assert.NotEmpty(Hits(data.Path));

        // While the reader holds its snapshot, the log cannot be emptied; once it lets go, compaction finishes the job.
        var compaction = store.CompactAsync(TestContext.Current.CancellationToken);
        await Task.WhenAny(compaction, Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));
        Assert.False(compaction.IsCompleted);
        await snapshot.CommitAsync(TestContext.Current.CancellationToken);
        await compaction;

        Assert.Empty(Hits(data.Path));
    }

    private static async Task<SqliteConnection> OpenAsync(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static IReadOnlyList<CanaryHit> Hits(string folder)
    {
        var search = new CanarySearch([Canary.Token(Earlier, Earlier)]);
        search.AddFolder(folder, "data");
        return search.Hits;
    }
}
