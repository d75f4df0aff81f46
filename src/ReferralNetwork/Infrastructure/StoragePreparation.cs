using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenIddict.Abstractions;
using ReferralNetwork.Identity;
using ReferralNetwork.Infrastructure.Orleans;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.Infrastructure;

public static class StoragePreparation
{
    public static WebApplicationBuilder AddPlatformDatabase(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        var connectionString = platform.PlatformConnectionString(builder.Configuration);
        builder.Services.AddDbContext<PlatformDbContext>(o => PlatformDbContext.Configure(o, platform.Profile, connectionString));
        return builder;
    }

    /// <summary>
    /// Runs before the silo starts, since the silo needs its tables. Embedded: creates the data folder and
    /// both databases and seeds the demo data. Production changes nothing (schema changes are the explicit
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
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellationToken);
    }

    private static async Task PrepareEmbeddedStorageAsync(WebApplication app, PlatformOptions platform, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(platform.FullDataPath);
        await OrleansSchema.EnsureSqliteAsync(platform.GrainsConnectionString(app.Configuration), cancellationToken);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        if (platform.SeedsDemoData)
        {
            await DemoDirectory.SeedAsync(db, cancellationToken);
            await DemoClients.SeedAsync(
                scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(),
                await db.Organizations.AsNoTracking().ToListAsync(cancellationToken),
                cancellationToken);
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

/// <summary>The platform will not run (or a command will not act) as configured; the reasons say what to change.</summary>
public sealed class StartupRefusedException(string heading, IReadOnlyList<string> reasons, string? advice = null)
    : Exception($"{heading} {string.Join(" ", reasons)} {advice}")
{
    public IReadOnlyList<string> Reasons { get; } = reasons;

    public void WriteTo(TextWriter writer)
    {
        writer.WriteLine(heading);
        foreach (var reason in Reasons)
        {
            writer.WriteLine($"  - {reason}");
        }

        if (advice is not null)
        {
            writer.WriteLine(advice);
        }
    }
}
