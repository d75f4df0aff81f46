using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ReferralNetwork.Storage.OrleansTables;

/// <summary>
/// Creates the tables and named queries the Orleans ADO.NET providers need (the Orleans packages
/// ship no SQL). Every script is idempotent: it can run at each start-up or from a migration command,
/// and re-running it replaces query text written by an older version.
/// </summary>
/// <remarks>
/// The scripts are embedded from <c>Sql/{engine}/*.sql</c> and each runs as a single command: SQLite
/// and Npgsql both split a multi-statement command themselves, respecting string literals and
/// PostgreSQL dollar quotes, so the files carry no separator convention of our own.
/// </remarks>
public static class OrleansSchema
{
    /// <summary>The invariant Orleans maps to Microsoft.Data.Sqlite (SqliteFactory).</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>The invariant Orleans maps to Npgsql (NpgsqlFactory).</summary>
    public const string PostgresInvariant = "Npgsql";

    // Serializes concurrent start-ups of several silos: concurrent CREATE TABLE IF NOT EXISTS and
    // CREATE OR REPLACE FUNCTION can fail on PostgreSQL's catalog ("tuple concurrently updated").
    private const long PostgresSchemaLockKey = 0x4F726C65616E73; // "Orleans"

    private static readonly string[] SqliteScripts = ["Main", "Persistence", "Reminders"];
    private static readonly string[] PostgresScripts = ["Main", "Clustering", "Persistence", "Reminders"];

    /// <summary>
    /// Grain persistence and durable reminders on a SQLite file, in WAL journal mode. The embedded
    /// profile uses localhost clustering, so there is no SQLite clustering schema.
    /// </summary>
    public static async Task EnsureSqliteAsync(string connectionString, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        if (!inMemory && Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);

        // WAL lets grain reads proceed while another grain writes. The mode is stored in the file,
        // and it cannot be switched inside a transaction, so it comes first.
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = (string?)await pragma.ExecuteScalarAsync(ct);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase) && !inMemory)
            {
                throw new InvalidOperationException($"SQLite database '{connection.DataSource}' stayed in journal mode '{mode}' instead of WAL.");
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var script in SqliteScripts)
        {
            await ExecuteScriptAsync(connection, transaction, "Sqlite", script, ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>Clustering, grain persistence and durable reminders on PostgreSQL.</summary>
    public static Task EnsurePostgresAsync(string connectionString, CancellationToken ct = default) =>
        EnsurePostgresAsync(connectionString, PostgresScripts, ct);

    /// <summary>Grain persistence alone on PostgreSQL: a country's store of subject compartments (Residency).</summary>
    public static Task EnsurePostgresPersistenceAsync(string connectionString, CancellationToken ct = default) =>
        EnsurePostgresAsync(connectionString, ["Main", "Persistence"], ct);

    /// <summary>Whether the persistence queries are in the database (false when the tables do not even exist).</summary>
    public static async Task<bool> PostgresPersistenceExistsAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM orleansquery WHERE querykey = 'ReadFromStorageKey')", connection);
        try
        {
            return (bool)(await command.ExecuteScalarAsync(ct))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    private static async Task EnsurePostgresAsync(string connectionString, string[] scripts, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        await using (var schemaLock = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
        {
            schemaLock.Parameters.AddWithValue("key", PostgresSchemaLockKey);
            await schemaLock.ExecuteNonQueryAsync(ct);
        }

        foreach (var script in scripts)
        {
            await ExecuteScriptAsync(connection, transaction, "PostgreSql", script, ct);
        }

        await transaction.CommitAsync(ct);
    }

    private static string ReadScript(string engine, string script)
    {
        var name = $"{typeof(OrleansSchema).Namespace}.Sql.{engine}.{script}.sql";
        using var stream = typeof(OrleansSchema).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded SQL script '{name}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteScriptAsync(DbConnection connection, DbTransaction transaction, string engine, string script, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = ReadScript(engine, script);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (DbException ex)
        {
            throw new InvalidOperationException($"Orleans schema script {engine}/{script}.sql failed: {ex.Message}", ex);
        }
    }
}
