using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Subjects;

/// <summary>
/// The <c>Retention</c> section: per country of identification, how long after a referral is closed its subject is
/// erased (<c>Retention:After:TH = 1825.00:00:00</c>); a country not listed keeps its subjects.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    public Dictionary<string, TimeSpan> After { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often closed referrals past their country's age are looked for.</summary>
    public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many subjects one round erases at most (the next round goes on).</summary>
    public int Batch { get; set; } = 200;

    public static RetentionOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<RetentionOptions>() ?? new RetentionOptions();
}

/// <summary>That a referral's subject was erased by retention, and when: the job's own record, so no round does it twice.</summary>
public sealed class RetentionErasure
{
    public Guid ReferralId { get; init; }

    public DateTimeOffset ErasedAt { get; init; }
}

internal sealed class RetentionErasureConfiguration : IEntityTypeConfiguration<RetentionErasure>
{
    public void Configure(EntityTypeBuilder<RetentionErasure> e)
    {
        e.ToTable("RetentionErasures");
        e.HasKey(r => r.ReferralId);
    }
}

/// <summary>
/// Crypto-shredding for retention: closed referrals identified in a country with a retention age, closed longer ago than
/// that age, have their subject erased (the compartment's data key destroyed with the identity and documents). The
/// referral, its history and every aggregate built from its events stay. The closed ones are read from the referral list
/// (a closed referral changes no more, so its last change is its closing); two silos erasing the same subject at once
/// both succeed, and the record is written once.
/// </summary>
public sealed class RetentionJob(IServiceScopeFactory scopes, IGrainFactory grains, RetentionOptions options, TimeProvider time, ILogger<RetentionJob> logger)
    : PeriodicJob(time, logger)
{
    protected override TimeSpan Period => options.CheckPeriod;

    protected override string Name => "Erasing subjects past their retention";

    // The first round waits a period: the silo that erases is not up yet when the host starts its services.
    protected override bool RunsAtStart => false;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // Countries in the order of their codes, each on its own: one whose store is down (Residency) holds up no other.
        foreach (var (country, age) in options.After.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                var erased = await EraseAsync(country.ToUpperInvariant(), Time.GetUtcNow() - age, cancellationToken);
                if (erased > 0)
                {
                    logger.LogInformation("Retention erased the subjects of {Count} referrals identified in {Country} and closed before {Before}", erased, country, Time.GetUtcNow() - age);
                }
            }
            catch (Exception e) when (SubjectStoreUnavailableException.In(e) is not null)
            {
                // That country's store is down (Residency): the others are erased meanwhile, and it is done again next round.
                logger.LogWarning(e, "Retention could not erase the subjects of {Country} this round; it tries again next round", country);
            }
        }
    }

    private async Task<int> EraseAsync(string country, DateTimeOffset closedBefore, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var erasures = db.Set<RetentionErasure>();
        var due = await db.Referrals.AsNoTracking()
            .Where(r => r.Stage == Stage.Closed && r.IdentifiedIn == country && r.UpdatedAt <= closedBefore)
            .Where(r => !erasures.Any(e => e.ReferralId == r.Id))
            .OrderBy(r => r.UpdatedAt)
            .Select(r => r.Id)
            .Take(options.Batch)
            .ToListAsync(cancellationToken);
        foreach (var id in due)
        {
            await grains.GetGrain<IReferralGrain>(id).EraseSubject();
            if (!await erasures.AnyAsync(e => e.ReferralId == id, cancellationToken))
            {
                erasures.Add(new RetentionErasure { ReferralId = id, ErasedAt = Time.GetUtcNow() });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException)
                {
                    // Another silo recorded it first: the subject is erased either way.
                    db.ChangeTracker.Clear();
                }
            }
        }

        return due.Count;
    }
}
