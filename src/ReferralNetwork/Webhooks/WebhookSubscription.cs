using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Webhooks;

/// <summary>
/// An organization's subscription. Its URL, description and secrets are sealed at rest under a data key of its own
/// (wrapped by the platform's ring): a URL may carry a partner's token, a description is free text, and a secret
/// must be readable to sign with, so it is encrypted rather than hashed.
/// </summary>
public sealed class WebhookSubscription
{
    public const string SecretPrefix = "whsec_";

    public Guid Id { get; init; }
    public required string OrganizationId { get; init; }

    /// <summary>Event types, comma-separated (kebab-case), or <c>*</c>.</summary>
    public required string Events { get; set; }

    public WebhookStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DisabledAt { get; set; }
    public WebhookDisabledReason? DisabledReason { get; set; }

    /// <summary>Whether <see cref="WebhookDisabled"/> was published for the disabling (the sender publishes it until it was).</summary>
    public bool DisabledAnnounced { get; set; }

    /// <summary>When the first failure since the last success happened; null while deliveries succeed.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public required string KeyCountry { get; init; }
    public required string KeyId { get; set; }
    public required byte[] KeyNonce { get; set; }
    public required byte[] KeyCiphertext { get; set; }

    public required byte[] SealedUrl { get; set; }
    public byte[]? SealedDescription { get; set; }
    public required byte[] SealedSecret { get; set; }
    public byte[]? SealedPreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretUntil { get; set; }

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool Wants(string type) => Events == WebhookEventTypes.All || EventList.Contains(type);

    /// <summary>A new subscription with a fresh secret (returned: it is shown once).</summary>
    public static (WebhookSubscription Subscription, string Secret) Create(
        EnvelopeProtector protector, string organizationId, string url, IEnumerable<string> events, string? description, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        using var key = protector.NewDataKey(KeyRing.Regional, id);
        var secret = NewSecret();
        var subscription = new WebhookSubscription
        {
            Id = id,
            OrganizationId = organizationId,
            Events = string.Join(',', events),
            Status = WebhookStatus.Active,
            CreatedAt = now,
            KeyCountry = key.Wrapped.Country,
            KeyId = key.Wrapped.KeyId,
            KeyNonce = key.Wrapped.Nonce,
            KeyCiphertext = key.Wrapped.Ciphertext,
            SealedUrl = protector.SealText(key, Labels.Url, url).Bytes,
            SealedDescription = description is null ? null : protector.SealText(key, Labels.Description, description).Bytes,
            SealedSecret = protector.SealText(key, Labels.Secret, secret).Bytes,
        };
        return (subscription, secret);
    }

    /// <summary>A new secret; the old one keeps signing beside it until <paramref name="until"/>.</summary>
    public string RotateSecret(EnvelopeProtector protector, DateTimeOffset until)
    {
        using var key = protector.Unwrap(Wrapped, Id);
        var previous = protector.OpenText(key, Labels.Secret, new SealedText(SealedSecret));
        var secret = NewSecret();
        SealedPreviousSecret = protector.SealText(key, Labels.PreviousSecret, previous).Bytes;
        PreviousSecretUntil = until;
        SealedSecret = protector.SealText(key, Labels.Secret, secret).Bytes;
        return secret;
    }

    /// <summary>The values only the platform reads: where to post and the secrets to sign with (the old one only during the overlap).</summary>
    public Opened Open(EnvelopeProtector protector, DateTimeOffset now)
    {
        using var key = protector.Unwrap(Wrapped, Id);
        List<string> secrets = [protector.OpenText(key, Labels.Secret, new SealedText(SealedSecret))];
        if (SealedPreviousSecret is not null && PreviousSecretUntil > now)
        {
            secrets.Add(protector.OpenText(key, Labels.PreviousSecret, new SealedText(SealedPreviousSecret)));
        }

        return new Opened(
            protector.OpenText(key, Labels.Url, new SealedText(SealedUrl)),
            SealedDescription is null ? null : protector.OpenText(key, Labels.Description, new SealedText(SealedDescription)),
            secrets);
    }

    public WebhookView ToView(EnvelopeProtector protector, DateTimeOffset now, string? secret = null)
    {
        var opened = Open(protector, now);
        return new WebhookView(Id, opened.Url, EventList, opened.Description, Status, CreatedAt, DisabledAt, DisabledReason, FailingSince, secret);
    }

    public void Disable(WebhookDisabledReason reason, DateTimeOffset now)
    {
        Status = WebhookStatus.Disabled;
        DisabledAt = now;
        DisabledReason = reason;
    }

    private WrappedDataKey Wrapped => new(KeyCountry, KeyId, KeyNonce, KeyCiphertext);

    private static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public sealed record Opened(string Url, string? Description, IReadOnlyList<string> Secrets);

    private static class Labels
    {
        public const string Url = "webhook-url";
        public const string Description = "webhook-description";
        public const string Secret = "webhook-secret";
        public const string PreviousSecret = "webhook-previous-secret";
    }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> e)
    {
        e.ToTable("WebhookSubscriptions");
        e.HasIndex(s => s.OrganizationId);
        e.Property(s => s.OrganizationId).HasMaxLength(64);
        e.Property(s => s.Events).HasMaxLength(2048);
        e.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(s => s.DisabledReason).HasConversion<string>().HasMaxLength(16);
        e.Property(s => s.KeyCountry).HasMaxLength(16);
        e.Property(s => s.KeyId).HasMaxLength(64);
    }
}

/// <summary>The webhook tables, as sets of the platform database.</summary>
public static class WebhookTables
{
    extension(PlatformDbContext db)
    {
        public DbSet<WebhookSubscription> WebhookSubscriptions => db.Set<WebhookSubscription>();

        public DbSet<WebhookDelivery> WebhookDeliveries => db.Set<WebhookDelivery>();

        public DbSet<WebhookAttempt> WebhookAttempts => db.Set<WebhookAttempt>();

        public DbSet<WebhookParty> WebhookParties => db.Set<WebhookParty>();
    }
}
