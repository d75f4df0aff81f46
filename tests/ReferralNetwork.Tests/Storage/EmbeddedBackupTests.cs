using Microsoft.Data.Sqlite;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Storage;

/// <summary>
/// The backup command's own rules: it copies the two databases and nothing else (no keys), refuses a folder that holds
/// something, a folder that is not a data folder, and the production profile (pg_dump's job). The backup under write
/// load and its restore are an end-to-end test (EmbeddedCrashTests).
/// </summary>
public sealed class EmbeddedBackupTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task It_copies_both_databases_with_their_rows_and_leaves_the_keys_out()
    {
        var data = Directory.CreateDirectory(Path.Combine(_folder.Path, "data")).FullName;
        foreach (var file in EmbeddedBackup.Files)
        {
            await ExecuteAsync(Path.Combine(data, file), "PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('row of " + file + "');");
        }

        Directory.CreateDirectory(Path.Combine(data, "keys"));
        await File.WriteAllTextAsync(Path.Combine(data, "keys", "key-ring.json"), "{}");
        var target = Path.Combine(_folder.Path, "backup");
        using var said = new StringWriter();

        var exit = await EmbeddedBackup.RunAsync(new PlatformOptions { DataPath = data }, target, said);

        Assert.Equal(0, exit);
        Assert.Equal(["backup.json", "grains.db", "platform.db"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in EmbeddedBackup.Files)
        {
            Assert.Equal($"row of {file}", await ScalarAsync(Path.Combine(target, file), "SELECT v FROM t"));
        }

        Assert.Contains("not included", await File.ReadAllTextAsync(Path.Combine(target, "backup.json")), StringComparison.Ordinal);
        Assert.Contains("keys", said.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_refuses_a_folder_that_holds_something_a_folder_without_databases_and_production()
    {
        var data = Directory.CreateDirectory(Path.Combine(_folder.Path, "empty-data")).FullName;
        var used = Directory.CreateDirectory(Path.Combine(_folder.Path, "used")).FullName;
        await File.WriteAllTextAsync(Path.Combine(used, "something"), "x");
        using var said = new StringWriter();

        Assert.Equal(2, await EmbeddedBackup.RunAsync(new PlatformOptions { DataPath = data }, used, said));
        Assert.Equal(2, await EmbeddedBackup.RunAsync(new PlatformOptions { DataPath = data }, Path.Combine(_folder.Path, "new"), said));
        Assert.Equal(2, await EmbeddedBackup.RunAsync(new PlatformOptions { DataPath = data, Profile = PlatformProfile.Production }, Path.Combine(_folder.Path, "new"), said));
        Assert.Contains("is not empty", said.ToString(), StringComparison.Ordinal);
        Assert.Contains("holds no platform.db or grains.db", said.ToString(), StringComparison.Ordinal);
        Assert.Contains("pg_dump", said.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "new")));
        Assert.Equal("backup", PlatformCommand.Parse(["backup", "/backups/x"]).Name);
        Assert.NotNull(PlatformCommand.Parse(["backup"]).Usage);
    }

    public void Dispose() => _folder.Dispose();

    private static async Task ExecuteAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
