using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// A 1,024-bit cryptographic long-term key (CLK) Bloom filter: sixteen 64-bit words held inline, so an array of
/// them is one contiguous block and comparing two is sixteen popcounts.
/// </summary>
[InlineArray(Words)]
public struct Clk1024 : IEquatable<Clk1024>
{
    public const int Bits = 1024;
    public const int Words = 16;
    public const int Bytes = 128;

    private ulong _word;

    public readonly int PopCount
    {
        get
        {
            var count = 0;
            foreach (var word in this)
            {
                count += BitOperations.PopCount(word);
            }

            return count;
        }
    }

    public readonly bool IsEmpty => PopCount == 0;

    public readonly bool IsSet(int bit) => bit is >= 0 and < Bits
        ? (this[bit >> 6] & (1UL << (bit & 63))) != 0
        : throw new ArgumentOutOfRangeException(nameof(bit));

    internal void Set(int bit) => this[bit >> 6] |= 1UL << (bit & 63);

    /// <summary>Sørensen–Dice coefficient 2|A∩B| / (|A|+|B|); 0 when both are empty.</summary>
    public static double Dice(in Clk1024 a, in Clk1024 b)
    {
        var common = 0;
        var total = 0;
        for (var i = 0; i < Words; i++)
        {
            common += BitOperations.PopCount(a[i] & b[i]);
            total += BitOperations.PopCount(a[i]) + BitOperations.PopCount(b[i]);
        }

        return total == 0 ? 0 : 2.0 * common / total;
    }

    /// <summary>The 128 bytes, little-endian words, for transport and storage.</summary>
    public readonly byte[] ToBytes()
    {
        var bytes = new byte[Bytes];
        for (var i = 0; i < Words; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), this[i]);
        }

        return bytes;
    }

    public static Clk1024 FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Bytes)
        {
            throw new ArgumentException($"A CLK is {Bytes} bytes, not {bytes.Length}.", nameof(bytes));
        }

        var clk = default(Clk1024);
        for (var i = 0; i < Words; i++)
        {
            clk[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 8)..]);
        }

        return clk;
    }

    public readonly bool Equals(Clk1024 other)
    {
        for (var i = 0; i < Words; i++)
        {
            if (this[i] != other[i])
            {
                return false;
            }
        }

        return true;
    }

    public override readonly bool Equals(object? obj) => obj is Clk1024 other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var word in this)
        {
            hash.Add(word);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(Clk1024 left, Clk1024 right) => left.Equals(right);

    public static bool operator !=(Clk1024 left, Clk1024 right) => !left.Equals(right);
}
