using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage.OrleansTables;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Storage;

public static class StoragePreparation
{
    public static WebApplicationBuilder AddPlatformDatabase(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        builder.Services.AddPlatformDbContext(platform.Profile, platform.PlatformConnectionString(builder.Configuration));
        builder.PlatformFeatures().AddMeter(PlatformWriter.MeterName);
        return builder;
    }

    /// <summary>The platform database of a profile, and the <see cref="PlatformWriter"/> its hot writes go through.</summary>
    public static IServiceCollection AddPlatformDbContext(this IServiceCollection services, PlatformProfile profile, string connectionString)
    {
        if (profile == PlatformProfile.Embedded)
        {
            services.AddDbContext<PlatformDbContext, SqlitePlatformDbContext>(o => PlatformDbContext.Configure(o, profile, connectionString));
            services.AddSingleton(s => new PlatformWriter(
                s.GetRequiredService<IServiceScopeFactory>(), s.GetRequiredService<ILogger<PlatformWriter>>(), s.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        }
        else
        {
            services.AddDbContext<PlatformDbContext>(o => PlatformDbContext.Configure(o, profile, connectionString));
            services.AddSingleton(s => new PlatformWriter(null, s.GetRequiredService<ILogger<PlatformWriter>>()));
        }

        return services;
    }

    /// <summary>
    /// Runs before the silo starts, since the silo needs its tables. Embedded: creates the data folder and
    /// both databases (applying the SQLite migrations) and seeds the demo data. Production changes nothing (schema changes are the explicit
    /// <c>migrate</c> step) and refuses to start on a schema that step has not brought up to date.
    /// </summary>
    public static async Task PrepareStorageAsync(this WebApplication app, PlatformOptions platform, CancellationToken cancellationToken = default)
    {
        if (platform.Profile == PlatformProfile.Embedded)
        {
            await PrepareEmbeddedStorageAsync(app, platform, cancellationToken);
            return;
        }

        var refusals = new List<string>();
        if (!await OrleansTablesExistAsync(platform.GrainsConnectionString(app.Configuration), cancellationToken))
        {
            refusals.Add("The Orleans tables do not exist in the ConnectionStrings:Orleans database.");
        }

        refusals.AddRange(await ResidencyStoreRefusalsAsync(app, cancellationToken));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                refusals.Add($"The ConnectionStrings:Platform database lacks the migrations {string.Join(", ", pending)}.");
            }
        }

        if (refusals.Count > 0)
        {
            throw new StartupRefusedException(
                "ReferralNetwork refuses to start: the production storage is not prepared.",
                refusals,
                "Run `dotnet ReferralNetwork.dll migrate` with the same settings first (the Helm chart runs it as a hook before every install and upgrade).");
        }
    }

    /// <summary>
    /// The <c>migrate</c> command. Production: creates or updates the Orleans tables and queries, then applies
    /// the EF Core migrations; seeds nothing. Embedded: what a first start does. Idempotent, and safe to run
    /// from several processes at once (both steps take a PostgreSQL lock).
    /// </summary>
    public static async Task MigrateAsync(this WebApplication app, PlatformOptions platform, CancellationToken cancellationToken = default)
    {
        if (platform.Profile == PlatformProfile.Embedded)
        {
            await PrepareEmbeddedStorageAsync(app, platform, cancellationToken);
            return;
        }

        await OrleansSchema.EnsurePostgresAsync(platform.GrainsConnectionString(app.Configuration), cancellationToken);
        foreach (var (_, connectionString) in app.Services.GetRequiredService<ResidencyOptions>().Stores)
        {
            // Every country's store must be reachable here: a deployment with one it cannot prepare fails in its hook.
            await OrleansSchema.EnsurePostgresPersistenceAsync(connectionString, cancellationToken);
        }

        // EF Core's own migration lock is taken per migration, after the applied ones were read: two migrate
        // jobs at once can both apply the same migration (seen: "column already exists"). One session lock held
        // over the whole run makes the second wait, then find nothing left to do.
        await using var session = new NpgsqlConnection(platform.PlatformConnectionString(app.Configuration));
        await session.OpenAsync(cancellationToken);
        await LockAsync(session, "SELECT pg_advisory_lock(@key);", cancellationToken);
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await LockAsync(session, "SELECT pg_advisory_unlock(@key);", CancellationToken.None);
        }
    }

    /// <summary>
    /// A country's store of compartments that answers without the tables <c>migrate</c> makes refuses the start (its subjects
    /// would fail on every call); one that does not answer only warns: it is down, and the platform serves every other
    /// country meanwhile (its subjects answer 503 until it is back).
    /// </summary>
    private static async Task<IReadOnlyList<string>> ResidencyStoreRefusalsAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var refusals = new List<string>();
        foreach (var (country, connectionString) in app.Services.GetRequiredService<ResidencyOptions>().Stores)
        {
            try
            {
                if (!await OrleansSchema.PostgresPersistenceExistsAsync(connectionString, cancellationToken))
                {
                    refusals.Add($"The Orleans persistence tables do not exist in the {ResidencyOptions.Section}:{country} database.");
                }
            }
            catch (NpgsqlException e)
            {
                app.Logger.LogWarning(e, "The subject store of {Country} ({Setting}) cannot be reached; its subjects are unavailable until it is", country, $"{ResidencyOptions.Section}:{country}");
            }
        }

        return refusals;
    }

    private const long PlatformMigrationLockKey = 0x506C6174666F726D; // "Platform"

    private static async Task LockAsync(NpgsqlConnection session, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, session);
        command.Parameters.AddWithValue("key", PlatformMigrationLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task PrepareEmbeddedStorageAsync(WebApplication app, PlatformOptions platform, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(platform.FullDataPath);
        await OrleansSchema.EnsureSqliteAsync(platform.GrainsConnectionString(app.Configuration), cancellationToken);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await AdoptUnversionedSqliteAsync(db, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        if (platform.SeedsDemoData)
        {
            await app.Services.GetRequiredService<PlatformFeatures>().SeedDemoDataAsync(scope.ServiceProvider, cancellationToken);
        }
    }

    /// <summary>
    /// Data folders made before the embedded profile had migrations were created from the model of the first
    /// migration, with no migration history: record that one as applied, so that the later ones bring them up
    /// to date instead of failing on tables that exist.
    /// </summary>
    private static async Task AdoptUnversionedSqliteAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('ReferralList', '__EFMigrationsHistory')";
            var tables = Convert.ToInt32(await probe.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            probe.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ReferralList'";
            var hasModel = Convert.ToInt32(await probe.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
            if (hasModel && tables == 1)
            {
                var history = db.GetService<IHistoryRepository>();
                await history.CreateIfNotExistsAsync(cancellationToken);
                var first = db.Database.GetMigrations().First();
                await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(first, ProductInfo.GetVersion())), cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<bool> OrleansTablesExistAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // The table of named queries is created first and filled by every provider's script.
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM orleansquery)", connection);
        try
        {
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }
}
