using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ReferralNetwork.Contracts;
using ReferralNetwork.Subjects;
using ReferralNetwork.Testing;

namespace ReferralNetwork.Tests.Privacy;

/// <summary>
/// The search itself: a date is found wherever Orleans' serializer writes it in plain bytes, and its bytes are not
/// counted inside ciphertext.
/// </summary>
public sealed class CanarySearchTests
{
    private static readonly DateOnly BornOn = new(1953, 7, 29);

    private static readonly Canary Date = new("subject.dateOfBirth", "1953-07-29", [], BinaryForm.OrleansDate(BornOn));

    public static TheoryData<string> Shapes => ["identity record", "subject state", "nullable date", "date as object"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_date_the_serializer_wrote_in_plain_is_found(string shape)
    {
        using var services = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(SubjectIdentity).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var plain = shape switch
        {
            "identity record" => serializer.SerializeToArray(new SubjectIdentity("Lan", "Nguyen", Sex.Female, BornOn, "VN", ["vi"], null)),
            "subject state" => serializer.SerializeToArray(new SubjectState { GivenName = "Lan", FamilyName = "Nguyen", DateOfBirth = BornOn, Nationality = "VN" }),
            "nullable date" => serializer.SerializeToArray<DateOnly?>(BornOn),
            _ => serializer.SerializeToArray<object>(BornOn),
        };
        var search = new CanarySearch([Date]);

        search.AddBytes("file", "plain", plain);

        Assert.Single(search.Hits);
    }

    [Fact]
    public void The_same_bytes_inside_random_bytes_are_chance()
    {
        var sealedBytes = RandomNumberGenerator.GetBytes(256);
        Date.Binary[1].Bytes.CopyTo(sealedBytes, 100);
        var search = new CanarySearch([Date]);

        search.AddBytes("file", "sealed", sealedBytes);

        Assert.Empty(search.Hits);
    }

    [Fact]
    public void The_day_number_without_a_field_header_is_not_a_date()
    {
        // Four bytes of ciphertext that happen to equal the day number, beside a page's plain header.
        byte[] page = [.. Enumerable.Repeat((byte)0, 40), 0x0D, 0x00, .. BitConverter.GetBytes(BornOn.DayNumber), .. RandomNumberGenerator.GetBytes(40)];
        var search = new CanarySearch([Date]);

        search.AddBytes("file", "page", page);

        Assert.Empty(search.Hits);
    }
}
