using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// Envelope encryption of the identities kept by the platform. Each owner (a referral) gets its own random 256-bit data
/// key, stored only wrapped (AES-256-GCM) under the current key-encryption key of its country; the data key seals
/// the owner's values (AES-256-GCM, fresh 96-bit nonce per seal). Both layers bind their context into the associated
/// data: a wrapped key binds owner, country and key id; a sealed value binds owner and label. A wrapped key or a
/// ciphertext copied to another referral, field or country therefore fails with <see cref="SealBrokenException"/>
/// instead of opening.
/// </summary>
/// <remarks>
/// <para>
/// Crypto-shredding: the data key exists only wrapped in the owner's state. Deleting that <see cref="WrappedDataKey"/>
/// makes every value sealed under it unreadable for good, even to someone holding the whole key ring and every copy
/// of the sealed bytes (backups, replicas): there is nothing to delete anywhere else.
/// </para>
/// <para>
/// Thread-safe; meant to be one singleton per process. It holds only an immutable <see cref="KeyRing"/>, which
/// <see cref="UseRing"/> replaces atomically (after a rotation); every call reads the ring once. No ASP.NET or DI
/// dependency: construct it with the ring.
/// </para>
/// </remarks>
public sealed class EnvelopeProtector(KeyRing ring)
{
    /// <summary>The first byte of every sealed value; a new format will get a new number.</summary>
    public const byte FormatVersion = 1;

    public const int NonceSize = 12;

    public const int TagSize = 16;

    /// <summary>Bytes a seal adds to its plaintext: version, nonce, tag.</summary>
    public const int SealOverhead = 1 + NonceSize + TagSize;

    /// <summary>The longest label, in UTF-8 bytes.</summary>
    public const int MaxLabelBytes = 256;

    private const int WrappedKeySize = KeyRing.KeySize + TagSize;
    private const int MaxAssociatedData = 64 + 16 + 2 + MaxLabelBytes;
    private const int TextOnStack = 512;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private KeyRing _ring = ring ?? throw new ArgumentNullException(nameof(ring));

    /// <summary>The ring in use now.</summary>
    public KeyRing Ring => Volatile.Read(ref _ring);

    /// <summary>
    /// Replaces the ring, e.g. after <see cref="KeyRing.RotateFile"/>. Calls under way finish with the ring they started
    /// with. The new ring must still hold every key that wrapped a stored data key, or those owners stop opening.
    /// </summary>
    public void UseRing(KeyRing newRing)
    {
        ArgumentNullException.ThrowIfNull(newRing);
        Volatile.Write(ref _ring, newRing);
    }

    /// <summary>
    /// A fresh random data key for <paramref name="ownerId"/>, wrapped under the current key of <paramref name="country"/>.
    /// Store <see cref="DataKey.Wrapped"/> with the owner, seal with the key, then dispose it.
    /// </summary>
    /// <exception cref="ArgumentException">The country is not a country code, or the owner id is empty.</exception>
    /// <exception cref="MissingKeyException">No ring serves the country.</exception>
    public DataKey NewDataKey(string country, Guid ownerId)
    {
        var code = CountryCodes.Normalize(country);
        RequireOwner(ownerId);
        var kek = Ring.Serving(code).Current;
        var material = GC.AllocateUninitializedArray<byte>(KeyRing.KeySize, pinned: true);
        RandomNumberGenerator.Fill(material);
        return new DataKey(Wrap(kek, code, ownerId, material), ownerId, material);
    }

    /// <summary>Unwraps the data key of <paramref name="ownerId"/>. Dispose the result when done.</summary>
    /// <exception cref="MissingKeyException">The ring has no key <see cref="WrappedDataKey.KeyId"/> for its country (wrong or incomplete ring).</exception>
    /// <exception cref="SealBrokenException">The wrapped key belongs to another owner or country, or was altered.</exception>
    public DataKey Unwrap(WrappedDataKey wrapped, Guid ownerId) => Unwrap(Ring, wrapped, ownerId);

    /// <summary>
    /// The same data key wrapped under the current key of its country's ring: <paramref name="wrapped"/> itself (the
    /// same object) when that is already the key that wrapped it. The data key does not change, so everything sealed
    /// under it still opens. Store the result when it is not the same object; once every stored key is current, old
    /// keys can leave the ring.
    /// </summary>
    /// <exception cref="MissingKeyException">See <see cref="Unwrap"/>; also when no ring serves the country any more.</exception>
    /// <exception cref="SealBrokenException">See <see cref="Unwrap"/>: checked even when no rewrap is needed.</exception>
    public WrappedDataKey Rewrap(WrappedDataKey wrapped, Guid ownerId)
    {
        var ring = Ring;
        using var key = Unwrap(ring, wrapped, ownerId);
        var current = ring.Serving(wrapped.Country).Current;
        return current.Id == wrapped.KeyId ? wrapped : Wrap(current, wrapped.Country, ownerId, key.Material);
    }

