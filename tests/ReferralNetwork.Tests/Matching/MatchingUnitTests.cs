using Microsoft.Extensions.Configuration;
using ReferralNetwork.Contracts;
using ReferralNetwork.Identity;
using ReferralNetwork.Matching;
using ReferralNetwork.Referrals;
using ReferralNetwork.Subjects;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Matching;

public sealed class MatchingUnitTests
{
    [Theory]
    [InlineData(Stage.Returned, null, true)]
    [InlineData(Stage.Reintegration, null, true)]
    [InlineData(Stage.Closed, ClosureReason.LostContact, true)]
    [InlineData(Stage.Closed, ClosureReason.Reintegrated, true)]
    [InlineData(Stage.Closed, ClosureReason.Duplicate, false)]
    [InlineData(Stage.Closed, ClosureReason.NotAVictim, false)]
    [InlineData(Stage.Identified, null, false)]
    [InlineData(Stage.ReturnPlanned, null, false)]
    public void A_confirmed_match_is_a_re_identification_when_the_earlier_case_had_ended_but_not_as_a_duplicate_or_no_victim(
        Stage stage, ClosureReason? closure, bool ended) =>
        Assert.Equal(ended, MatchBoard.Ended(stage, closure));

    private static readonly Caller Thailand = new("th-focal-point", "TH", OrganizationKind.FocalPoint, [Scopes.ReferralsWrite]);

    [Fact]
    public void A_closed_referral_accepts_the_link_of_a_confirmed_match_once_and_nothing_else()
    {
        var state = new ReferralState();
        state.Identify(Guid.NewGuid(), Thailand, ReferralRequests.Command(Thailand), DateTimeOffset.UtcNow);
        state.Close(Thailand, ClosureReason.LostContact, DateTimeOffset.UtcNow);
        var match = Guid.NewGuid();

        var linked = state.Link(match, "kh-focal-point", "KH", DateTimeOffset.UtcNow);

        Assert.NotNull(linked);
        Assert.Equal((match, "kh-focal-point", Stage.Closed), (linked.MatchId, linked.FocalPointId, linked.Stage));
        Assert.Contains("KH", linked.Countries);
        Assert.True(state.IsVisibleTo("kh-focal-point"));
        Assert.Null(state.Link(match, "kh-focal-point", "KH", DateTimeOffset.UtcNow));
        Assert.Equal(3, state.Version);
    }

    [Theory]
    [InlineData(null, "Matching:NetworkKey is not set")]
    [InlineData("c2hvcnQ=", "Matching:NetworkKey is not base64 of at least 32 bytes")]
    [InlineData("not base64 at all!", "Matching:NetworkKey is not base64 of at least 32 bytes")]
    public void Production_refuses_a_missing_or_short_network_key_without_quoting_it(string? key, string refusal)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Matching:NetworkKey"] = key }).Build();

        var refusals = NetworkKey.ProductionRefusals(configuration).ToList();

        Assert.Contains(refusals, r => r.StartsWith(refusal, StringComparison.Ordinal));
        Assert.All(refusals, r => Assert.DoesNotContain(key ?? "\0", r, StringComparison.Ordinal));
    }

    [Fact]
    public void Production_accepts_a_key_of_32_bytes()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Matching:NetworkKey"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 7 + 1)).ToArray()),
        }).Build();

        Assert.Empty(NetworkKey.ProductionRefusals(configuration));
    }

    [Fact]
    public void The_development_key_is_generated_once_and_the_same_key_encodes_the_same_person_alike()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "keys", NetworkKey.DevelopmentFile);
        var identity = new SubjectIdentity("Thị Lan", "Nguyễn", Sex.Female, new DateOnly(2001, 3, 14), "VN", ["vi"], null);

        var first = NetworkKey.Development(path);
        var written = File.ReadAllText(path);
        var again = NetworkKey.Development(path);

        Assert.Equal(written, File.ReadAllText(path));
        Assert.Equal(NetworkKey.DevelopmentKeyId, first.KeyId);
        Assert.DoesNotContain(written, first.ToString(), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var one = new MatchSubmission(first, null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<MatchSubmission>.Instance);
        using var two = new MatchSubmission(again, null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<MatchSubmission>.Instance);
        var latin = identity with { GivenName = "Thi Lan", FamilyName = "Nguyen" };
        Assert.Equal(one.Encode(identity).Bits, two.Encode(latin).Bits);
        Assert.NotEqual(one.Encode(identity).Bits, one.Encode(identity with { DateOfBirth = new DateOnly(1998, 7, 2) }).Bits);
    }
}
