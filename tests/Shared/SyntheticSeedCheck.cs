using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Testing;

/// <summary>
/// The synthetic seed writes past EF Core's change tracker, through the model's mapping. On either store, what it wrote
/// must read back exactly as the same rows written by SaveChanges into a second, empty database read back (instants
/// included, which each store keeps to its own precision), and be found by its key and by the dashboards' range queries.
/// </summary>
public static class SyntheticSeedCheck
{
    /// <param name="seeded">A migrated, empty platform database the seed writes into.</param>
    /// <param name="saved">Another one, into which the same folded rows are written by SaveChanges.</param>
    public static async Task SeedAndCompareAsync(IServiceProvider seeded, IServiceProvider saved, int count, int seed, CancellationToken cancellationToken)
    {
        await SyntheticReferrals.SeedAsync(seeded, count, TextWriter.Null, seed, cancellationToken);
        var folded = SyntheticReferrals.Generate(count, seed).Select(SyntheticReferrals.Fold).ToList();
        await using (var scope = saved.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            db.DashboardCases.AddRange(folded.Select(f => f.Case));
            db.DashboardHandoffs.AddRange(folded.SelectMany(f => f.Handoffs));
            await db.SaveChangesAsync(cancellationToken);
        }

        var (cases, handoffs) = await ReadAsync(seeded, cancellationToken);
        var (savedCases, savedHandoffs) = await ReadAsync(saved, cancellationToken);
        Assert.Equal(count, cases.Count);
        Assert.Equal(savedHandoffs.Count, handoffs.Count);
        Assert.Equal(savedCases, cases);
        Assert.Equal(savedHandoffs, handoffs);

        await using var seededScope = seeded.CreateAsyncScope();
        await using var savedScope = saved.CreateAsyncScope();
        var seededDb = seededScope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var savedDb = savedScope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var some = folded[count / 2].Case.ReferralId;
        Assert.Equal(some, (await seededDb.DashboardCases.FindAsync([some], cancellationToken))?.ReferralId);
        var middle = folded.SelectMany(f => f.Handoffs).Select(h => h.RespondBy).Order().ElementAt(savedHandoffs.Count / 2);
        Assert.Equal(
            await savedDb.DashboardHandoffs.CountAsync(h => h.RespondBy < middle, cancellationToken),
            await seededDb.DashboardHandoffs.CountAsync(h => h.RespondBy < middle, cancellationToken));
    }

    private static async Task<(List<string> Cases, List<string> Handoffs)> ReadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var cases = await db.DashboardCases.AsNoTracking().OrderBy(c => c.ReferralId).ToListAsync(cancellationToken);
        var handoffs = await db.DashboardHandoffs.AsNoTracking().OrderBy(h => h.HandoffId).ToListAsync(cancellationToken);
        return ([.. cases.Select(Snapshot)], [.. handoffs.Select(Snapshot)]);
    }

    /// <summary>Every public property, so that a column added later is compared without a change here.</summary>
    private static string Snapshot(object row) =>
        string.Join("|", row.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={(p.GetValue(row) is DateTimeOffset at ? at.UtcTicks : p.GetValue(row))}")));
}
