using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ReferralNetwork.Identity;

/// <summary>Token signing and encryption certificates: from configuration, or (embedded only) generated once into the data folder.</summary>
public static class Certificates
{
    /// <summary>Common name prefix of the generated development certificates; production refuses them.</summary>
    public const string DevelopmentSubjectPrefix = "ReferralNetwork development";

    public static X509Certificate2 Load(TokenServerOptions.CertificateOptions? configured, string developmentFolder, string name, X509KeyUsageFlags usage)
    {
        if (configured?.Path is { Length: > 0 } path)
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, configured.Password, X509KeyStorageFlags.EphemeralKeySet);
        }

        Directory.CreateDirectory(developmentFolder);
        var file = System.IO.Path.Combine(developmentFolder, $"development-{name}.pfx");
        if (!File.Exists(file))
        {
            File.WriteAllBytes(file, CreateSelfSigned(name, usage).Export(X509ContentType.Pkcs12));
        }

        return X509CertificateLoader.LoadPkcs12FromFile(file, password: null, X509KeyStorageFlags.EphemeralKeySet);
    }

    /// <summary>True when <paramref name="configured"/> names no certificate, so a development one would be used.</summary>
    public static bool IsDevelopment(TokenServerOptions.CertificateOptions? configured) => configured?.Path is not { Length: > 0 };

    private static X509Certificate2 CreateSelfSigned(string name, X509KeyUsageFlags usage)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={DevelopmentSubjectPrefix} {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(5));
    }
}
