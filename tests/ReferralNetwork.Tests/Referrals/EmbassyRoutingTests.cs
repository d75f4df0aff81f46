using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>
/// The return of a person whose country has no focal point on the platform, as plain unit tests on the state: through
/// the embassy registered for that nationality in the holder's country, by the same steps and events as a return
/// between focal points; and the routes of the platform's own nationalities left as they were.
/// </summary>
public sealed class EmbassyRoutingTests
{
    private static readonly string[] Fp = [Scopes.ReferralsRead, Scopes.ReferralsWrite, Scopes.SubjectRead];
    private static readonly string[] FocalPointCountries = ["VN", "KH", "LA", "MM", "TH"];
    private static readonly Caller Thailand = new("th-focal-point", "TH", OrganizationKind.FocalPoint, Fp);
    private static readonly Caller ThaiShelter = new("th-shelter-bangkok", "TH", OrganizationKind.Shelter, Fp);
    private static readonly Caller Vietnam = new("vn-focal-point", "VN", OrganizationKind.FocalPoint, Fp);
    private static readonly Caller ChineseEmbassy = new("th-embassy-cn", "TH", OrganizationKind.Embassy, Fp);
    private static readonly OrganizationRef VietnamRef = new("vn-focal-point", "VN", OrganizationKind.FocalPoint);
    private static readonly OrganizationRef ThaiShelterRef = new("th-shelter-bangkok", "TH", OrganizationKind.Shelter);
    private static readonly OrganizationRef ChineseEmbassyRef = new("th-embassy-cn", "TH", OrganizationKind.Embassy, ["CN"]);
    private static readonly OrganizationRef ChineseEmbassyInHanoiRef = new("vn-embassy-cn", "VN", OrganizationKind.Embassy, ["CN"]);
    private static readonly OrganizationRef VietnameseEmbassyRef = new("th-embassy-vn", "TH", OrganizationKind.Embassy, ["VN"]);
    private static readonly OrganizationRef IomRef = new("th-iom", "TH", OrganizationKind.International, ["CN", "ID"]);

    private readonly DateTimeOffset _now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_Chinese_national_in_Thailand_returns_through_the_embassy_for_CN_by_the_same_steps_and_events()
    {
        var state = Consented(Identified("CN"), ChineseEmbassyRef.Id);

        var offered = Offer(state, Thailand, ChineseEmbassyRef);
        Assert.True(offered.CrossBorder);
        Assert.Equal(Stage.RepatriationRequested, state.Stage);

        state.Accept(ChineseEmbassy, offered.HandoffId, _now);
        Assert.Equal(("th-focal-point", Stage.RepatriationRequested), (state.Holder, state.Stage)); // custody stays until the return
        Assert.Contains("th-embassy-cn", state.Participants);

        // The embassy speaks for the person's country: it verifies nationality, as the consul does for its nationals.
        var verified = Assert.IsType<NationalityVerified>(state.VerifyNationality(ChineseEmbassy, NationalityOutcome.Confirmed, null, _now));
        Assert.Equal("CN", verified.Nationality);
        state.PlanReturn(Thailand, TravelDocument.EmergencyTravelDocument, new DateOnly(2026, 12, 2), "Suvarnabhumi airport", null, _now);
        var sending = state.ConfirmReturn(Thailand, _now, _now);
        var receiving = state.ConfirmReturn(ChineseEmbassy, _now, _now);

        Assert.Equal((ReturnSide.Sending, false, ReturnSide.Receiving, true), (sending.Side, sending.Completed, receiving.Side, receiving.Completed));
        Assert.Equal(["th-embassy-cn"], sending.ReportTo);
        Assert.Equal((Stage.Returned, "th-embassy-cn"), (state.Stage, state.Holder));
        Assert.Contains("th-focal-point", state.Participants);
        Assert.Equal(
            ["ReferralIdentified", "ConsentRecorded", "ConsentRecorded", "HandoffOffered", "HandoffAccepted", "NationalityVerified", "ReturnPlanned", "ReturnConfirmed", "ReturnConfirmed"],
            state.History.Select(e => e.GetType().Name));
        Assert.Equal(Enumerable.Range(1, state.Version), state.History.Select(e => e.Number));
        Assert.All(state.History, e => Assert.Contains("CN", e.Countries));
    }

