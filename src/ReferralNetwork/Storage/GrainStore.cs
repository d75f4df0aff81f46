using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using ReferralNetwork.Storage.OrleansTables;

namespace ReferralNetwork.Storage;

/// <summary>The database of grain state and reminders (Orleans' ADO.NET providers), as features add storage to it.</summary>
public sealed record GrainStore(string Invariant, string ConnectionString)
{
    public static GrainStore Sqlite(string connectionString) => new(OrleansSchema.SqliteInvariant, connectionString);

    public static GrainStore Postgres(string connectionString) => new(OrleansSchema.PostgresInvariant, connectionString);

    /// <summary>A named grain storage provider on this store, in Orleans' own binary format.</summary>
    public void AddGrainStorage(ISiloBuilder silo, string name) =>
        // Orleans' own format (version-tolerant through [Id]s) rather than the provider's default
        // Newtonsoft JSON with embedded type names.
        silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> options) => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = ConnectionString;
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
}
