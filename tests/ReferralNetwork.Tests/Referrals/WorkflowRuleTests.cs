using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>The workflow rules of DESIGN §2 as plain unit tests on the state: each would fail without its rule.</summary>
public sealed class WorkflowRuleTests
{
    private static readonly string[] Fp = [Scopes.ReferralsRead, Scopes.ReferralsWrite, Scopes.SubjectRead];
    private static readonly Caller Thailand = new("th-focal-point", "TH", OrganizationKind.FocalPoint, Fp);
    private static readonly Caller ThaiShelter = new("th-shelter-bangkok", "TH", OrganizationKind.Shelter, Fp);
    private static readonly Caller Vietnam = new("vn-focal-point", "VN", OrganizationKind.FocalPoint, Fp);
    private static readonly Caller VietnamNgo = new("vn-ngo-reintegration", "VN", OrganizationKind.Ngo, Fp);
    private static readonly Caller Cambodia = new("kh-focal-point", "KH", OrganizationKind.FocalPoint, Fp);
    private static readonly OrganizationRef ThaiShelterRef = new("th-shelter-bangkok", "TH", OrganizationKind.Shelter);
    private static readonly OrganizationRef VietnamRef = new("vn-focal-point", "VN", OrganizationKind.FocalPoint);
    private static readonly OrganizationRef VietnamShelterRef = new("vn-shelter-hanoi", "VN", OrganizationKind.Shelter);
    private static readonly OrganizationRef VietnamNgoRef = new("vn-ngo-reintegration", "VN", OrganizationKind.Ngo);
    private static readonly OrganizationRef CambodiaRef = new("kh-focal-point", "KH", OrganizationKind.FocalPoint);

    private readonly DateTimeOffset _now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    // ---- screening -----------------------------------------------------------------------------

    [Fact]
    public void An_adult_is_a_presumed_victim_with_an_act_a_means_and_a_purpose_and_gets_the_non_punishment_flag()
    {
        var state = Identified();

        var e = state.Screen(Thailand, ReferralRequests.Indicators("recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"), _now);

        Assert.Equal(ScreeningOutcome.PresumedVictim, e.Outcome);
        Assert.True(e.NonPunishment);
        Assert.True(state.NonPunishment);
        Assert.Equal(Stage.Screened, state.Stage);
    }

    [Fact]
    public void An_adult_without_a_means_is_inconclusive_but_a_child_needs_none()
    {
        var adult = Identified();
        var child = Identified(dateOfBirth: new DateOnly(2011, 5, 1));

        var a = adult.Screen(Thailand, ReferralRequests.Indicators("recruited-online-job-offer", "forced-to-defraud-others"), _now);
        var c = child.Screen(Thailand, ReferralRequests.Indicators("recruited-online-job-offer", "forced-to-defraud-others"), _now);

        Assert.Equal(ScreeningOutcome.Inconclusive, a.Outcome);
        Assert.False(adult.NonPunishment);
        Assert.True(c.Child);
        Assert.Equal(ScreeningOutcome.PresumedVictim, c.Outcome);
    }

    [Fact]
    public void No_indicator_is_not_a_victim_and_the_latest_screening_counts_while_all_stay_in_the_history()
    {
        var state = Identified();

        state.Screen(Thailand, ReferralRequests.Indicators(), _now);
        state.Screen(Thailand, ReferralRequests.Indicators("recruited-social-media", "debt-bondage", "forced-labour"), _now.AddDays(1));

        Assert.Equal(ScreeningOutcome.PresumedVictim, state.Screening!.Outcome);
        Assert.Equal(2, state.Screenings.Count);
        Assert.Equal(ScreeningOutcome.NotAVictim, state.Screenings[0].Outcome);
        Assert.Equal([1, 2, 3], state.History.Select(h => h.Number));
    }

    [Fact]
    public void Only_the_holder_screens_and_unknown_indicators_are_refused_without_change()
    {
        var state = Identified();

        AssertRefused(ProblemKind.Forbidden, state, () => state.Screen(Vietnam, ReferralRequests.Indicators("forced-labour"), _now));
        var unknown = Assert.Throws<ProblemException>(() => ReferralCommand.Screen.From(new ScreeningRequest(["forced-labour", "made-up"])));
        Assert.Equal(ProblemKind.Validation, unknown.Kind);
        Assert.Equal(["indicators[1]"], unknown.Errors!.Keys);
    }

