using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// Staff accounts' personal data (user names, e-mail addresses, phone numbers) at rest, for ASP.NET Core Identity's
/// <c>ProtectPersonalData</c>: sealed under keys derived from the platform's own ring (<see cref="KeyRing.Regional"/>),
/// so a copy of the database shows no one's address. Lookups (sign-in by name) need the same value to seal to the
/// same text, so sealing is deterministic: the nonce is a keyed hash of the value (a synthetic IV, as in AES-SIV), which
/// reveals only that two rows hold the same value. Identity stores each value with the id of the key that sealed it
/// and, after a rotation, looks names up under every key the ring still has.
/// </summary>
public sealed class LookupProtection(EnvelopeProtector envelopes) : ILookupProtector, ILookupProtectorKeyRing
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public string CurrentKeyId => envelopes.Ring.CurrentKeyId(KeyRing.Regional);

    public string this[string keyId] => keyId;

    public IEnumerable<string> GetAllKeyIds() => envelopes.Ring.KeyIds(KeyRing.Regional);

    public string? Protect(string keyId, string? data)
    {
        if (data is null)
        {
            return null;
        }

        var (sealing, naming) = KeysFor(keyId);
        var plaintext = Encoding.UTF8.GetBytes(data);
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        HMACSHA256.HashData(naming, plaintext).AsSpan(0, NonceSize).CopyTo(nonce);
        using var aes = new AesGcm(sealing, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.ASCII.GetBytes(keyId));
        return Convert.ToBase64String(output);
    }

    public string? Unprotect(string keyId, string? data)
    {
        if (data is null)
        {
            return null;
        }

        var (sealing, _) = KeysFor(keyId);
        var input = Convert.FromBase64String(data);
        if (input.Length < NonceSize + TagSize)
        {
            throw new SealBrokenException("A protected account value is too short to be sealed.");
        }

        var plaintext = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(sealing, TagSize);
        try
        {
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plaintext, Encoding.ASCII.GetBytes(keyId));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SealBrokenException("A protected account value does not open under its key: altered, or sealed under another ring.", e);
        }

        return Encoding.UTF8.GetString(plaintext);
    }

    private (byte[] Sealing, byte[] Naming) KeysFor(string keyId)
    {
        if (!envelopes.Ring.TryFindKey(KeyRing.Regional, keyId, out var key))
        {
            throw new MissingKeyException($"The key ring has no key '{keyId}' of the platform's own ring: account data sealed under it cannot be opened.");
        }

        return (
            HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Material, KeyRing.KeySize, info: "referral-network/accounts/seal"u8.ToArray()),
            HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Material, KeyRing.KeySize, info: "referral-network/accounts/nonce"u8.ToArray()));
    }
}
