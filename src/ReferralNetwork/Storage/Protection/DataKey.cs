using System.Security.Cryptography;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// An unwrapped data key of one owner (a referral), for the few lines that seal or open its values. Dispose it as soon
/// as they are done (<c>using var key = …</c>): disposal zeroes the key bytes, and a disposed key refuses to be used.
/// Not meant to be shared between threads or kept in grain state; keep <see cref="Wrapped"/> instead.
/// </summary>
public sealed class DataKey : IDisposable
{
    private readonly byte[] _material;
    private bool _disposed;

    /// <param name="material">A pinned 32-byte array that the key now owns (and zeroes on disposal).</param>
    internal DataKey(WrappedDataKey wrapped, Guid ownerId, byte[] material)
    {
        if (material.Length != KeyRing.KeySize)
        {
            throw new ArgumentException($"A data key is {KeyRing.KeySize} bytes.", nameof(material));
        }

        Wrapped = wrapped;
        OwnerId = ownerId;
        _material = material;
    }

    /// <summary>The referral (or other owner) the key belongs to; bound into every value it seals.</summary>
    public Guid OwnerId { get; }

    /// <summary>The stored form this key was made or unwrapped from.</summary>
    public WrappedDataKey Wrapped { get; }

    public string Country => Wrapped.Country;

    internal ReadOnlySpan<byte> Material
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _material;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_material);
    }

    public override string ToString() => $"data key of {OwnerId} ({Wrapped.Country}, {Wrapped.KeyId}){(_disposed ? ", disposed" : "")}";
}
