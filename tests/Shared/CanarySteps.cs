using System.Net;
using System.Net.Http.Json;
using System.Text;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using static ReferralNetwork.Testing.CanaryWalk;

namespace ReferralNetwork.Testing;

/// <summary>The whole workflow of one referral, with a canary in every field of the API that takes free text.</summary>
public static class CanarySteps
{
    /// <summary>
    /// THE EXTENSION POINT. The walk, in order; every step puts its canaries through the API and asserts that the
    /// platform took them. A feature that adds a free-text field (documents, subject corrections, ...) adds a
    /// step here, before "close", making its canaries with <c>walk.Canaries.Add(field, label)</c>. The unit
    /// tests walk it in process (embedded profile), the end-to-end tests on a production cluster.
    /// </summary>
    public static readonly IReadOnlyList<CanaryStep> All =
    [
        new("webhooks: each organization of the walk subscribes, with a description and a token in its URL", async walk =>
        {
            // Nothing listens on port 9: every delivery fails and is retried, so the deliveries and their log stay
            // in the database for the search, which must find no canary in them (events carry no personal data).
            var description = walk.Canaries.Add("webhook.description", "hookdescription", "for the case worker of the woman from Nghe An");
            var urlToken = walk.Canaries.Add("webhook.urlToken", "hookurl");
            foreach (var organization in new[] { ThaiFocalPoint, ThaiShelter, VietFocalPoint, VietNgo })
            {
                var client = await walk.AsAsync(organization);
                using var response = await client.PostAsJsonAsync(
                    "/api/v1/webhooks", new WebhookRequest($"http://127.0.0.1:9/{urlToken.Value}", ["*"], description.Value), Json.Options);
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"{organization} subscribes: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }),

        new("create: names, date of birth, summary with a document number and a phone number", async walk =>
        {
            var c = walk.Canaries;
            await walk.CreateAsync(ThaiFocalPoint, new CreateReferralRequest(
                new SubjectInput(c.GivenName.Value, c.FamilyName.Value, Sex.Female, c.DateOfBirth, "VN", ["vi"]),
                "TH",
                DateTimeOffset.UtcNow.AddHours(-2),
                [ExploitationForm.ForcedCriminality],
                c.Summary.Value));
        }),

        new("screen", async walk =>
            await walk.PostAsync(ThaiFocalPoint, "/screening",
                new ScreeningRequest(["recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"]), HttpStatusCode.OK)),

        new("consents: services, return, sharing with Viet Nam's focal point and the reintegration NGO", async walk =>
        {
            // No consent to share with the Bangkok shelter: offers to it need the override, with its reason.
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written));
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Share, VietFocalPoint, true, ConsentMethod.Written));
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Share, VietNgo, true, ConsentMethod.Written));
        }),

        new("service offer to a Thai shelter, with message and consent override, declined with a reason", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(
                ThaiShelter, HandoffKind.Service, [ServiceKind.Shelter], c.HandoffMessage.Value, null, c.ConsentOverrideReason.Value));
            await walk.PostAsync(ThaiShelter, $"/handoffs/{offer.Id}/decline", new ReasonRequest(c.DeclineReason.Value), HttpStatusCode.NoContent);
        }),

        new("service offer to a Thai shelter withdrawn with a reason", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(
                ThaiShelter, HandoffKind.Service, [ServiceKind.Shelter], c.HandoffMessage.Value, null, c.ConsentOverrideReason.Value));
            var r = await walk.ChangeAsync(ThaiFocalPoint, $"/handoffs/{offer.Id}/withdraw", new ReasonRequest(c.WithdrawReason.Value));
            Assert.Equal(HandoffStatus.Withdrawn, r.Handoffs.Single(h => h.Id == offer.Id).Status);
        }),

        new("repatriation offer with a message, accepted; nationality rejected with a reason", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(VietFocalPoint, HandoffKind.Custody, null, c.HandoffMessage.Value, null, null));
            await walk.ChangeAsync(VietFocalPoint, $"/handoffs/{offer.Id}/accept", null);
            var r = await walk.ChangeAsync(VietFocalPoint, "/nationality-verification",
                new NationalityVerificationRequest(NationalityOutcome.Rejected, c.NationalityRejectionReason.Value));
            Assert.Equal((Stage.InProtection, c.NationalityRejectionReason.Value), (r.Stage, r.NationalityRejectionReason));
        }),

        new("second repatriation offer accepted; nationality confirmed", async walk =>
        {
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(VietFocalPoint, HandoffKind.Custody, null, walk.Canaries.HandoffMessage.Value, null, null));
            await walk.ChangeAsync(VietFocalPoint, $"/handoffs/{offer.Id}/accept", null);
            var r = await walk.ChangeAsync(VietFocalPoint, "/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null));
            Assert.Equal(Stage.NationalityVerified, r.Stage);
        }),

        new("return planned with an escort, confirmed by both sides", async walk =>
        {
            // The crossing point is free text too, but the design publishes it in ReturnPlanned: no canary there.
            await walk.ChangeAsync(ThaiFocalPoint, "/return-plan", new ReturnPlanRequest(
                TravelDocument.EmergencyTravelDocument, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14), "Moc Bai", walk.Canaries.Escort.Value));
            await walk.ChangeAsync(ThaiFocalPoint, "/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow));
            var r = await walk.ChangeAsync(VietFocalPoint, "/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow));
            Assert.Equal((Stage.Returned, VietFocalPoint), (r.Stage, r.Holder));
        }),

        new("reintegration handoff accepted; service recorded with a note", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(VietFocalPoint, new HandoffRequest(VietNgo, HandoffKind.Service, [ServiceKind.Reintegration], c.HandoffMessage.Value, null, null));
            await walk.ChangeAsync(VietNgo, $"/handoffs/{offer.Id}/accept", null);
            var r = await walk.ChangeAsync(VietNgo, "/services", new ServiceRequest(ServiceKind.Reintegration, ServiceStatus.Delivered, c.ServiceNote.Value));
            Assert.Equal(Stage.Reintegration, r.Stage);
        }),

        new("break the glass: Thailand's focal point, a participant without share consent, opens the subject with a reason", async walk =>
        {
            await walk.ChangeAsync(ThaiFocalPoint, "/subject/emergency-access", new EmergencyAccessRequest(walk.Canaries.EmergencyAccessReason.Value));
            var (_, subject) = await walk.ReadSubjectAsync(ThaiFocalPoint);
            Assert.Equal(walk.Canaries.GivenName.Value, subject.GivenName);
        }),

        new("subject read by the holder, with a reason", async walk =>
        {
            var c = walk.Canaries;
            var (body, subject) = await walk.ReadSubjectAsync(VietFocalPoint, c.SubjectReadReason.Value);
            Assert.Equal((c.GivenName.Value, c.FamilyName.Value, c.DateOfBirth, c.Summary.Value), (subject.GivenName, subject.FamilyName, subject.DateOfBirth, subject.Summary));

            // A control in place: what the platform itself answers is found by the search, in the platform's own
            // JSON, so the spellings searched for are the ones it produces.
            var control = new CanarySearch(c.All);
            control.AddText("control", "GET subject", body);
            var found = control.Hits.Select(h => h.Canary).ToHashSet();
            foreach (var expected in new[] { c.GivenName, c.FamilyName, c.Summary, c.DocumentNumber, c.PhoneNumber })
            {
                Assert.True(found.Contains(expected.Name), $"the search does not find {expected.Name} in the platform's answer: {body}");
            }

            Assert.Contains(control.Hits, h => h.Canary == "subject.dateOfBirth" && h.Needle == "1953-07-29");
        }),

        new("the holder corrects the subject: a new family name and a summary that quotes her", async walk =>
        {
            var c = walk.Canaries;
            var familyName = c.Add("subject.correctedFamilyName", "correctedfamily");
            var summary = c.Add("subject.correctedSummary", "correctedsummary", "she gave her mother's village as");
            using var response = await (await walk.AsAsync(VietFocalPoint)).PutAsJsonAsync($"{walk.Path}/subject", new SubjectCorrectionRequest(
                c.GivenName.Value, familyName.Value, Sex.Female, c.DateOfBirth, "VN", ["vi"], summary.Value), Json.Options);
            Assert.True(response.IsSuccessStatusCode, $"PUT subject answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var (_, subject) = await walk.ReadSubjectAsync(VietFocalPoint);
            Assert.Equal((familyName.Value, summary.Value), (subject.FamilyName, subject.Summary));
        }),

        new("a passport scan whose bytes carry a document number is added and read back", async walk =>
        {
            var number = walk.Canaries.Add("documents.passportNumber", "passportnumber");
            byte[] scan = [0xFF, 0xD8, 0xFF, 0xE0, .. Encoding.UTF8.GetBytes($"JFIF passport {number.Value}")];
            var client = await walk.AsAsync(VietFocalPoint);
            using var added = await client.PostAsync($"{walk.Path}/subject/documents?kind=passport-scan", new ByteArrayContent(scan));
            var document = await PartnerApi.ReadAsync<DocumentView>(added);
            using var read = await client.GetAsync($"{walk.Path}/subject/documents/{document.Id}?purpose=nationality-verification");
            Assert.Equal(scan, await read.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/jpeg", read.Content.Headers.ContentType?.MediaType);
        }),

        // Later features add their steps here.

        new("close", async walk =>
        {
            var r = await walk.ChangeAsync(VietFocalPoint, "/close", new CloseRequest(ClosureReason.Reintegrated));
            Assert.Equal(Stage.Closed, r.Stage);
        }),
    ];
}
