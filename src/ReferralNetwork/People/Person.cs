using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.People;

/// <summary>
/// A person's account in one organization (ASP.NET Core Identity). The id is the opaque <c>sub</c> of the person's
/// tokens and the name the history and the access log record; the user name, e-mail and phone are sealed at rest
/// (<c>[ProtectedPersonalData]</c> on the base class) and never leave the platform in a token or an event.
/// </summary>
public sealed class Person : IdentityUser
{
    public required string OrganizationId { get; init; }

    public PersonRoles Roles { get; set; }

    /// <summary>The console's language for this person: en, vi, km, lo, my or th.</summary>
    public string Language { get; set; } = "en";

    /// <summary>An IANA time zone for the console's times, e.g. Asia/Bangkok; the organization's country's when unset.</summary>
    public string? TimeZone { get; set; }

    /// <summary>When an admin disabled the account; a disabled person cannot sign in and their tokens are refused.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    public bool IsDisabled => DisabledAt is not null;
}

/// <summary>Identity's tables under the platform's names: People, and their claims, external logins and tokens.</summary>
internal sealed class PersonConfiguration :
    IEntityTypeConfiguration<Person>,
    IEntityTypeConfiguration<IdentityUserClaim<string>>,
    IEntityTypeConfiguration<IdentityUserLogin<string>>,
    IEntityTypeConfiguration<IdentityUserToken<string>>
{
    // Sealed values are longer than what they seal: "keyId:" and base64 of nonce, tag and the UTF-8 text.
    private const int SealedLength = 1024;

    public void Configure(EntityTypeBuilder<Person> e)
    {
        e.ToTable("People");
        e.HasKey(p => p.Id);
        e.Property(p => p.Id).HasMaxLength(64);
        e.Property(p => p.UserName).HasMaxLength(SealedLength);
        e.Property(p => p.NormalizedUserName).HasMaxLength(SealedLength);
        e.Property(p => p.Email).HasMaxLength(SealedLength);
        e.Property(p => p.NormalizedEmail).HasMaxLength(SealedLength);
        e.Property(p => p.PhoneNumber).HasMaxLength(SealedLength);
        e.Property(p => p.ConcurrencyStamp).IsConcurrencyToken();
        e.Property(p => p.OrganizationId).HasMaxLength(100);
        e.Property(p => p.Language).HasMaxLength(8);
        e.Property(p => p.TimeZone).HasMaxLength(64);
        e.Ignore(p => p.IsDisabled);
        e.HasIndex(p => p.NormalizedUserName).IsUnique();
        e.HasIndex(p => p.NormalizedEmail);
        e.HasIndex(p => p.OrganizationId);
        e.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId);
        e.HasMany<IdentityUserClaim<string>>().WithOne().HasForeignKey(c => c.UserId).IsRequired();
        e.HasMany<IdentityUserLogin<string>>().WithOne().HasForeignKey(l => l.UserId).IsRequired();
        e.HasMany<IdentityUserToken<string>>().WithOne().HasForeignKey(t => t.UserId).IsRequired();
    }

    public void Configure(EntityTypeBuilder<IdentityUserClaim<string>> e)
    {
        e.ToTable("PersonClaims");
        e.HasKey(c => c.Id);
    }

    public void Configure(EntityTypeBuilder<IdentityUserLogin<string>> e)
    {
        e.ToTable("PersonLogins");
        e.HasKey(l => new { l.LoginProvider, l.ProviderKey });
        e.Property(l => l.LoginProvider).HasMaxLength(128);
        e.Property(l => l.ProviderKey).HasMaxLength(SealedLength);
    }

    public void Configure(EntityTypeBuilder<IdentityUserToken<string>> e)
    {
        // The authenticator key and the recovery codes of the second factor live here, sealed like the names.
        e.ToTable("PersonTokens");
        e.HasKey(t => new { t.UserId, t.LoginProvider, t.Name });
        e.Property(t => t.LoginProvider).HasMaxLength(128);
        e.Property(t => t.Name).HasMaxLength(128);
    }
}
