using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// The secrets of one test deployment, as an operator makes them: token signing and encryption certificates, and the
/// key ring of encryption at rest.
/// </summary>
public sealed record TestCertificates(string SigningPath, string EncryptionPath, string Password, string KeyRingPath)
{
    public static TestCertificates CreateIn(string folder)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var keyRing = Path.Combine(folder, "key-ring.json");
        KeyRing.Create(["TH", "VN", "KH", "LA", "MM"]).Save(keyRing);
        return new TestCertificates(
            Write(folder, "signing", X509KeyUsageFlags.DigitalSignature, password),
            Write(folder, "encryption", X509KeyUsageFlags.KeyEncipherment, password),
            password,
            keyRing);
    }

    private static string Write(string folder, string name, X509KeyUsageFlags usage, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=ReferralNetwork test {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(folder, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }
}
