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
        // Orleans' own format (version-tolerant through [Id]s) rather than the provider's default
        // Newtonsoft JSON with embedded type names.
        silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> options) => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = ConnectionString;
            o.GrainStorageSerializer = new ProtectedStateSerializer(new OrleansGrainStorageSerializer(serializer), Protector);
        }));
}
