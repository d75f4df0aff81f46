using System.Net;
using System.Net.Http.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>The workflow's refusals as partners meet them: status, stable problem type, and nothing changed.</summary>
public sealed class WorkflowApiTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Two_racing_accepts_of_one_offer_one_wins_the_other_gets_409()
    {
        using var holder = await Factory.ClientForAsync("kh-focal-point");
        using var shelter = await Factory.ClientForAsync("kh-shelter-phnom-penh");
        var referral = await ReferralRequests.CreateAsync(holder, ReferralRequests.VietnameseWoman("KH"));
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "kh-shelter-phnom-penh", true, ConsentMethod.Written));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest("kh-shelter-phnom-penh", HandoffKind.Custody, null, null, null, null)));

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => PartnerApi.PostAsync(shelter, $"{path}/handoffs/{offer.Id}/accept", null)));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        await Problem.AssertAsync(answers.Single(a => a.StatusCode == HttpStatusCode.Conflict), HttpStatusCode.Conflict, "transition-not-allowed");
        var after = await PartnerApi.GetReferralAsync(shelter, referral.Id);
        Assert.Equal("kh-shelter-phnom-penh", after!.Holder);
        Assert.Equal(4, after.Version);
    }

    [Fact]
    public async Task A_stale_if_match_is_412_and_changes_nothing()
    {
        using var holder = await Factory.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(holder);
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/screening", new ScreeningRequest([]), ifMatch: 1);

        using var stale = await PartnerApi.PostAsync(holder, $"{path}/screening", new ScreeningRequest(["forced-labour"]), ifMatch: 1);
        using var withoutIfMatch = await PartnerApi.PostAsync(holder, $"{path}/close", new CloseRequest(ClosureReason.Duplicate), ifMatch: null);

        var problem = await Problem.AssertAsync(stale, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal("stale", problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, withoutIfMatch.StatusCode); // without If-Match the change applies
        var after = await PartnerApi.GetReferralAsync(holder, referral.Id);
        Assert.Equal(ScreeningOutcome.NotAVictim, after!.Screening!.Outcome);
        Assert.Equal(3, after.Version);
    }

    [Fact]
    public async Task Refusals_name_their_rule_with_a_stable_type()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        var referral = await ReferralRequests.CreateAsync(thailand);
        var path = $"/api/v1/referrals/{referral.Id}";

        using var noConsent = await PartnerApi.PostAsync(thailand, $"{path}/handoffs", new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null));
        using var crossBorderService = await PartnerApi.PostAsync(thailand, $"{path}/handoffs", new HandoffRequest("vn-ngo-reintegration", HandoffKind.Service, [ServiceKind.Reintegration], null, null, "x"));
        using var unknownTarget = await PartnerApi.PostAsync(thailand, $"{path}/handoffs", new HandoffRequest("nobody", HandoffKind.Custody, null, null, null, null));
        using var badIndicator = await PartnerApi.PostAsync(thailand, $"{path}/screening", new ScreeningRequest(["forced-labour", "vibes"]));
        using var declineWithoutReason = await PartnerApi.PostAsync(shelter, $"{path}/handoffs/{Guid.NewGuid()}/decline", new ReasonRequest(null));
        using var rejectWithoutReason = await PartnerApi.PostAsync(thailand, $"{path}/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Rejected, null));
        using var earlyPlan = await PartnerApi.PostAsync(thailand, $"{path}/return-plan", new ReturnPlanRequest(TravelDocument.Passport, new DateOnly(2026, 12, 1), "Poipet", null));
        using var earlyVerification = await PartnerApi.PostAsync(thailand, $"{path}/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null));

        // Each refusal also names its stable reason, which clients (and the console, in six languages) explain it by.
        Assert.Equal("return-consent-required", (await Problem.AssertAsync(noConsent, HttpStatusCode.Conflict, "consent-required")).GetProperty("code").GetString());
        Assert.Equal("cross-border-route", (await Problem.AssertAsync(crossBorderService, HttpStatusCode.Conflict, "handoff-route-not-allowed")).GetProperty("code").GetString());
        Assert.Contains("toOrganizationId", Problem.ErrorFields(await Problem.AssertAsync(unknownTarget, HttpStatusCode.BadRequest, "validation")));
        Assert.Contains("indicators[1]", Problem.ErrorFields(await Problem.AssertAsync(badIndicator, HttpStatusCode.BadRequest, "validation")));
        Assert.Contains("reason", Problem.ErrorFields(await Problem.AssertAsync(declineWithoutReason, HttpStatusCode.BadRequest, "validation")));
        Assert.Contains("reason", Problem.ErrorFields(await Problem.AssertAsync(rejectWithoutReason, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal("return-plan-not-now", (await Problem.AssertAsync(earlyPlan, HttpStatusCode.Conflict, "transition-not-allowed")).GetProperty("code").GetString());
        Assert.Equal("only-origin-verifies", (await Problem.AssertAsync(earlyVerification, HttpStatusCode.Forbidden, "forbidden")).GetProperty("code").GetString()); // Thailand is not the origin focal point
        Assert.Equal(1, (await PartnerApi.GetReferralAsync(thailand, referral.Id))!.Version);
    }

    [Fact]
    public async Task Breaking_the_glass_opens_the_subject_to_a_participant_and_is_flagged_to_the_holder()
    {
        using var holder = await Factory.ClientForAsync("th-focal-point");
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        var referral = await ReferralRequests.CreateAsync(holder);
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Verbal));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(holder, $"{path}/handoffs",
            new HandoffRequest("th-shelter-bangkok", HandoffKind.Service, [ServiceKind.Medical], null, null, "Unconscious on arrival")));
        await PartnerApi.ChangeAsync(shelter, $"{path}/handoffs/{offer.Id}/accept", null);
        using (var before = await shelter.GetAsync($"{path}/subject?purpose=service-delivery"))
        {
            await Problem.AssertAsync(before, HttpStatusCode.NotFound, "not-found");
        }

        using var noReason = await PartnerApi.PostAsync(shelter, $"{path}/subject/emergency-access", new EmergencyAccessRequest(" "));
        var opened = await PartnerApi.ChangeAsync(shelter, $"{path}/subject/emergency-access", new EmergencyAccessRequest("Allergy check before surgery"));
        var subject = await shelter.GetFromJsonAsync<SubjectView>($"{path}/subject?purpose=emergency", PlatformFactory.JsonOptions);
        using var notTheHolders = await shelter.GetAsync($"{path}/access-log");
        var log = await holder.GetFromJsonAsync<List<AccessLogEntry>>($"{path}/access-log", PlatformFactory.JsonOptions);
        var holderView = await PartnerApi.GetReferralAsync(holder, referral.Id);
        var history = await holder.GetStringAsync($"{path}/history");

        Assert.Contains("reason", Problem.ErrorFields(await Problem.AssertAsync(noReason, HttpStatusCode.BadRequest, "validation")));
        var access = Assert.Single(opened.EmergencyAccess);
        Assert.Equal(TimeSpan.FromHours(3), access.Until - access.OpenedAt);
        Assert.Equal(ReferralRequests.GivenName, subject!.GivenName);
        var read = Assert.Single(log!);
        Assert.Equal(("th-shelter-bangkok", AccessPurpose.Emergency, true), (read.OrganizationId, read.Purpose, read.EmergencyAccess));
        await Problem.AssertAsync(notTheHolders, HttpStatusCode.Forbidden, "forbidden");
        Assert.Single(holderView!.EmergencyAccess, e => e.OrganizationId == "th-shelter-bangkok");
        Assert.Contains("EmergencyAccessOpened", history, StringComparison.Ordinal);
        Assert.DoesNotContain("Allergy check", history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_indicator_list_is_localized_with_an_english_fallback()
    {
        using var client = await Factory.ClientForAsync("vn-focal-point");

        var vietnamese = await client.GetFromJsonAsync<List<IndicatorView>>("/api/v1/indicators?lang=vi", PlatformFactory.JsonOptions);
        var unknown = await client.GetFromJsonAsync<List<IndicatorView>>("/api/v1/indicators?lang=xx", PlatformFactory.JsonOptions);

        Assert.Equal(IndicatorCatalog.All.Count, vietnamese!.Count);
        Assert.All(vietnamese, i => Assert.Equal("vi", i.Language));
        Assert.All(vietnamese, i => Assert.True(i.AwaitingReview));
        Assert.Contains(vietnamese, i => i.Code == "passport-confiscated" && i.Label.Contains("hộ chiếu", StringComparison.Ordinal) && i.Element == PalermoElement.Means);
        Assert.All(unknown!, i => Assert.Equal(("en", false), (i.Language, i.AwaitingReview)));
        foreach (var element in Enum.GetValues<PalermoElement>())
        {
            Assert.Contains(vietnamese, i => i.Element == element);
        }
    }
}
