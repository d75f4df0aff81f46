using System.Security.Cryptography;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// A key ring file that cannot be used: missing, not JSON, or keys that are short, duplicated or not where
/// "current" says. <see cref="Problems"/> names every problem at once, so one attempt shows all there is to fix.
/// Messages never contain key material.
/// </summary>
public sealed class KeyRingException(string source, IReadOnlyList<string> problems)
    : Exception($"Key ring {source} is unusable:{string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"))}")
{
    /// <summary>The file path (or other description) of the ring that was refused.</summary>
    public string RingSource { get; } = source;

    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// The key ring has no key for what was asked: no ring serves the country (and there is no default ring), or the
/// key-encryption key a data key was wrapped with is not in the ring serving its country. This is a deployment
/// problem (a wrong or incomplete ring file, a key removed too early), not a sign of tampering.
/// </summary>
public sealed class MissingKeyException(string message) : CryptographicException(message);

/// <summary>
/// A wrapped data key or a sealed value did not authenticate: a different key, a different owner (referral), a
/// different label (field), a different country, or altered or truncated bytes. Nothing is returned in that case,
/// ever: AES-GCM authenticates before it gives anything back.
/// </summary>
public sealed class SealBrokenException(string message, Exception? inner = null) : CryptographicException(message, inner);
