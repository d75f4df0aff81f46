using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ReferralNetwork.Client;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;
using StandardWebhooks;

namespace ReferralNetwork.Tests.Partners;

/// <summary>
/// The typed client (clients/ReferralNetwork.Client) against the real embedded platform: retries that never apply a
/// change twice, refusals as typed problems with their code, tokens reused and renewed, webhook deliveries verified,
/// and values a later platform may add read instead of refused.
/// </summary>
public sealed class ClientTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    private static bool IsCreate(HttpRequestMessage r) => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath == "/api/v1/referrals";

    private static bool IsConsent(HttpRequestMessage r) => r.RequestUri!.AbsolutePath.EndsWith("/consents", StringComparison.Ordinal);

    private UnreliableNetwork Network(Func<HttpRequestMessage, bool>? losing = null) => new(Factory.Server.CreateHandler(), losing);

    private static ReferralNetworkClient ClientOf(string organizationId, HttpMessageHandler network, TimeProvider? time = null, string secret = PlatformFactory.DemoSecret) =>
        ReferralNetworkClient.Create(
            new ReferralNetworkClientOptions
            {
                BaseAddress = new Uri(PlatformFactory.Issuer),
                ClientId = organizationId,
                ClientSecret = secret,
                RetryDelay = TimeSpan.FromMilliseconds(10),
                TimeProvider = time ?? TimeProvider.System,
            },
            network);

    [Fact]
    public async Task A_batch_whose_answer_was_lost_is_retried_and_makes_each_referral_once()
    {
        var network = Network(losing: r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath == "/api/v1/referrals/batch");
        using var client = ClientOf("th-focal-point", network);
        var items = Enumerable.Range(0, 3).Select(i => new ReferralBatchItem($"case-{Guid.NewGuid():N}", ReferralRequests.VietnameseWoman())).ToList();

        var answer = await client.CreateReferralBatchAsync(items);

        Assert.Equal(2, network.Sent.Count(s => s.Path == "/api/v1/referrals/batch"));
        var madeByFirst = JsonSerializer.Deserialize<ReferralBatchResult>(Assert.Single(network.LostAnswers), ClientJson.Options)!;
        Assert.All(madeByFirst.Items, r => Assert.Equal(BatchItemStatus.Created, r.Status));
        Assert.All(answer.Items, r => Assert.Equal(BatchItemStatus.AlreadyExists, r.Status));
        Assert.Equal(madeByFirst.Items.Select(r => r.Id), answer.Items.Select(r => r.Id));
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_retried_and_makes_one_referral()
    {
        var network = Network(losing: IsCreate);
        using var client = ClientOf("th-focal-point", network);

        var referral = await client.CreateReferralAsync(ReferralRequests.VietnameseWoman());
        var history = await client.GetHistoryAsync(referral.Id);

        var attempts = network.Sent.Where(s => s.Path == "/api/v1/referrals").ToList();
        Assert.Equal(2, attempts.Count); // both reached the platform; the first was applied, its answer lost
        Assert.NotNull(attempts[0].IdempotencyKey);
        Assert.Equal(attempts[0].IdempotencyKey, attempts[1].IdempotencyKey);
        var madeByFirst = JsonSerializer.Deserialize<ReferralView>(Assert.Single(network.LostAnswers), ClientJson.Options)!;
        Assert.Equal(madeByFirst.Id, referral.Id);
        Assert.Equal(1, referral.Version);
        Assert.Equal(nameof(ReferralIdentified), Assert.Single(history).Type);
    }

    [Fact]
    public async Task A_change_without_If_Match_is_never_sent_twice()
    {
        var network = Network(losing: IsConsent);
        using var client = ClientOf("th-focal-point", network);
        var referral = await client.CreateReferralAsync(ReferralRequests.VietnameseWoman());

        await Assert.ThrowsAsync<HttpRequestException>(() => client.RecordConsentAsync(
            referral.Id, new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Verbal), expectedVersion: null));

        Assert.Single(network.Sent, s => s.Path.EndsWith("/consents", StringComparison.Ordinal));
        Assert.Equal(2, (await client.GetReferralAsync(referral.Id)).Version); // applied once, by the one attempt
    }

    [Fact]
    public async Task A_change_with_If_Match_is_retried_and_applied_once_the_repeat_refused_as_stale()
    {
        var network = Network(losing: IsConsent);
        using var client = ClientOf("th-focal-point", network);
        var referral = await client.CreateReferralAsync(ReferralRequests.VietnameseWoman());

        var refused = await Assert.ThrowsAsync<PreconditionFailedProblemException>(() => client.RecordConsentAsync(
            referral.Id, new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Verbal), expectedVersion: referral.Version));

        var attempts = network.Sent.Where(s => s.Path.EndsWith("/consents", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("\"1\"", a.IfMatch));
        Assert.Equal("stale", refused.Code);
        var after = await client.GetReferralAsync(referral.Id);
        Assert.Equal(2, after.Version);
        Assert.Single(after.Consents);
    }

    [Fact]
    public async Task A_stale_If_Match_is_a_typed_problem_with_its_code_and_nothing_changes()
    {
        var network = Network();
        using var client = ClientOf("th-focal-point", network);
        var referral = await client.CreateReferralAsync(ReferralRequests.VietnameseWoman());
        var screened = await client.ScreenAsync(referral.Id, new ScreeningRequest([]), expectedVersion: referral.Version);

        var problem = await Assert.ThrowsAsync<PreconditionFailedProblemException>(() => client.RecordConsentAsync(
            referral.Id, new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written), expectedVersion: referral.Version));

        Assert.Equal(2, screened.Version);
        Assert.Equal(HttpStatusCode.PreconditionFailed, problem.Status);
        Assert.Equal("urn:referral-network:problem:precondition-failed", problem.Type);
        Assert.Equal("precondition-failed", problem.Kind);
        Assert.Equal("stale", problem.Code);
        Assert.False(string.IsNullOrWhiteSpace(problem.Title));
        Assert.Contains("version 1", problem.Detail, StringComparison.Ordinal);
        Assert.NotNull(problem.TraceId);
        Assert.Single(network.Sent, s => s.Path.EndsWith("/consents", StringComparison.Ordinal)); // a 412 is an answer, not retried
        var after = await client.GetReferralAsync(referral.Id);
        Assert.Equal(2, after.Version);
        Assert.Empty(after.Consents);
    }

    [Fact]
    public async Task Refusals_are_typed_problems_with_their_code_and_field_errors()
    {
        using var client = ClientOf("th-focal-point", Network());
        var referral = await client.CreateReferralAsync(ReferralRequests.VietnameseWoman());

        var toSelf = await Assert.ThrowsAsync<ValidationProblemException>(() => client.OfferHandoffAsync(
            referral.Id, new HandoffRequest("th-focal-point", HandoffKind.Custody, [], null, null, null), referral.Version));
        var incomplete = await Assert.ThrowsAsync<ValidationProblemException>(() => client.CreateReferralAsync(
            new CreateReferralRequest(null, "TH", null, [ExploitationForm.ForcedCriminality], null)));
        using var cambodia = ClientOf("kh-focal-point", Network());
        var hidden = await Assert.ThrowsAsync<NotFoundProblemException>(() => cambodia.GetReferralAsync(referral.Id));
        using var impostor = ClientOf("th-focal-point", Network(), secret: "not-the-secret");
        var wrongSecret = await Assert.ThrowsAnyAsync<ApiProblemException>(() => impostor.GetInboxAsync());

        Assert.Equal("handoff-to-self", toSelf.Code);
        Assert.Equal(new[] { "toOrganizationId" }, toSelf.Errors.Keys);
        Assert.Equal("validation", incomplete.Kind);
        Assert.Equal(new[] { "identifiedAt", "subject" }, incomplete.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(incomplete.Errors.Values, messages => Assert.NotEmpty(messages));
        Assert.Equal(("not-found", HttpStatusCode.NotFound), (hidden.Code, hidden.Status));
        Assert.Equal("invalid_client", wrongSecret.Code);
    }

    [Fact]
    public async Task A_token_is_reused_and_renewed_a_minute_before_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var network = Network();
        using var client = ClientOf("la-focal-point", network, clock);

        await client.GetInboxAsync();
        await client.GetOrganizationsAsync(country: "LA");
        var lifetime = TimeSpan.FromSeconds(Assert.Single(network.TokensIssued));
        clock.Advance(lifetime - TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(5));
        await client.GetInboxAsync();
        var beforeRenewal = network.TokensIssued.Count;
        clock.Advance(TimeSpan.FromSeconds(10));
        await client.GetInboxAsync();
        await client.GetInboxAsync();

        Assert.Equal(1, beforeRenewal);
        Assert.Equal(2, network.TokensIssued.Count);
        Assert.Equal(5, network.Sent.Count);
    }

    [Fact]
    public async Task The_verifier_accepts_a_real_delivery_and_refuses_a_tampered_or_replayed_one()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = ClientOf("la-focal-point", Network());
        var path = $"/client-{Guid.NewGuid():N}";
        var subscription = await client.SubscribeAsync(new WebhookRequest(receiver.BaseUrl + path, ["webhook-disabled"]));
        try
        {
            await client.SendTestWebhookAsync(subscription.Id);
            var delivery = Assert.Single(await Eventually.Until(() => Task.FromResult(receiver.At(path)), r => r.Count > 0, TimeSpan.FromSeconds(60)));
            var body = System.Text.Encoding.UTF8.GetBytes(delivery.Body);
            var secret = subscription.Secret!;
            var verifier = new WebhookVerifier(secret);

            var message = verifier.Verify(delivery.Id, delivery.Timestamp, delivery.Signature, body);

            Assert.Equal(delivery.Id, message.WebhookId);
            Assert.Equal("webhook-test", message.Type);
            Assert.True(message.TryGetEvent<WebhookTest>(out var test));
            Assert.Equal((subscription.Id, "la-focal-point"), (test!.SubscriptionId, test.OrganizationId));

            // Changed on the way, signed with another secret, or an old delivery played again: refused.
            var tampered = System.Text.Encoding.UTF8.GetBytes(delivery.Body.Replace("la-focal-point", "kh-focal-point", StringComparison.Ordinal));
            Assert.NotEqual(body, tampered);
            Assert.Throws<WebhookVerificationException>(() => verifier.Verify(delivery.Id, delivery.Timestamp, delivery.Signature, tampered));
            Assert.Throws<WebhookVerificationException>(() => verifier.Verify("msg_other", delivery.Timestamp, delivery.Signature, body));
            var otherSecret = "whsec_" + Convert.ToBase64String(new byte[32]);
            Assert.Throws<WebhookVerificationException>(() => new WebhookVerifier(otherSecret).Verify(delivery.Id, delivery.Timestamp, delivery.Signature, body));
            var sentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(delivery.Timestamp, System.Globalization.CultureInfo.InvariantCulture));
            var later = new WebhookVerifier(secret, time: new FakeTimeProvider(sentAt.AddMinutes(6)));
            Assert.Throws<WebhookVerificationException>(() => later.Verify(delivery.Id, delivery.Timestamp, delivery.Signature, body));
            Assert.True(new WebhookVerifier(secret, time: new FakeTimeProvider(sentAt.AddMinutes(4))).IsValid(delivery.Id, delivery.Timestamp, delivery.Signature, body));
            Assert.False(verifier.IsValid(delivery.Id, delivery.Timestamp, null, body));

            // Several signatures (a rotation): any one that matches any secret held passes.
            Assert.True(verifier.IsValid(delivery.Id, delivery.Timestamp, $"v1,{Convert.ToBase64String(new byte[32])} {delivery.Signature}", body));
            Assert.True(new WebhookVerifier([otherSecret, secret]).IsValid(delivery.Id, delivery.Timestamp, delivery.Signature, body));
            Assert.False(verifier.IsValid(delivery.Id, delivery.Timestamp, delivery.Signature.Replace("v1,", "v2,", StringComparison.Ordinal), body));
        }
        finally
        {
            await client.DeleteWebhookAsync(subscription.Id);
        }
    }

    [Fact]
    public void A_delivery_of_a_later_platform_with_an_event_type_and_values_this_client_does_not_know_is_read()
    {
        var secret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var now = DateTimeOffset.UtcNow;
        var offer = JsonSerializer.SerializeToNode(new HandoffOffered(
            Guid.NewGuid(), 5, now, "th-focal-point", ["TH"], Stage.Screened, "th-focal-point", Guid.NewGuid(), HandoffKind.Custody,
            "th-focal-point", "th-shelter-bangkok", [ServiceKind.Shelter, ServiceKind.Medical], now.AddDays(2), false, ScreeningOutcome.PresumedVictim, false),
            Json.Options)!.AsObject();
        offer["stage"] = "in-aftercare"; // a stage, a service and a field that v1 may add without notice
        offer["services"]![1] = "animal-assisted-therapy";
        offer["escortRequired"] = true;
        var known = Deliver(secret, "handoff-offered", offer);
        var unknown = Deliver(secret, "referral-transferred-abroad", new JsonObject { ["referralId"] = Guid.NewGuid(), ["stage"] = "in-aftercare" });
        var verifier = new WebhookVerifier(secret);

        var read = verifier.Verify(known.Id, known.Timestamp, known.Signature, known.Body);
        var future = verifier.Verify(unknown.Id, unknown.Timestamp, unknown.Signature, unknown.Body);

        Assert.True(read.TryGetEvent<HandoffOffered>(out var offered));
        Assert.False(ContractEnums.IsKnown(offered!.Stage));
        Assert.Equal(ContractEnums.Unknown<Stage>(), offered.Stage);
        Assert.Equal(ServiceKind.Shelter, offered.Services[0]);
        Assert.False(ContractEnums.IsKnown(offered.Services[1]));
        Assert.Equal((HandoffKind.Custody, "th-shelter-bangkok", ScreeningOutcome.PresumedVictim), (offered.Kind, offered.ToOrganizationId, offered.ScreeningOutcome));
        Assert.Equal("referral-transferred-abroad", future.Type);
        Assert.Null(future.Event);
        Assert.Equal("in-aftercare", future.Data.GetProperty("stage").GetString());

        // The platform's own strict reading refuses the same stage; the client never sends a value it cannot name.
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<HandoffOffered>(offer.ToJsonString(), Json.Options));
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(new CloseRequest(ContractEnums.Unknown<ClosureReason>()), ClientJson.Options));
    }

    [Fact]
    public async Task A_referral_with_a_stage_this_client_does_not_know_reads_and_known_values_read_as_the_platform_wrote_them()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        var created = await ReferralRequests.CreateAsync(thailand);
        var json = JsonNode.Parse(await thailand.GetStringAsync($"/api/v1/referrals/{created.Id}"))!.AsObject();

        var asSent = JsonSerializer.Deserialize<ReferralView>(json.ToJsonString(), ClientJson.Options)!;
        json["stage"] = "awaiting-tribunal";
        json["ageBand"] = "18-24";
        var later = JsonSerializer.Deserialize<ReferralView>(json.ToJsonString(), ClientJson.Options)!;

        Assert.Equal((created.Id, created.Stage, created.AgeBand, created.Sex), (asSent.Id, asSent.Stage, asSent.AgeBand, asSent.Sex));
        Assert.Equal(created.Exploitation, asSent.Exploitation);
        Assert.False(ContractEnums.IsKnown(later.Stage));
        Assert.Equal(AgeBand.From18To24, later.AgeBand);
        Assert.Equal(created.Id, later.Id);
    }

    /// <summary>A delivery as a platform signs it, signed here by an independent implementation of Standard Webhooks.</summary>
    private static (string Id, string Timestamp, string Signature, byte[] Body) Deliver(string secret, string type, JsonObject data)
    {
        var now = DateTimeOffset.UtcNow;
        var body = new JsonObject { ["type"] = type, ["timestamp"] = now, ["data"] = data }.ToJsonString();
        var id = $"msg_{Guid.NewGuid():N}";
        var signature = new StandardWebhook(secret).Sign(id, now, body);
        return (id, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), signature, System.Text.Encoding.UTF8.GetBytes(body));
    }
}