    /// <summary>Whether <paramref name="wrapped"/> is wrapped under the current key of its country (so <see cref="Rewrap"/> would return it as it is).</summary>
    /// <exception cref="MissingKeyException">No ring serves the country.</exception>
    public bool IsCurrent(WrappedDataKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        return CountryCodes.TryNormalize(wrapped.Country, out var code) && code == wrapped.Country
            ? Ring.Serving(code).Current.Id == wrapped.KeyId
            : throw new MissingKeyException($"No key ring serves country '{wrapped.Country}'.");
    }

    /// <summary>The length of the sealed form of <paramref name="plaintextLength"/> bytes.</summary>
    public static int SealedLength(int plaintextLength) => checked(plaintextLength + SealOverhead);

    /// <summary>The length of the plaintext in <paramref name="sealedLength"/> sealed bytes (negative when too short to be sealed).</summary>
    public static int OpenedLength(int sealedLength) => sealedLength - SealOverhead;

    /// <summary>Seals bytes (a document, a serialized subject) for the key's owner under <paramref name="label"/>.</summary>
    public byte[] Seal(DataKey key, string label, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[SealedLength(plaintext.Length)];
        Seal(key, label, plaintext, sealedBytes);
        return sealedBytes;
    }

    /// <summary>Seals into <paramref name="destination"/> (at least <see cref="SealedLength"/> bytes, not overlapping the plaintext); returns the bytes written.</summary>
    public int Seal(DataKey key, string label, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        var length = SealedLength(plaintext.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the sealed value needs {length}.", nameof(destination));
        }

        if (plaintext.Overlaps(destination))
        {
            throw new ArgumentException("The destination overlaps the plaintext.", nameof(destination));
        }

        Span<byte> associatedData = stackalloc byte[MaxAssociatedData];
        associatedData = associatedData[..WriteSealContext(associatedData, key.OwnerId, label)];

        destination[0] = FormatVersion;
        var nonce = destination.Slice(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(
            nonce,
            plaintext,
            destination.Slice(1 + NonceSize, plaintext.Length),
            destination.Slice(1 + NonceSize + plaintext.Length, TagSize),
            associatedData);
        return length;
    }

    /// <summary>Opens what <see cref="Seal(DataKey, string, ReadOnlySpan{byte})"/> sealed, with the same key (owner) and label.</summary>
    /// <exception cref="SealBrokenException">Another key, owner or label, or altered or truncated bytes.</exception>
    public byte[] Open(DataKey key, string label, ReadOnlySpan<byte> sealedBytes)
    {
        var plaintext = new byte[Math.Max(0, OpenedLength(sealedBytes.Length))];
        Open(key, label, sealedBytes, plaintext);
        return plaintext;
    }

    /// <summary>Opens into <paramref name="destination"/> (at least <see cref="OpenedLength"/> bytes); returns the bytes written. On failure the destination holds nothing of the plaintext.</summary>
    /// <exception cref="SealBrokenException">Another key, owner or label, or altered or truncated bytes.</exception>
    public int Open(DataKey key, string label, ReadOnlySpan<byte> sealedBytes, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> associatedData = stackalloc byte[MaxAssociatedData];
        associatedData = associatedData[..WriteSealContext(associatedData, key.OwnerId, label)];

        var length = OpenedLength(sealedBytes.Length);
        if (length < 0)
        {
            throw new SealBrokenException($"The sealed '{label}' value of {key.OwnerId} is {sealedBytes.Length} bytes, shorter than any sealed value ({SealOverhead}).");
        }

        if (sealedBytes[0] != FormatVersion)
        {
            throw new SealBrokenException($"The sealed '{label}' value of {key.OwnerId} has format {sealedBytes[0]}; this version reads format {FormatVersion}.");
        }

        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the opened value needs {length}.", nameof(destination));
        }

        var plaintext = destination[..length];
        using var aes = new AesGcm(key.Material, TagSize);
        try
        {
            aes.Decrypt(
                sealedBytes.Slice(1, NonceSize),
                sealedBytes.Slice(1 + NonceSize, length),
                sealedBytes.Slice(1 + NonceSize + length, TagSize),
                plaintext,
                associatedData);
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new SealBrokenException(
                $"The sealed '{label}' value does not open with the data key of {key.OwnerId}: it was sealed for another owner or label, or altered.", e);
        }

        return length;
    }

