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

    /// <summary>Require HTTPS on the OpenID endpoints. Off for the embedded profile on loopback; on behind TLS in production.</summary>
    public bool RequireHttps { get; set; }

    public sealed class CertificateOptions
    {
        /// <summary>A PKCS#12 file (mounted from a secret in production).</summary>
        public string? Path { get; set; }

        public string? Password { get; set; }
    }
}