    // ---- handoff routing and consent -----------------------------------------------------------

    [Fact]
    public void A_domestic_custody_handoff_moves_the_holder_when_accepted()
    {
        var state = Consented(Identified(), ThaiShelterRef.Id);
        var offer = state.Offer(Thailand, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now);

        state.Accept(ThaiShelter, offer.HandoffId, _now);

        Assert.Equal("th-shelter-bangkok", state.Holder);
        Assert.Contains("th-focal-point", state.Participants);
    }

    [Fact]
    public void Across_a_border_only_focal_point_to_focal_point_custody_to_the_country_of_nationality_is_allowed()
    {
        var state = Consented(Identified(), VietnamRef.Id, VietnamShelterRef.Id, CambodiaRef.Id);
        state.RecordConsent(Thailand, ConsentPurpose.Return, null, true, ConsentMethod.Written, _now);
        state.RecordConsent(Thailand, ConsentPurpose.Services, null, true, ConsentMethod.Written, _now);

        AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => state.Offer(Thailand, Guid.NewGuid(), VietnamRef, HandoffKind.Service, [ServiceKind.Shelter], null, _now.AddDays(1), null, _now));
        AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => state.Offer(Thailand, Guid.NewGuid(), VietnamShelterRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now));
        AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => state.Offer(Thailand, Guid.NewGuid(), CambodiaRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now));

        var offer = state.Offer(Thailand, Guid.NewGuid(), VietnamRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now);
        Assert.True(offer.CrossBorder);
        Assert.Equal(Stage.RepatriationRequested, state.Stage);
    }

    [Fact]
    public void A_shelter_cannot_hand_across_a_border()
    {
        var state = Consented(Identified(), ThaiShelterRef.Id, VietnamRef.Id);
        state.RecordConsent(Thailand, ConsentPurpose.Return, null, true, ConsentMethod.Written, _now);
        var offer = state.Offer(Thailand, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now);
        state.Accept(ThaiShelter, offer.HandoffId, _now);

        AssertRefused(ProblemKind.HandoffRouteNotAllowed, state, () => state.Offer(ThaiShelter, Guid.NewGuid(), VietnamRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now));
    }

    [Fact]
    public void Sharing_needs_a_consent_or_an_override_with_the_permission_and_a_reason()
    {
        var state = Identified();
        state.RecordConsent(Thailand, ConsentPurpose.Services, null, true, ConsentMethod.Verbal, _now);
        var overrider = Thailand with { Scopes = [.. Fp, Scopes.ConsentOverride] };

        AssertRefused(ProblemKind.ConsentRequired, state, () => state.Offer(Thailand, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Service, [ServiceKind.Shelter], null, _now.AddDays(1), "urgent", _now));
        AssertRefused(ProblemKind.ConsentRequired, state, () => state.Offer(overrider, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Service, [ServiceKind.Shelter], null, _now.AddDays(1), null, _now));
        var offered = state.Offer(overrider, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Service, [ServiceKind.Shelter], null, _now.AddDays(1), "Medical emergency; the person is unconscious.", _now);

        Assert.True(offered.ConsentOverridden);
        Assert.Equal("Medical emergency; the person is unconscious.", state.Handoffs.Single().ConsentOverrideReason);
    }

    [Fact]
    public void A_withdrawn_consent_no_longer_covers_and_return_consent_is_never_overridden()
    {
        var state = Consented(Identified(), VietnamRef.Id);
        state.RecordConsent(Thailand, ConsentPurpose.Share, VietnamRef.Id, false, ConsentMethod.Verbal, _now);
        var overrider = Thailand with { Scopes = [.. Fp, Scopes.ConsentOverride] };

        Assert.False(state.HasConsent(ConsentPurpose.Share, VietnamRef.Id));
        AssertRefused(ProblemKind.ConsentRequired, state, () => state.Offer(overrider, Guid.NewGuid(), VietnamRef, HandoffKind.Custody, [], null, _now.AddDays(1), "policy", _now));
    }

    // ---- answering offers ----------------------------------------------------------------------

    [Fact]
    public void Only_the_target_accepts_or_declines_and_only_the_offering_holder_withdraws()
    {
        var state = Consented(Identified(), ThaiShelterRef.Id);
        var offer = state.Offer(Thailand, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now);

        AssertRefused(ProblemKind.Forbidden, state, () => state.Accept(Thailand, offer.HandoffId, _now));
        AssertRefused(ProblemKind.Forbidden, state, () => state.Decline(Vietnam, offer.HandoffId, "no", _now));
        AssertRefused(ProblemKind.Forbidden, state, () => state.Withdraw(ThaiShelter, offer.HandoffId, null, _now));

        state.Decline(ThaiShelter, offer.HandoffId, "Full tonight", _now);
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.Accept(ThaiShelter, offer.HandoffId, _now));
        Assert.Equal("th-focal-point", state.Holder);
        Assert.Equal("Full tonight", state.Handoffs.Single().Reason);
    }

    [Fact]
    public void A_declined_withdrawn_or_expired_repatriation_offer_returns_the_referral_to_protection()
    {
        foreach (var answer in new Action<ReferralState, Guid>[]
                 {
                     (s, id) => s.Decline(Vietnam, id, "Not our national", _now),
                     (s, id) => s.Withdraw(Thailand, id, null, _now),
                     (s, _) => s.ExpireDue(_now.AddDays(2)),
                 })
        {
            var state = Repatriating(out var offerId);
            Assert.Equal(Stage.RepatriationRequested, state.Stage);

            answer(state, offerId);

            Assert.Equal(Stage.InProtection, state.Stage);
            Assert.Empty(state.OpenHandoffs);
        }
    }

    [Fact]
    public void An_offer_expires_only_after_its_deadline_and_the_holder_is_told()
    {
        var state = Repatriating(out var offerId);

        Assert.Empty(state.ExpireDue(_now.AddHours(23)));
        var expired = Assert.Single(state.ExpireDue(_now.AddDays(1)));

        Assert.Equal(offerId, expired.HandoffId);
        Assert.Equal(["th-focal-point"], expired.ReportTo);
        Assert.Equal(HandoffStatus.Expired, state.Handoffs.Single().Status);
        Assert.Null(state.NextDeadline);
    }

    // ---- repatriation --------------------------------------------------------------------------

    [Fact]
    public void Only_the_origin_focal_point_verifies_nationality_after_accepting_and_a_rejection_needs_protection_again()
    {
        var state = Repatriating(out var offerId);
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.VerifyNationality(Vietnam, NationalityOutcome.Confirmed, null, _now));
        state.Accept(Vietnam, offerId, _now);

        AssertRefused(ProblemKind.Forbidden, state, () => state.VerifyNationality(Thailand, NationalityOutcome.Confirmed, null, _now));
        Assert.Equal("th-focal-point", state.Holder); // custody does not move on accepting a repatriation
        Assert.Contains("vn-focal-point", state.Participants);

        state.VerifyNationality(Vietnam, NationalityOutcome.Rejected, "Not found in the civil registry", _now);
        Assert.Equal(Stage.InProtection, state.Stage);
        Assert.Equal("Not found in the civil registry", state.ToView().NationalityRejectionReason); // the holder sees why
    }

    [Fact]
    public void The_return_completes_only_when_both_sides_confirm_and_only_then_custody_moves()
    {
        var state = Repatriating(out var offerId);
        state.Accept(Vietnam, offerId, _now);
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.PlanReturn(Thailand, TravelDocument.EmergencyTravelDocument, new DateOnly(2026, 12, 1), "Moc Bai", null, _now));
        state.VerifyNationality(Vietnam, NationalityOutcome.Confirmed, null, _now);
        state.PlanReturn(Thailand, TravelDocument.EmergencyTravelDocument, new DateOnly(2026, 12, 1), "Moc Bai", "IOM escort", _now);

        var sending = state.ConfirmReturn(Thailand, _now, _now);
        Assert.False(sending.Completed);
        Assert.Equal("th-focal-point", state.Holder);
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.ConfirmReturn(Thailand, _now, _now));

        var receiving = state.ConfirmReturn(Vietnam, _now, _now);
        Assert.True(receiving.Completed);
        Assert.Equal(Stage.Returned, state.Stage);
        Assert.Equal("vn-focal-point", state.Holder);
        Assert.Contains("th-focal-point", state.Participants);
    }

    [Fact]
    public void After_return_an_accepted_service_handoff_starts_reintegration_and_the_provider_records_services()
    {
        var state = Returned();
        state.RecordConsent(Vietnam, ConsentPurpose.Services, null, true, ConsentMethod.Written, _now);
        state.RecordConsent(Vietnam, ConsentPurpose.Share, VietnamNgoRef.Id, true, ConsentMethod.Written, _now);
        var offer = state.Offer(Vietnam, Guid.NewGuid(), VietnamNgoRef, HandoffKind.Service, [ServiceKind.Reintegration], null, _now.AddDays(1), null, _now);
        AssertRefused(ProblemKind.Forbidden, state, () => state.RecordService(VietnamNgo, ServiceKind.Reintegration, ServiceStatus.Started, null, _now));

        state.Accept(VietnamNgo, offer.HandoffId, _now);
        var recorded = state.RecordService(VietnamNgo, ServiceKind.Reintegration, ServiceStatus.Delivered, null, _now);

        Assert.Equal(Stage.Reintegration, state.Stage);
        Assert.Equal(["vn-focal-point"], recorded.ReportTo);
        AssertRefused(ProblemKind.Forbidden, state, () => state.RecordService(VietnamNgo, ServiceKind.Medical, ServiceStatus.Started, null, _now));
    }

    [Fact]
    public void A_closed_referral_refuses_every_change_and_the_loop_is_closed_with_those_who_handed_it_on()
    {
        var state = Returned();
        var closed = state.Close(Vietnam, ClosureReason.Reintegrated, _now).OfType<ReferralClosed>().Single();

        Assert.Equal(["th-focal-point"], closed.ReportTo);
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.Screen(Vietnam, ReferralRequests.Indicators(), _now));
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.RecordConsent(Vietnam, ConsentPurpose.Services, null, true, ConsentMethod.Verbal, _now));
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.Close(Vietnam, ClosureReason.Duplicate, _now));
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.RecordService(Vietnam, ServiceKind.Medical, ServiceStatus.Started, null, _now));
    }

    [Fact]
    public void Reintegrated_is_a_closure_reason_only_after_the_return_and_closing_withdraws_open_offers()
    {
        var state = Consented(Identified(), ThaiShelterRef.Id);
        state.Offer(Thailand, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now);

        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.Close(Thailand, ClosureReason.Reintegrated, _now));
        var events = state.Close(Thailand, ClosureReason.LocalIntegration, _now);

        Assert.IsType<HandoffWithdrawn>(events[0]);
        Assert.IsType<ReferralClosed>(events[1]);
        Assert.Empty(state.OpenHandoffs);
    }

    [Fact]
    public void Only_the_holder_records_consent_hands_on_and_closes()
    {
        var state = Consented(Identified(), ThaiShelterRef.Id);
        state.RecordConsent(Thailand, ConsentPurpose.Services, null, true, ConsentMethod.Verbal, _now);
        var offer = state.Offer(Thailand, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Service, [ServiceKind.Shelter], null, _now.AddDays(1), "x", _now);
        state.Accept(ThaiShelter, offer.HandoffId, _now);

        AssertRefused(ProblemKind.Forbidden, state, () => state.RecordConsent(ThaiShelter, ConsentPurpose.Return, null, true, ConsentMethod.Verbal, _now));
        AssertRefused(ProblemKind.Forbidden, state, () => state.Offer(ThaiShelter, Guid.NewGuid(), VietnamRef, HandoffKind.Custody, [], null, _now.AddDays(1), "x", _now));
        AssertRefused(ProblemKind.Forbidden, state, () => state.Close(ThaiShelter, ClosureReason.LostContact, _now));
        AssertRefused(ProblemKind.Forbidden, state, () => state.PlanReturn(ThaiShelter, TravelDocument.Passport, new DateOnly(2026, 12, 1), "Poipet", null, _now));
    }

    [Fact]
    public void The_return_steps_come_in_order()
    {
        var state = Repatriating(out var offerId);
        state.Accept(Vietnam, offerId, _now);

        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.ConfirmReturn(Thailand, _now, _now));
        state.VerifyNationality(Vietnam, NationalityOutcome.Confirmed, null, _now);
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.ConfirmReturn(Vietnam, _now, _now));
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.VerifyNationality(Vietnam, NationalityOutcome.Confirmed, null, _now));
        AssertRefused(ProblemKind.Forbidden, state, () => state.PlanReturn(Cambodia, TravelDocument.Passport, new DateOnly(2026, 12, 1), "Poipet", null, _now));
    }

    [Fact]
    public void A_second_custody_offer_waits_for_the_first_to_be_answered()
    {
        var state = Repatriating(out _);
        Consented(state, ThaiShelterRef.Id);

        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.Offer(Thailand, Guid.NewGuid(), ThaiShelterRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now));
        AssertRefused(ProblemKind.TransitionNotAllowed, state, () => state.Offer(Thailand, Guid.NewGuid(), VietnamRef, HandoffKind.Custody, [], null, _now.AddDays(1), null, _now));
    }

    // ---- the subject compartment ---------------------------------------------------------------

    [Fact]
    public void A_participant_reads_the_subject_with_a_covering_consent_or_for_three_hours_after_breaking_the_glass()
    {
        var state = Repatriating(out var offerId, shareWithVietnam: false, overrideReason: "Nationality check needs the identity");
        state.Accept(Vietnam, offerId, _now);
        Assert.False(state.MayReadSubject(Vietnam, _now));

        var opened = state.OpenEmergencyAccess(Vietnam, "Family reports threats; identity needed now", _now);

        Assert.Equal(_now.AddHours(3), opened.Until);
        Assert.True(state.MayReadSubject(Vietnam, _now.AddHours(2).AddMinutes(59)));
        Assert.False(state.MayReadSubject(Vietnam, _now.AddHours(3)));
        Assert.False(state.MayReadSubject(Cambodia, _now));
        AssertRefused(ProblemKind.Forbidden, state, () => state.OpenEmergencyAccess(Thailand, "holder", _now));

        state.RecordConsent(Thailand, ConsentPurpose.Share, VietnamRef.Id, true, ConsentMethod.Written, _now);
        Assert.True(state.MayReadSubject(Vietnam, _now.AddDays(10)));
    }

    // ---- builders ------------------------------------------------------------------------------

    private ReferralState Identified(DateOnly? dateOfBirth = null)
    {
        var state = new ReferralState();
        var request = ReferralRequests.VietnameseWoman();
        if (dateOfBirth is { } born)
        {
            request = request with { Subject = request.Subject! with { DateOfBirth = born }, IdentifiedAt = _now };
        }

        state.Identify(Guid.NewGuid(), Thailand, ReferralCommand.Create.From(request, Thailand, DateTimeOffset.UtcNow), _now);
        return state;
    }

    private ReferralState Consented(ReferralState state, params string[] shareWith)
    {
        foreach (var organization in shareWith)
        {
            state.RecordConsent(state.Holder == Thailand.OrganizationId ? Thailand : Vietnam, ConsentPurpose.Share, organization, true, ConsentMethod.Written, _now);
        }

        return state;
    }

    private ReferralState Repatriating(out Guid offerId, bool shareWithVietnam = true, string? overrideReason = null)
    {
        var state = Identified();
        if (shareWithVietnam)
        {
            Consented(state, VietnamRef.Id);
        }

        state.RecordConsent(Thailand, ConsentPurpose.Return, null, true, ConsentMethod.Written, _now);
        var caller = overrideReason is null ? Thailand : Thailand with { Scopes = [.. Fp, Scopes.ConsentOverride] };
        offerId = state.Offer(caller, Guid.NewGuid(), VietnamRef, HandoffKind.Custody, [], null, _now.AddDays(1), overrideReason, _now).HandoffId;
        return state;
    }

    private ReferralState Returned()
    {
        var state = Repatriating(out var offerId);
        state.Accept(Vietnam, offerId, _now);
        state.VerifyNationality(Vietnam, NationalityOutcome.Confirmed, null, _now);
        state.PlanReturn(Vietnam, TravelDocument.EmergencyTravelDocument, new DateOnly(2026, 12, 1), "Moc Bai", null, _now);
        state.ConfirmReturn(Thailand, _now, _now);
        state.ConfirmReturn(Vietnam, _now, _now);
        return state;
    }

    /// <summary>Refused with the kind named, and nothing changed: no event, the same stage.</summary>
    private static void AssertRefused(ProblemKind kind, ReferralState state, Action act)
    {
        var version = state.Version;
        var stage = state.Stage;
        var holder = state.Holder;

        var refused = Assert.Throws<ProblemException>(act);

        Assert.Equal(kind, refused.Kind);
        Assert.Equal(version, state.Version);
        Assert.Equal(stage, state.Stage);
        Assert.Equal(holder, state.Holder);
    }
}
