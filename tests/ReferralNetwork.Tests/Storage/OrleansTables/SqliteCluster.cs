using Microsoft.Data.Sqlite;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage.OrleansTables;
using Xunit;

namespace ReferralNetwork.Tests.Storage.OrleansTables;

/// <summary>
/// A SQLite database in a fresh temporary folder, prepared by <see cref="OrleansSchema"/>, and
/// in-process test clusters that store grain state and reminders in it. Clusters started one
/// after another share the ServiceId, so a new cluster sees what the previous one stored.
/// </summary>
internal sealed class SqliteCluster : IAsyncDisposable
{
    public const string DeletingStorage = "DeleteOnClear";

    private readonly DirectoryInfo _folder;
    private readonly string _serviceId = $"referral-network-test-{Guid.NewGuid():N}";

    private SqliteCluster(DirectoryInfo folder)
    {
        _folder = folder;
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder.FullName, "orleans.db") }.ToString();
    }

    public string ConnectionString { get; }

    public static async Task<SqliteCluster> CreateAsync()
    {
        var database = new SqliteCluster(Directory.CreateTempSubdirectory("referral-network-orleans-"));
        await OrleansSchema.EnsureSqliteAsync(database.ConnectionString, TestContext.Current.CancellationToken);
        return database;
    }

    public async Task<InProcessTestCluster> StartAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = _serviceId;
        builder.Options.ConfigureFileLogging = false;

        // The assembly's grain interfaces carry contract types; every host serializes them as the platform does.
        builder.ConfigureHost(host => host.Services.AddContractSerialization());
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddAdoNetGrainStorageAsDefault(options =>
            {
                options.Invariant = OrleansSchema.SqliteInvariant;
                options.ConnectionString = ConnectionString;
            });
            silo.AddAdoNetGrainStorage(DeletingStorage, options =>
            {
                options.Invariant = OrleansSchema.SqliteInvariant;
                options.ConnectionString = ConnectionString;
                options.DeleteStateOnClear = true;
            });
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = OrleansSchema.SqliteInvariant;
                options.ConnectionString = ConnectionString;
            });
            // Tests only: production keeps the one-minute floor.
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromMilliseconds(200));
        });

        var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        return cluster;
    }

    public async Task<T?> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return result is null or DBNull ? default : (T)Convert.ChangeType(result, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _folder.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
