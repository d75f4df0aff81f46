using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Webhooks;

/// <summary>
/// One message for one subscription, stored before anything is sent. Its id is the <c>webhook-id</c> of every
/// attempt, retry and replay. The body is the event as published (no personal data), so it is kept as it is.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; init; }
    public Guid SubscriptionId { get; init; }

    /// <summary>What it delivers, unique per subscription: a redelivered event makes no second delivery.</summary>
    public required string EventKey { get; init; }

    public required string Type { get; init; }

    /// <summary>The referral and event number, for referral events: deliveries of one referral go out in this order.</summary>
    public Guid? ReferralId { get; init; }
    public int? EventNumber { get; init; }

    public required string Body { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public WebhookDeliveryStatus Status { get; set; }
    /// <summary>Attempts so far, replays included (numbers the delivery log).</summary>
    public int Attempts { get; set; }

    /// <summary>Attempts since it was stored or last replayed: the position in the retry schedule.</summary>
    public int ScheduleStep { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>The silo that claimed it and until when; a claim whose lease ran out is free again.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }

    public string WebhookId => $"msg_{Id:N}";

    public WebhookDeliveryView ToView(IEnumerable<WebhookAttempt> attempts) => new(
        Id, WebhookId, Type, ReferralId, EventNumber, Status, CreatedAt, NextAttemptAt,
        [.. attempts.OrderBy(a => a.Number).Select(a => a.ToView())]);
}

/// <summary>An attempt to post a delivery, as the delivery log shows it.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; init; }
    public Guid DeliveryId { get; init; }
    public int Number { get; init; }
    public DateTimeOffset At { get; init; }
    public int DurationMs { get; init; }
    public int? ResponseStatus { get; init; }
    public WebhookAttemptOutcome Outcome { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }

    public WebhookAttemptView ToView() => new(Number, At, DurationMs, ResponseStatus, Outcome, NextAttemptAt);
}

/// <summary>An organization a referral's events concern (its holders and participants), as the webhook projection learned it from events.</summary>
public sealed class WebhookParty
{
    public Guid ReferralId { get; init; }
    public required string OrganizationId { get; init; }
}

internal sealed class WebhookDeliveryConfiguration :
    IEntityTypeConfiguration<WebhookDelivery>, IEntityTypeConfiguration<WebhookAttempt>, IEntityTypeConfiguration<WebhookParty>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> e)
    {
        e.ToTable("WebhookDeliveries");
        e.HasIndex(d => new { d.SubscriptionId, d.EventKey }).IsUnique();
        e.HasIndex(d => new { d.Status, d.NextAttemptAt });
        e.HasIndex(d => new { d.SubscriptionId, d.ReferralId, d.EventNumber });
        e.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        e.Property(d => d.EventKey).HasMaxLength(128);
        e.Property(d => d.Type).HasMaxLength(64);
        e.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(d => d.LeaseOwner).HasMaxLength(64);
    }

    public void Configure(EntityTypeBuilder<WebhookAttempt> e)
    {
        e.ToTable("WebhookAttempts");
        e.HasIndex(a => new { a.DeliveryId, a.Number });
        e.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        e.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(16);
    }

    public void Configure(EntityTypeBuilder<WebhookParty> e)
    {
        e.ToTable("WebhookParties");
        e.HasKey(p => new { p.ReferralId, p.OrganizationId });
        e.Property(p => p.OrganizationId).HasMaxLength(64);
    }
}