    [Fact]
    public void A_Chinese_national_cannot_be_handed_across_the_border_to_a_focal_point_or_to_an_embassy_elsewhere()
    {
        var state = Consented(Identified("CN"), VietnamRef.Id, ChineseEmbassyInHanoiRef.Id);

        var toVietnam = AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => Offer(state, Thailand, VietnamRef));
        var toHanoi = AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => Offer(state, Thailand, ChineseEmbassyInHanoiRef));

        Assert.Equal(RefusalCode.ReturnThroughEmbassy, toVietnam.Code);
        Assert.Equal(RefusalCode.CrossBorderRoute, toHanoi.Code);
        Assert.Empty(state.Handoffs);
    }

    [Fact]
    public void A_Vietnamese_national_cannot_be_handed_to_an_embassy_for_CN_nor_returned_through_an_embassy_for_VN()
    {
        var state = Consented(Identified("VN"), ChineseEmbassyRef.Id, VietnameseEmbassyRef.Id);
        state.RecordConsent(Thailand, ConsentPurpose.Services, null, true, ConsentMethod.Written, _now);

        var custody = AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => Offer(state, Thailand, ChineseEmbassyRef));
        var service = AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () =>
            state.Offer(Thailand, Guid.NewGuid(), ChineseEmbassyRef, HandoffKind.Service, [ServiceKind.LegalAid], null, _now.AddDays(1), null, _now, FocalPointCountries));
        var ownEmbassy = AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => Offer(state, Thailand, VietnameseEmbassyRef));

        Assert.Equal(RefusalCode.EmbassyOfAnotherNationality, custody.Code);
        Assert.Equal(RefusalCode.EmbassyOfAnotherNationality, service.Code);
        Assert.Equal(RefusalCode.RepatriationToNationality, ownEmbassy.Code); // VN has a focal point: focal point to focal point

        // Her own route is what it always was.
        Consented(state, VietnamRef.Id);
        var offered = Offer(state, Thailand, VietnamRef);
        Assert.True(offered.CrossBorder);
        Assert.Equal(Stage.RepatriationRequested, state.Stage);
    }

    [Fact]
    public void Without_the_directorys_focal_points_the_rule_is_the_old_one_and_refuses_the_embassy_route()
    {
        // A caller that does not say which countries have a focal point gets the five-country rule: a refusal, never a wider route.
        var state = Consented(Identified("CN"), ChineseEmbassyRef.Id);

        var refused = AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () =>
            state.Offer(Thailand, Guid.NewGuid(), ChineseEmbassyRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now));

        Assert.Equal(RefusalCode.RepatriationToNationality, refused.Code);
    }

    [Fact]
    public void Only_the_holders_focal_point_hands_the_return_to_the_embassy_and_only_with_the_persons_consent()
    {
        var state = Identified("CN");
        state.RecordConsent(Thailand, ConsentPurpose.Share, ChineseEmbassyRef.Id, true, ConsentMethod.Written, _now);

        var noReturnConsent = AssertRefused(ProblemKind.ConsentRequired, state, () => Offer(state, Thailand, ChineseEmbassyRef));
        Assert.Equal(RefusalCode.ReturnConsentRequired, noReturnConsent.Code);

        // Placed with a shelter, the shelter holds her and cannot hand her return on itself.
        state.RecordConsent(Thailand, ConsentPurpose.Return, null, true, ConsentMethod.Written, _now);
        state.RecordConsent(Thailand, ConsentPurpose.Share, ThaiShelterRef.Id, true, ConsentMethod.Written, _now);
        var placement = Offer(state, Thailand, ThaiShelterRef);
        state.Accept(ThaiShelter, placement.HandoffId, _now);
        state.RecordConsent(ThaiShelter, ConsentPurpose.Share, ChineseEmbassyRef.Id, true, ConsentMethod.Written, _now);

        var byShelter = AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => Offer(state, ThaiShelter, ChineseEmbassyRef));
        Assert.Equal(RefusalCode.CrossBorderRoute, byShelter.Code);
    }

    [Fact]
    public void An_international_organization_marked_for_the_nationality_receives_the_return_like_an_embassy()
    {
        var state = Consented(Identified("ID"), IomRef.Id);
        var iom = new Caller(IomRef.Id, "TH", OrganizationKind.International, Fp);

        var offered = Offer(state, Thailand, IomRef);
        state.Accept(iom, offered.HandoffId, _now);
        state.VerifyNationality(iom, NationalityOutcome.Confirmed, null, _now);

        Assert.True(offered.CrossBorder);
        Assert.Equal(Stage.NationalityVerified, state.Stage);
    }

    [Fact]
    public void Only_the_embassy_that_accepted_the_return_verifies_and_a_rejection_puts_the_person_back_in_protection()
    {
        var state = Consented(Identified("CN"), ChineseEmbassyRef.Id);
        var offered = Offer(state, Thailand, ChineseEmbassyRef);
        var otherEmbassy = ChineseEmbassy with { OrganizationId = "th-consulate-cn-chiang-mai" };

        var early = AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.VerifyNationality(ChineseEmbassy, NationalityOutcome.Confirmed, null, _now));
        Assert.Equal(RefusalCode.VerificationBeforeAcceptance, early.Code);
        state.Accept(ChineseEmbassy, offered.HandoffId, _now);
        var byThailand = AssertRefused(ProblemKind.Forbidden, state, () => state.VerifyNationality(Thailand, NationalityOutcome.Confirmed, null, _now));
        var byAnother = AssertRefused(ProblemKind.Forbidden, state, () => state.VerifyNationality(otherEmbassy, NationalityOutcome.Confirmed, null, _now));
        var rejected = state.VerifyNationality(ChineseEmbassy, NationalityOutcome.Rejected, "Not a CN citizen according to our records", _now);

        Assert.Equal((RefusalCode.OnlyOriginVerifies, RefusalCode.OnlyOriginVerifies), (byThailand.Code, byAnother.Code));
        Assert.IsType<NationalityRejected>(rejected);
        Assert.Equal(Stage.InProtection, state.Stage);
        Assert.Equal("th-focal-point", state.Holder);
    }

    [Fact]
    public void A_nationality_corrected_to_one_without_a_focal_point_routes_through_its_embassy_from_then_on()
    {
        var state = Consented(Identified("VN"), ChineseEmbassyRef.Id);
        state.CorrectSubject(Thailand, ["nationality"], "CN", Sex.Female, null, _now);

        var offered = Offer(state, Thailand, ChineseEmbassyRef);

        Assert.True(offered.CrossBorder);
        Assert.Equal(Stage.RepatriationRequested, state.Stage);
    }

    // ---- builders ------------------------------------------------------------------------------

    private ReferralState Identified(string nationality)
    {
        var state = new ReferralState();
        var request = ReferralRequests.VietnameseWoman();
        request = request with { Subject = request.Subject! with { Nationality = nationality, Languages = ["zh"] } };
        state.Identify(Guid.NewGuid(), Thailand, ReferralCommand.Create.From(request, Thailand, DateTimeOffset.UtcNow), _now);
        return state;
    }

    private ReferralState Consented(ReferralState state, params string[] shareWith)
    {
        foreach (var organization in shareWith)
        {
            state.RecordConsent(Thailand, ConsentPurpose.Share, organization, true, ConsentMethod.Written, _now);
        }

        if (!state.HasConsent(ConsentPurpose.Return))
        {
            state.RecordConsent(Thailand, ConsentPurpose.Return, null, true, ConsentMethod.Written, _now);
        }

        return state;
    }

    private HandoffOffered Offer(ReferralState state, Caller caller, OrganizationRef to) =>
        state.Offer(caller, Guid.NewGuid(), to, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now, FocalPointCountries);

    /// <summary>Refused with the kind named, and nothing changed: no event, the same stage and holder.</summary>
    private static ProblemException AssertRefused(ProblemKind kind, ReferralState state, Action act)
    {
        var (version, stage, holder) = (state.Version, state.Stage, state.Holder);

        var refused = Assert.Throws<ProblemException>(act);

        Assert.Equal(kind, refused.Kind);
        Assert.Equal((version, stage, holder), (state.Version, state.Stage, state.Holder));
        return refused;
    }
}
