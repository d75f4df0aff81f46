using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using ReferralNetwork.Infrastructure.Orleans;

namespace ReferralNetwork.Referrals;

/// <summary>Where grain state lives, for the one query that looks at it from outside a grain.</summary>
public sealed record GrainStorageLocation(string Invariant, string ConnectionString);

/// <summary>The <c>EventRecovery</c> configuration section.</summary>
public sealed class EventRecoveryOptions
{
    public const string Section = "EventRecovery";

    /// <summary>How often the cluster looks for referrals whose events a dead process may have left unpublished.</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How far each sweep reaches back before the previous one began (clock skew, slow writes).</summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(2);
}

[Alias("event-recovery")]
public interface IEventRecoveryGrain : IGrainWithIntegerKey
{
    [Alias("start")] Task Start();

    /// <summary>Reactivates every referral written since the last sweep; answers how many it touched.</summary>
    [Alias("sweep")] Task<int> Sweep();
}

[GenerateSerializer, Alias("event-recovery-state")]
public sealed class EventRecoveryState
{
    [Id(0)] public DateTimeOffset? LastSweepStartedAt { get; set; }
}

/// <summary>
/// A change is saved with its events and published right after; a process that dies in between leaves
/// them saved but unpublished until the referral activates again. This singleton, on a durable reminder,
/// reactivates every referral written since its previous sweep, so that such events go out within a
/// sweep period even if nobody touches the referral. Pinging a live referral costs one in-memory call.
/// </summary>
public sealed class EventRecoveryGrain(
    [PersistentState("event-recovery", StorageNames.Referrals)] IPersistentState<EventRecoveryState> state,
    GrainStorageLocation storage,
    IOptions<global::Orleans.Configuration.ClusterOptions> cluster,
    IOptions<EventRecoveryOptions> options,
    TimeProvider time,
    ILogger<EventRecoveryGrain> logger) : Grain, IEventRecoveryGrain, IRemindable
{
    private const string Reminder = "sweep";
    private const int Parallelism = 64;

    public async Task Start() =>
        await this.RegisterOrUpdateReminder(Reminder, options.Value.SweepPeriod, options.Value.SweepPeriod);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Reminder)
        {
            await Sweep();
        }
    }

    public async Task<int> Sweep()
    {
        var startedAt = time.GetUtcNow();
        var since = state.State.LastSweepStartedAt - options.Value.Overlap;
        var referrals = await WrittenSinceAsync(since);
        foreach (var chunk in referrals.Chunk(Parallelism))
        {
            await Task.WhenAll(chunk.Select(id => GrainFactory.GetGrain<IReferralGrain>(id).EnsurePublished()));
        }

        state.State.LastSweepStartedAt = startedAt;
        await state.WriteStateAsync();
        if (referrals.Count > 0)
        {
            logger.LogDebug("Event recovery touched {Count} referrals written since {Since}", referrals.Count, since);
        }

        return referrals.Count;
    }

    private async Task<List<Guid>> WrittenSinceAsync(DateTimeOffset? since)
    {
        var sqlite = storage.Invariant == OrleansSchema.SqliteInvariant;
        await using DbConnection connection = sqlite ? new SqliteConnection(storage.ConnectionString) : new NpgsqlConnection(storage.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT GrainIdN0, GrainIdN1 FROM OrleansStorage
            WHERE ServiceId = @ServiceId AND GrainTypeString = @StateName AND ModifiedOn >= @Since
            """;
        Add(command, "ServiceId", cluster.Value.ServiceId);
        Add(command, "StateName", "referral");
        var from = since ?? DateTimeOffset.UnixEpoch;

        // SQLite keeps CURRENT_TIMESTAMP text (UTC, to the second); PostgreSQL a timestamptz.
        Add(command, "Since", sqlite ? from.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : from);

        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(GuidOf(reader.GetInt64(0), reader.GetInt64(1)));
        }

        return ids;
    }

    /// <summary>The ADO.NET provider stores a Guid key as the two little-endian halves of its byte form.</summary>
    internal static Guid GuidOf(long n0, long n1)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes[..8], n0);
        BitConverter.TryWriteBytes(bytes[8..], n1);
        return new Guid(bytes);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
