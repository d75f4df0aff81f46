using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using ReferralNetwork.Storage.OrleansTables;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Storage;

/// <summary>The database of grain state and reminders (Orleans' ADO.NET providers), as features add storage to it.</summary>
/// <remarks>Every row is sealed by <see cref="Protector"/> (<see cref="ProtectedStateSerializer"/>): nothing is stored readable.</remarks>
public sealed record GrainStore(string Invariant, string ConnectionString, EnvelopeProtector Protector)
{
    public static GrainStore Sqlite(string connectionString, EnvelopeProtector protector) => new(OrleansSchema.SqliteInvariant, connectionString, protector);

    /// <summary>A named grain storage provider on this store, in Orleans' own binary format, sealed.</summary>
    public void AddGrainStorage(ISiloBuilder silo, string name) =>
        silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> options) => Configure(options, ConnectionString));

    /// <summary>
    /// The options of a grain storage provider like this store's, on another database (a country's store of subject
    /// compartments), without registering the provider: its owner creates and starts it when it first needs it.
    /// </summary>
    public void ConfigureGrainStorage(IServiceCollection services, string name, string connectionString) =>
        Configure(services.AddOptions<AdoNetGrainStorageOptions>(name), connectionString);

    /// <summary>
    /// Drops what rewritten rows leave behind. SQLite keeps the previous version of a row in free pages and in its
    /// write-ahead log, so the file is rebuilt and the log emptied; PostgreSQL's old row versions go with its
    /// (auto)vacuum, and nothing is done here.
    /// </summary>
    public async Task CompactAsync()
    {
        if (Invariant != OrleansSchema.SqliteInvariant)
        {
            return;
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
    }

    // Orleans' own format (version-tolerant through [Id]s) rather than the provider's default
    // Newtonsoft JSON with embedded type names. The key hashes stay Orleans' defaults: every row ever written is keyed by them.
    private void Configure(OptionsBuilder<AdoNetGrainStorageOptions> options, string connectionString) =>
        options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
            o.GrainStorageSerializer = new ProtectedStateSerializer(new OrleansGrainStorageSerializer(serializer), Protector);
        });
}
