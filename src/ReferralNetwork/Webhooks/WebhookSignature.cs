using System.Security.Cryptography;
using System.Text;

namespace ReferralNetwork.Webhooks;

/// <summary>The Standard Webhooks signature: <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c> under the secret's bytes.</summary>
public static class WebhookSignature
{
    /// <summary>The <c>webhook-signature</c> header: one signature per secret, space-separated (during a rotation, new then old).</summary>
    public static string Header(string webhookId, long timestamp, string body, IEnumerable<string> secrets) =>
        string.Join(' ', secrets.Select(secret => Sign(webhookId, timestamp, body, secret)));

    public static string Sign(string webhookId, long timestamp, string body, string secret)
    {
        var key = Convert.FromBase64String(secret.StartsWith(WebhookSubscription.SecretPrefix, StringComparison.Ordinal)
            ? secret[WebhookSubscription.SecretPrefix.Length..]
            : secret);
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
