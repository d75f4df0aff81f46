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

    /// <summary>On SQLite, the one queue every grain storage provider of this store writes through.</summary>
    private SemaphoreSlim Writes { get; } = new(1, 1);

    /// <summary>
    /// A named grain storage provider on this store, in Orleans' own binary format, sealed. On SQLite its writes queue
    /// (<see cref="OneWriterGrainStorage"/>) behind those of the store's other providers.
    /// </summary>
    public void AddGrainStorage(ISiloBuilder silo, string name)
    {
        silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> options) => Configure(options, ConnectionString));
        if (Invariant == OrleansSchema.SqliteInvariant)
        {
            // Registered after the provider, so that its name resolves to the queue around it (its silo lifecycle too).
            silo.Services.AddKeyedSingleton<IGrainStorage>(name, (services, _) => new OneWriterGrainStorage(AdoNetGrainStorageFactory.Create(services, name), Writes));
        }
    }

    /// <summary>Orleans' reminders in this store; on SQLite their writes queue with the grain state's (<see cref="OneWriterReminderTable"/>).</summary>
    public void AddReminders(ISiloBuilder silo)
    {
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = ConnectionString;
        });
        if (Invariant == OrleansSchema.SqliteInvariant)
        {
            var table = silo.Services.Last(d => d.ServiceType == typeof(IReminderTable));
            silo.Services.Remove(table);
            silo.Services.AddSingleton<IReminderTable>(services => new OneWriterReminderTable(
                table.ImplementationFactory?.Invoke(services) as IReminderTable
                    ?? (IReminderTable)ActivatorUtilities.CreateInstance(services, table.ImplementationType!), Writes));
        }
    }

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
    /// <remarks>
    /// The log is only emptied once no reader is on an older snapshot: a checkpoint that a reader holds up stops short
    /// and says so in its answer, and the log's earlier frames (plain text of before a reseal, in the free space of the
    /// pages they copy) stay in the file. So the store's queued writes wait, every step waits for readers, and the
    /// checkpoint is repeated until it is complete; a log that still could not be emptied throws, for the caller to run
    /// again later.
    /// </remarks>
    public async Task CompactAsync(CancellationToken cancellationToken = default)
    {
        if (Invariant != OrleansSchema.SqliteInvariant)
        {
            return;
        }

        // On the thread pool: the data provider runs these steps synchronously, and a rebuild or a wait for readers
        // must not hold the caller's thread (a grain's) meanwhile.
        await Writes.OneAtATimeAsync(() => Task.Run(async () =>
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout = 5000; VACUUM;";
            await command.ExecuteNonQueryAsync(cancellationToken);

            const int Attempts = 12;
            for (var attempt = 1; ; attempt++)
            {
                // One row: whether a reader or writer held it up (1), the log's frames, the frames copied.
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken) && reader.GetInt64(0) == 0)
                    {
                        return;
                    }
                }

                if (attempt == Attempts)
                {
                    throw new InvalidOperationException($"The write-ahead log of the grain store could not be emptied in {Attempts} attempts: readers kept it in use.");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }, cancellationToken));
    }

    /// <summary>
    /// Brings every row of this store still in plain text, or sealed under a key no longer current, under the current key,
    /// whatever its grain (groups, passes, anything no feature reseals through its grains): only the data key is wrapped
    /// anew (or a plain row sealed), in place, at the version it had, so that an active grain's ETag stays valid; a row
    /// rewritten meanwhile by its grain is current already and left alone. Answers how many rows it resealed.
    /// </summary>
    public async Task<int> ResealLeftoversAsync(CancellationToken cancellationToken = default)
    {
        const string Key = "GrainIdHash = @h AND GrainTypeHash = @t AND ServiceId = @s AND GrainTypeString = @ts AND GrainIdN0 = @n0 AND GrainIdN1 = @n1 AND GrainIdExtensionString = @x";
        var sqlite = Invariant == OrleansSchema.SqliteInvariant;
        await using var connection = sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString)
            : (System.Data.Common.DbConnection)new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);

        // The headers only (the key id is near the front), so that a store of a million rows is not read whole.
        var stale = new List<object[]>();
        await using (var scan = connection.CreateCommand())
        {
            scan.CommandText = "SELECT GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, Version, " +
                (sqlite ? "substr(PayloadBinary, 1, 512)" : "substring(PayloadBinary from 1 for 512)") + " FROM OrleansStorage WHERE PayloadBinary IS NOT NULL";
            await using var reader = await scan.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (ProtectedStateSerializer.NeedsReseal((byte[])reader[8], Protector))
                {
                    stale.Add([.. Enumerable.Range(0, 8).Select(reader.GetValue)]);
                }
            }
        }

        var resealed = 0;
        foreach (var row in stale)
        {
            await using var read = connection.CreateCommand();
            read.CommandText = $"SELECT PayloadBinary FROM OrleansStorage WHERE {Key} AND Version = @v";
            Bind(read, row);
            if (await read.ExecuteScalarAsync(cancellationToken) is not byte[] payload || ProtectedStateSerializer.Reseal(payload, Protector) is not { } sealedRow)
            {
                continue;
            }

            await using var write = connection.CreateCommand();
            write.CommandText = $"UPDATE OrleansStorage SET PayloadBinary = @p WHERE {Key} AND Version = @v";
            Bind(write, row);
            var p = write.CreateParameter();
            p.ParameterName = "@p";
            p.Value = sealedRow;
            write.Parameters.Add(p);
            resealed += await write.ExecuteNonQueryAsync(cancellationToken);
        }

        return resealed;

        static void Bind(System.Data.Common.DbCommand command, object[] row)
        {
            foreach (var (name, value) in new[] { "@h", "@t", "@s", "@ts", "@n0", "@n1", "@x", "@v" }.Zip(row))
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
        }
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
