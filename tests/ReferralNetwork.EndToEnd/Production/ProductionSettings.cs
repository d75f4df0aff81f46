using System.Globalization;
using System.Security.Cryptography;
using ReferralNetwork.EndToEnd.Servers;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// What every silo of the production profile needs, in one place for every test fixture that starts one: its two
/// databases, the broker, the token certificates, the key ring and the matching network key. A fixture adds its own
/// cluster ids and tuning. A setting the production profile comes to require is added here once, not in each fixture
/// (a copy that missed the network key refused to start).
/// </summary>
public static class ProductionSettings
{
    /// <summary>A matching network key as an operator makes one (32 random bytes, base64); one per cluster.</summary>
    public static string NewNetworkKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static Dictionary<string, string?> For(
        string orleansConnectionString, string platformConnectionString, RabbitMqVirtualHost? broker, TestCertificates certificates, string networkKey) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ReferralNetwork__Profile"] = "production",
        ["ConnectionStrings__Orleans"] = orleansConnectionString,
        ["ConnectionStrings__Platform"] = platformConnectionString,
        // No broker: for commands and refusals that never open one.
        ["RabbitMq__Host"] = broker?.Server.Host ?? "127.0.0.1",
        ["RabbitMq__Port"] = broker?.Server.Port.ToString(CultureInfo.InvariantCulture),
        ["RabbitMq__VirtualHost"] = broker?.Name,
        ["RabbitMq__Username"] = broker?.Server.Username,
        ["RabbitMq__Password"] = broker?.Server.Password,
        ["Identity__Issuer"] = ProductionCluster.Issuer,
        ["Identity__SigningCertificate__Path"] = certificates.SigningPath,
        ["Identity__SigningCertificate__Password"] = certificates.Password,
        ["Identity__EncryptionCertificate__Path"] = certificates.EncryptionPath,
        ["Identity__EncryptionCertificate__Password"] = certificates.Password,
        ["Protection__KeyRingPath"] = certificates.KeyRingPath,
        ["Matching__NetworkKey"] = networkKey,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__ReferralNetwork"] = "Information",
    };
}
