using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReferralNetwork.Client;

/// <summary>A delivery that did not prove it came from the platform; answer it with 400 or 401 and do nothing with it.</summary>
public sealed class WebhookVerificationException(string message) : Exception(message);

/// <summary>
/// Checks a webhook delivery the way the Standard Webhooks specification signs it: <c>webhook-signature</c> holds one or
/// more space-separated <c>v1,&lt;base64&gt;</c> signatures, each an HMAC-SHA256 of <c>webhook-id.webhook-timestamp.body</c>
/// under the secret's bytes (the base64 after <c>whsec_</c>). A delivery passes when any signature matches any of the
/// secrets (hold the old and the new one while you rotate) and its timestamp is within <see cref="Tolerance"/> of the
/// clock, which keeps an old delivery captured on the way from being played again later.
/// </summary>
public sealed class WebhookVerifier
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    private const string SecretPrefix = "whsec_";
    private const string Version = "v1,";

    private readonly byte[][] _keys;
    private readonly TimeProvider _time;

    /// <param name="secrets">The subscription's secret (<c>whsec_…</c>), or two while moving from one to the next.</param>
    /// <param name="tolerance">How far the delivery's timestamp may be from this clock (five minutes unless set).</param>
    /// <param name="time">The clock; tests move it.</param>
    public WebhookVerifier(IEnumerable<string> secrets, TimeSpan? tolerance = null, TimeProvider? time = null)
    {
        _keys = [.. secrets.Select(KeyOf)];
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one secret.", nameof(secrets));
        }

        Tolerance = tolerance ?? TimeSpan.FromMinutes(5);
        _time = time ?? TimeProvider.System;
    }

    public WebhookVerifier(string secret, TimeSpan? tolerance = null, TimeProvider? time = null) : this([secret], tolerance, time)
    {
    }

    public TimeSpan Tolerance { get; }

    /// <summary>
    /// Verifies a delivery from its three headers and its body exactly as received (the bytes, before any JSON parsing),
    /// and reads it. Throws <see cref="WebhookVerificationException"/> when it does not verify.
    /// </summary>
    public WebhookMessage Verify(string? webhookId, string? webhookTimestamp, string? webhookSignature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(webhookTimestamp) || string.IsNullOrEmpty(webhookSignature))
        {
            throw new WebhookVerificationException($"A delivery carries {IdHeader}, {TimestampHeader} and {SignatureHeader}.");
        }

        if (!long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new WebhookVerificationException($"{TimestampHeader} is not a number of seconds.");
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if ((_time.GetUtcNow() - sent).Duration() > Tolerance)
        {
            throw new WebhookVerificationException($"{TimestampHeader} is more than {Tolerance} away from this clock: an old delivery played again, or a clock that is off.");
        }

        if (!Matches(webhookId, webhookTimestamp, webhookSignature, body))
        {
            throw new WebhookVerificationException("No signature matches: not from the platform, changed on the way, or signed with another secret.");
        }

        return WebhookMessage.Parse(webhookId, body);
    }

    /// <summary>Whether the delivery verifies, without reading it.</summary>
    public bool IsValid(string? webhookId, string? webhookTimestamp, string? webhookSignature, ReadOnlySpan<byte> body)
    {
        try
        {
            Verify(webhookId, webhookTimestamp, webhookSignature, body);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    private bool Matches(string id, string timestamp, string header, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = _keys.Select(key => HMACSHA256.HashData(key, signed)).ToList();

        foreach (var signature in header.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Other schemes (a future v1a, say) are not ours to check: only v1 counts.
            if (!signature.StartsWith(Version, StringComparison.Ordinal) || !TryBase64(signature[Version.Length..], out var given))
            {
                continue;
            }

            if (expected.Any(e => CryptographicOperations.FixedTimeEquals(e, given)))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] KeyOf(string secret)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        return TryBase64(encoded, out var key) && key.Length > 0
            ? key
            : throw new ArgumentException("A webhook secret is whsec_ followed by base64, as the platform showed it.", nameof(secret));
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            bytes = buffer[..written];
            return true;
        }

        bytes = [];
        return false;
    }
}