    /// <summary>Seals free text (UTF-8) for the key's owner under <paramref name="label"/>.</summary>
    public SealedText SealText(DataKey key, string label, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = StrictUtf8.GetByteCount(text);
        byte[]? rented = null;
        Span<byte> buffer = count <= TextOnStack ? stackalloc byte[TextOnStack] : (rented = ArrayPool<byte>.Shared.Rent(count));
        var utf8 = buffer[..count];
        try
        {
            StrictUtf8.GetBytes(text, utf8);
            return new SealedText(Seal(key, label, utf8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Opens text sealed by <see cref="SealText"/>, with the same key (owner) and label.</summary>
    /// <exception cref="SealBrokenException">Another key, owner or label, or altered or truncated bytes.</exception>
    public string OpenText(DataKey key, string label, SealedText sealedText)
    {
        ArgumentNullException.ThrowIfNull(sealedText);
        var sealedBytes = sealedText.Bytes ?? [];
        var count = Math.Max(0, OpenedLength(sealedBytes.Length));
        byte[]? rented = null;
        Span<byte> buffer = count <= TextOnStack ? stackalloc byte[TextOnStack] : (rented = ArrayPool<byte>.Shared.Rent(count));
        var utf8 = buffer[..count];
        try
        {
            Open(key, label, sealedBytes, utf8);
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new SealBrokenException($"The sealed '{label}' value of {key.OwnerId} opens but is not UTF-8 text: it was sealed as bytes, not with SealText.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static DataKey Unwrap(KeyRing ring, WrappedDataKey wrapped, Guid ownerId)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        RequireOwner(ownerId);
        if (!CountryCodes.TryNormalize(wrapped.Country, out var country) || country != wrapped.Country
            || wrapped.KeyId is null || !ring.TryFindKey(country, wrapped.KeyId, out var kek))
        {
            throw new MissingKeyException(
                $"The data key of {ownerId} was wrapped by key '{wrapped.KeyId}' of country {wrapped.Country}, which neither that country's ring " +
                "nor the default ring holds: is this the right ring file, or did the key leave the ring before every data key was rewrapped?");
        }

        if (wrapped.Nonce is not { Length: NonceSize } || wrapped.Ciphertext is not { Length: WrappedKeySize })
        {
            throw new SealBrokenException($"The wrapped data key of {ownerId} is malformed (nonce or ciphertext of the wrong length).");
        }

        Span<byte> associatedData = stackalloc byte[MaxAssociatedData];
        associatedData = associatedData[..WriteWrapContext(associatedData, ownerId, wrapped.Country, kek.Id)];
        var material = GC.AllocateUninitializedArray<byte>(KeyRing.KeySize, pinned: true);
        using var aes = new AesGcm(kek.Material, TagSize);
        try
        {
            aes.Decrypt(wrapped.Nonce, wrapped.Ciphertext.AsSpan(0, KeyRing.KeySize), wrapped.Ciphertext.AsSpan(KeyRing.KeySize), material, associatedData);
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(material);
            throw new SealBrokenException(
                $"The data key wrapped for {wrapped.Country} under '{wrapped.KeyId}' does not unwrap for {ownerId}: it belongs to another owner or country, or was altered.", e);
        }

        return new DataKey(wrapped, ownerId, material);
    }

    private static WrappedDataKey Wrap(KeyEncryptionKey kek, string country, Guid ownerId, ReadOnlySpan<byte> dataKey)
    {
        Span<byte> associatedData = stackalloc byte[MaxAssociatedData];
        associatedData = associatedData[..WriteWrapContext(associatedData, ownerId, country, kek.Id)];
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[WrappedKeySize];
        using var aes = new AesGcm(kek.Material, TagSize);
        aes.Encrypt(nonce, dataKey, ciphertext.AsSpan(0, KeyRing.KeySize), ciphertext.AsSpan(KeyRing.KeySize), associatedData);
        return new WrappedDataKey(country, kek.Id, nonce, ciphertext);
    }

    // Associated data: a context string naming the layer and its version, then the owner id (16 bytes, big-endian as in
    // RFC 9562), then length-prefixed strings, so no two different contexts can encode to the same bytes.

    private static int WriteWrapContext(Span<byte> destination, Guid ownerId, string country, string keyId)
    {
        var written = Append(destination, 0, "referral-network/data-key/v1"u8);
        written = AppendOwner(destination, written, ownerId);
        written = AppendString(destination, written, country);
        return AppendString(destination, written, keyId);
    }

    private static int WriteSealContext(Span<byte> destination, Guid ownerId, string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        if (Encoding.UTF8.GetByteCount(label) > MaxLabelBytes)
        {
            throw new ArgumentException($"A label is at most {MaxLabelBytes} UTF-8 bytes.", nameof(label));
        }

        var written = Append(destination, 0, "referral-network/sealed/v1"u8);
        destination[written++] = FormatVersion;
        written = AppendOwner(destination, written, ownerId);
        return AppendString(destination, written, label);
    }

    private static int Append(Span<byte> destination, int offset, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[offset..]);
        return offset + bytes.Length;
    }

    private static int AppendOwner(Span<byte> destination, int offset, Guid ownerId)
    {
        ownerId.TryWriteBytes(destination.Slice(offset, 16), bigEndian: true, out _);
        return offset + 16;
    }

    private static int AppendString(Span<byte> destination, int offset, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, destination[(offset + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)length);
        return offset + 2 + length;
    }

    private static void RequireOwner(Guid ownerId)
    {
        if (ownerId == Guid.Empty)
        {
            throw new ArgumentException("The owner id is empty: every data key belongs to one referral.", nameof(ownerId));
        }
    }
}
