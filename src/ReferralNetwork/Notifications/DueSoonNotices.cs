using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Notifications;

/// <summary>The <c>Notifications</c> section.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>An offer whose deadline is this close is "due soon": its target hears of it once more.</summary>
    public TimeSpan DueSoonWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the offers coming due are looked for.</summary>
    public TimeSpan DueSoonCheckPeriod { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>A notice that is not an event's (an offer coming due): sent once, whichever silo sends it first.</summary>
public sealed class NoticeSent
{
    public required string Kind { get; init; }

    public Guid Key { get; init; }

    public DateTimeOffset SentAt { get; init; }
}

internal sealed class NoticeSentConfiguration : IEntityTypeConfiguration<NoticeSent>
{
    public void Configure(EntityTypeBuilder<NoticeSent> e)
    {
        e.ToTable("NoticesSent");
        e.HasKey(n => new { n.Kind, n.Key });
        e.Property(n => n.Kind).HasMaxLength(32);
    }
}

/// <summary>
/// Offers still unanswered whose deadline comes within <see cref="NotificationOptions.DueSoonWindow"/> are notified to
/// their target once (an offer made with less time than that was notified when it was made, which is enough). Read from
/// the inbox read model; each notice is claimed in <c>NoticesSent</c> before it is sent, so two silos never both send it.
/// </summary>
public sealed class DueSoonNotices(IServiceScopeFactory scopes, TimeProvider time, NotificationOptions options, ILogger<DueSoonNotices> logger) : PeriodicJob(time, logger)
{
    private const string Kind = "offer-due-soon";

    protected override TimeSpan Period => options.DueSoonCheckPeriod;

    protected override string Name => "Looking for offers coming due";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => SendDueAsync(cancellationToken);

    public async Task SendDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var notices = scope.ServiceProvider.GetRequiredService<NoticeSender>();
        if (!notices.IsConfigured)
        {
            return;
        }

        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var now = Time.GetUtcNow();
        var until = now + options.DueSoonWindow;
        var sent = db.Set<NoticeSent>();
        var due = (await db.Inbox.AsNoTracking()
                .Where(i => i.Status == HandoffStatus.Offered && i.RespondBy > now && i.RespondBy <= until && !sent.Any(n => n.Kind == Kind && n.Key == i.HandoffId))
                .ToListAsync(cancellationToken))
            .Where(i => i.RespondBy - i.OfferedAt > options.DueSoonWindow);
        foreach (var offer in due)
        {
            sent.Add(new NoticeSent { Kind = Kind, Key = offer.HandoffId, SentAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another silo claimed it first and sends it.
                db.ChangeTracker.Clear();
                continue;
            }

            await notices.SendAsync([offer.ToOrganizationId], Notice.DueSoon, $"console/offers/{offer.HandoffId}",
                (names, clock) => [names(offer.FromOrganizationId), clock.DateAndTime(offer.RespondBy)], cancellationToken);
        }
    }
}
