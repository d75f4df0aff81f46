using System.Security.Cryptography;
using ReferralNetwork.Testing;

namespace ReferralNetwork.Tests.Privacy;

/// <summary>The search itself: a short binary form is found where a serializer wrote it, and not counted inside ciphertext.</summary>
public sealed class CanarySearchTests
{
    private static readonly byte[] DayNumber = BitConverter.GetBytes(new DateOnly(1953, 7, 29).DayNumber);

    private static readonly Canary Date = new("subject.dateOfBirth", "1953-07-29", [], [new BinaryForm("Orleans DateOnly (day number, int32 LE)", DayNumber)]);

    [Fact]
    public void A_date_written_among_plain_serialized_fields_is_found()
    {
        // The shape of a plain Orleans field run: small headers, lengths, zeros, short ASCII, then the day number.
        byte[] plain = [.. Enumerable.Repeat((byte)0, 12), 0x05, 0x01, 0x03, .. "VN"u8, 0x00, 0x01, 0x20, 0x00, 0x00, 0x11, 0x00,
            .. Enumerable.Repeat((byte)0, 10), .. DayNumber, 0x00, 0x02, 0x30, .. Enumerable.Repeat((byte)0, 30)];
        var search = new CanarySearch([Date]);

        search.AddBytes("file", "plain", plain);

        Assert.Single(search.Hits);
    }

    [Fact]
    public void The_same_four_bytes_inside_random_bytes_are_chance()
    {
        var sealedBytes = RandomNumberGenerator.GetBytes(256);
        DayNumber.CopyTo(sealedBytes, 100);
        var search = new CanarySearch([Date]);

        search.AddBytes("file", "sealed", sealedBytes);

        Assert.Empty(search.Hits);
    }
}
