namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// A free-text value sealed under a data key (see <see cref="EnvelopeProtector.SealText"/>): format version byte (1),
/// 12-byte nonce, ciphertext of the UTF-8 text, 16-byte tag. It opens only with the same data key, owner and label.
/// </summary>
[GenerateSerializer, Immutable, Alias("sealed-text")]
public sealed record SealedText([property: Id(0)] byte[] Bytes)
{
    public bool Equals(SealedText? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Says what it is, never what it holds.</summary>
    public override string ToString() => $"sealed text ({Bytes.Length} bytes)";
}
