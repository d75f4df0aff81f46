using Microsoft.EntityFrameworkCore;
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
        builder.Services.AddDbContext<PlatformDbContext>(o =>
        {
            if (platform.Profile == PlatformProfile.Embedded)
            {
                o.UseSqlite(connectionString);
            }
            else
            {
                o.UseNpgsql(connectionString);
            }

            o.UseOpenIddict();
        });
        return builder;
    }

    /// <summary>
    /// Embedded profile: creates the data folder, the Orleans tables and the platform database, and seeds the
    /// demo directory and clients. Runs before the silo starts, since the silo needs its tables.
    /// </summary>
    public static async Task PrepareEmbeddedStorageAsync(this WebApplication app, PlatformOptions platform, CancellationToken cancellationToken = default)
    {
        if (platform.Profile != PlatformProfile.Embedded)
        {
            return;
        }

        Directory.CreateDirectory(platform.FullDataPath);
        await OrleansSchema.EnsureSqliteAsync(platform.GrainsConnectionString(app.Configuration), cancellationToken);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        if (platform.SeedDemoData)
        {
            await DemoDirectory.SeedAsync(db, cancellationToken);
            await DemoClients.SeedAsync(
                scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(),
                await db.Organizations.AsNoTracking().ToListAsync(cancellationToken),
                cancellationToken);
        }
    }
}
