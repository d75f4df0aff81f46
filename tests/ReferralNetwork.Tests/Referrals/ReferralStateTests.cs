using ReferralNetwork.Contracts;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

public sealed class ReferralStateTests
{
    private static readonly Caller Thailand = new("th-focal-point", "TH", OrganizationKind.FocalPoint, [Scopes.ReferralsWrite]);

    [Fact]
    public void Identifying_makes_the_identifier_holder_and_records_event_number_one()
    {
        var state = new ReferralState();
        var id = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;

        var e = state.Identify(id, Thailand, ReferralRequests.Command(Thailand), now);

        Assert.Equal(1, e.Number);
        Assert.Equal(id, e.ReferralId);
        Assert.Equal(["TH", "VN"], e.Countries);
        Assert.Equal(AgeBand.From18To24, e.AgeBand);
        Assert.Equal(Stage.Identified, state.Stage);
        Assert.Equal("th-focal-point", state.Holder);
        Assert.Equal(1, state.Version);
        Assert.Equal([e], state.Unpublished);
        Assert.True(state.IsVisibleTo("th-focal-point"));
        Assert.False(state.IsVisibleTo("kh-focal-point"));
    }

    [Fact]
    public void A_referral_is_identified_once()
    {
        var state = new ReferralState();
        state.Identify(Guid.NewGuid(), Thailand, ReferralRequests.Command(Thailand), DateTimeOffset.UtcNow);

        var refused = Assert.Throws<ProblemException>(() => state.Identify(Guid.NewGuid(), Thailand, ReferralRequests.Command(Thailand), DateTimeOffset.UtcNow));

        Assert.Equal(ProblemKind.TransitionNotAllowed, refused.Kind);
        Assert.Equal(1, state.Version);
    }

    [Fact]
    public void Published_events_are_no_longer_pending()
    {
        var state = new ReferralState();
        state.Identify(Guid.NewGuid(), Thailand, ReferralRequests.Command(Thailand), DateTimeOffset.UtcNow);

        state.PublishedThrough = 1;

        Assert.Empty(state.Unpublished);
    }

    [Theory]
    [InlineData("2010-01-01", "2026-11-23", AgeBand.From12To17)]
    [InlineData("2008-11-23", "2026-11-23", AgeBand.From18To24)]
    [InlineData("2008-11-24", "2026-11-23", AgeBand.From12To17)]
    [InlineData(null, "2026-11-23", AgeBand.Unknown)]
    public void Age_bands_follow_the_date_of_birth(string? born, string at, AgeBand expected) =>
        Assert.Equal(expected, AgeBands.At(born is null ? null : DateOnly.Parse(born, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
}
