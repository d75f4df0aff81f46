namespace ReferralNetwork.Identity;

/// <summary>The <c>Identity</c> configuration section.</summary>
public sealed class TokenServerOptions
{
    public const string Section = "Identity";

    /// <summary>The fixed issuer, the same on every silo. Unset in the embedded profile: the request's own address is used.</summary>
    public Uri? Issuer { get; set; }

    public CertificateOptions? SigningCertificate { get; set; }

    public CertificateOptions? EncryptionCertificate { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a person stays signed in without signing in again (a working day); the refresh tokens of their applications live as long.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(10);

    /// <summary>How long an account stays locked after five wrong passwords in a row.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Who must sign in with a second factor (TOTP): organization kinds (<c>focal-point</c>, <c>shelter</c>, <c>ngo</c>,
    /// <c>international</c>) and roles (<c>officer</c>, <c>supervisor</c>, <c>organization-admin</c>, <c>secretariat-admin</c>).
    /// Unset: focal points and admins in production, nobody in the embedded profile.
    /// </summary>
    public List<string>? RequireSecondFactorFor { get; set; }

    /// <summary>How long a client's previous secret keeps working after a rotation, while its systems move to the new one.</summary>
    public TimeSpan ClientSecretGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How often each silo reloads the revocation list: a person disabled or a client revoked on one silo has its
    /// tokens refused on every other within this time (at once on the silo that revoked).
    /// </summary>
    public TimeSpan RevocationRefreshInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Require HTTPS on the OpenID endpoints. Off for the embedded profile on loopback; on behind TLS in production.</summary>
    public bool RequireHttps { get; set; }

    public static TokenServerOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<TokenServerOptions>() ?? new TokenServerOptions();

    public sealed class CertificateOptions
    {
        /// <summary>A PKCS#12 file (mounted from a secret in production).</summary>
        public string? Path { get; set; }

        public string? Password { get; set; }
    }
}
