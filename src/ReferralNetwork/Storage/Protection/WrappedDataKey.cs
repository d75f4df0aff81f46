namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// A data key as it is stored beside what it protects: encrypted (AES-256-GCM) under a country's key-encryption key.
/// It opens only for the owner it was made for (the referral id), under its country, with the ring holding
/// <see cref="KeyId"/>: all three are bound into the encryption. Throwing it away is crypto-shredding: everything
/// sealed under the data key becomes unreadable, ring or no ring.
/// </summary>
/// <param name="Country">The country whose ring wrapped the key (canonical code, or REGIONAL).</param>
/// <param name="KeyId">The id of the key-encryption key that wrapped it.</param>
/// <param name="Nonce">The 12-byte AES-GCM nonce of the wrap.</param>
/// <param name="Ciphertext">The encrypted 32-byte data key followed by the 16-byte tag.</param>
[GenerateSerializer, Immutable, Alias("wrapped-data-key")]
public sealed record WrappedDataKey(
    [property: Id(0)] string Country,
    [property: Id(1)] string KeyId,
    [property: Id(2)] byte[] Nonce,
    [property: Id(3)] byte[] Ciphertext)
{
    /// <summary>Equal when every field and every byte is: two wraps of one data key differ (fresh nonce).</summary>
    public bool Equals(WrappedDataKey? other) =>
        other is not null
        && string.Equals(Country, other.Country, StringComparison.Ordinal)
        && string.Equals(KeyId, other.KeyId, StringComparison.Ordinal)
        && Nonce.AsSpan().SequenceEqual(other.Nonce)
        && Ciphertext.AsSpan().SequenceEqual(other.Ciphertext);

    public override int GetHashCode() => HashCode.Combine(Country, KeyId);

    public override string ToString() => $"wrapped data key ({Country}, {KeyId})";
}
