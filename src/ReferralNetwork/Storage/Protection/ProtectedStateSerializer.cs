using System.Buffers.Binary;
using System.Text;
using Orleans.Storage;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// Encrypts grain state at rest, whole: every write is serialized by the inner serializer, then sealed under a fresh
/// data key wrapped by the current key of the platform's own ring (<see cref="KeyRing.Regional"/>), so that free text
/// that found its way into workflow state (messages, reasons, notes, escort names) is never stored readable, whatever
/// field it is in. Rows written before encryption (no <see cref="Magic"/>) still read, and are sealed by their next write.
/// </summary>
/// <remarks>
/// The serializer does not know which grain a row belongs to, so the seal cannot bind it: grains that care check
/// the identity inside their state on activation (a referral compares its id). Identities in the subject compartment
/// carry their own envelope, bound to the referral, under its country's key.
/// </remarks>
public sealed class ProtectedStateSerializer(IGrainStorageSerializer inner, EnvelopeProtector protector) : IGrainStorageSerializer
{
    /// <summary>The first bytes of a sealed row.</summary>
    public static ReadOnlySpan<byte> Magic => "\0RNSEAL1"u8;

    private const string Label = "grain-state";

    /// <summary>The owner of every state data key; the ring binds it into each wrap.</summary>
    private static readonly Guid StateOwner = new("6f0e8b52-9a43-4c7e-9d1b-3c5a7e2f8d10");

    public BinaryData Serialize<T>(T? input)
    {
        var plain = inner.Serialize(input).ToMemory();
        using var key = protector.NewDataKey(KeyRing.Regional, StateOwner);
        var header = Header(key.Wrapped);
        var sealedLength = EnvelopeProtector.SealedLength(plain.Length);
        var row = new byte[Magic.Length + 2 + header.Length + sealedLength];
        Magic.CopyTo(row);
        BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(Magic.Length), checked((ushort)header.Length));
        header.CopyTo(row.AsSpan(Magic.Length + 2));
        protector.Seal(key, Label, plain.Span, row.AsSpan(Magic.Length + 2 + header.Length));
        return new BinaryData(row);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        var row = input.ToMemory();
        if (!IsSealed(row.Span))
        {
            return inner.Deserialize<T>(input);
        }

        var headerLength = BinaryPrimitives.ReadUInt16BigEndian(row.Span[Magic.Length..]);
        var wrapped = ReadHeader(row.Span.Slice(Magic.Length + 2, headerLength));
        using var key = protector.Unwrap(wrapped, StateOwner);
        var plain = protector.Open(key, Label, row.Span[(Magic.Length + 2 + headerLength)..]);
        return inner.Deserialize<T>(new BinaryData(plain));
    }

    public static bool IsSealed(ReadOnlySpan<byte> row) => row.StartsWith(Magic);

    /// <summary>
    /// Whether a row (or its first bytes: the header is near the front) needs <see cref="Reseal"/>: it is in plain text,
    /// or its data key is wrapped under a key that is no longer current.
    /// </summary>
    public static bool NeedsReseal(ReadOnlySpan<byte> rowStart, EnvelopeProtector protector) =>
        !IsSealed(rowStart) || !protector.IsCurrent(ReadHeader(rowStart.Slice(Magic.Length + 2, BinaryPrimitives.ReadUInt16BigEndian(rowStart[Magic.Length..]))));

    /// <summary>
    /// The row brought under the current key without knowing its grain's type: a plain row is sealed whole; a sealed row
    /// keeps its ciphertext and only gets its data key wrapped anew. Null when it is current already.
    /// </summary>
    public static byte[]? Reseal(ReadOnlySpan<byte> row, EnvelopeProtector protector)
    {
        if (!IsSealed(row))
        {
            using var key = protector.NewDataKey(KeyRing.Regional, StateOwner);
            var freshHeader = Header(key.Wrapped);
            var sealedRow = new byte[Magic.Length + 2 + freshHeader.Length + EnvelopeProtector.SealedLength(row.Length)];
            Magic.CopyTo(sealedRow);
            BinaryPrimitives.WriteUInt16BigEndian(sealedRow.AsSpan(Magic.Length), checked((ushort)freshHeader.Length));
            freshHeader.CopyTo(sealedRow.AsSpan(Magic.Length + 2));
            protector.Seal(key, Label, row, sealedRow.AsSpan(Magic.Length + 2 + freshHeader.Length));
            return sealedRow;
        }

        var headerLength = BinaryPrimitives.ReadUInt16BigEndian(row[Magic.Length..]);
        var wrapped = ReadHeader(row.Slice(Magic.Length + 2, headerLength));
        if (protector.IsCurrent(wrapped))
        {
            return null;
        }

        var header = Header(protector.Rewrap(wrapped, StateOwner));
        var body = row[(Magic.Length + 2 + headerLength)..];
        var resealed = new byte[Magic.Length + 2 + header.Length + body.Length];
        Magic.CopyTo(resealed);
        BinaryPrimitives.WriteUInt16BigEndian(resealed.AsSpan(Magic.Length), checked((ushort)header.Length));
        header.CopyTo(resealed.AsSpan(Magic.Length + 2));
        body.CopyTo(resealed.AsSpan(Magic.Length + 2 + header.Length));
        return resealed;
    }

    /// <summary>The key id that sealed a row, or null for a row written before encryption.</summary>
    public static string? KeyIdOf(ReadOnlySpan<byte> row) =>
        IsSealed(row) ? ReadHeader(row.Slice(Magic.Length + 2, BinaryPrimitives.ReadUInt16BigEndian(row[Magic.Length..]))).KeyId : null;

    private static byte[] Header(WrappedDataKey wrapped)
    {
        var country = Encoding.UTF8.GetBytes(wrapped.Country);
        var keyId = Encoding.UTF8.GetBytes(wrapped.KeyId);
        var header = new byte[3 + country.Length + keyId.Length + wrapped.Nonce.Length + wrapped.Ciphertext.Length];
        var at = 0;
        foreach (var part in new[] { country, keyId, wrapped.Nonce, wrapped.Ciphertext })
        {
            if (part == wrapped.Ciphertext)
            {
                part.CopyTo(header, at);
                break;
            }

            header[at++] = checked((byte)part.Length);
            part.CopyTo(header, at);
            at += part.Length;
        }

        return header;
    }

    private static WrappedDataKey ReadHeader(ReadOnlySpan<byte> header)
    {
        var at = 0;
        ReadOnlySpan<byte> Next(ReadOnlySpan<byte> h)
        {
            var length = h[at];
            var part = h.Slice(at + 1, length);
            at += 1 + length;
            return part;
        }

        var country = Encoding.UTF8.GetString(Next(header));
        var keyId = Encoding.UTF8.GetString(Next(header));
        var nonce = Next(header).ToArray();
        return new WrappedDataKey(country, keyId, nonce, header[at..].ToArray());
    }
}
