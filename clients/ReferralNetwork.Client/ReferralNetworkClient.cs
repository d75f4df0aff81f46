using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Http.Resilience;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Client;

/// <summary>A value with the referral's version after it (its ETag), to name in If-Match next time.</summary>
public sealed record Versioned<T>(T Value, int Version);

/// <summary>
/// The partner API (v1) of the platform, typed with the contracts. Every refusal is an <see cref="ApiProblemException"/>;
/// changes take the <c>expectedVersion</c> of the referral as the caller last read it (sent as If-Match), which both
/// guards against overwriting someone else's change and makes the change safe to retry (see <see cref="SafeRetries"/>).
/// </summary>
public sealed class ReferralNetworkClient : IDisposable
{
    private const string Referrals = "api/v1/referrals";
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>For dependency injection (<see cref="ReferralNetworkServiceCollectionExtensions.AddReferralNetworkClient"/>): the HttpClient carries the handlers.</summary>
    public ReferralNetworkClient(HttpClient http) : this(http, ownsHttp: false)
    {
    }

    private ReferralNetworkClient(HttpClient http, bool ownsHttp)
    {
        _http = http;
        _ownsHttp = ownsHttp;
    }

    /// <summary>A client without dependency injection; <paramref name="transport"/> replaces the default socket handler (a proxy, a test server).</summary>
    public static ReferralNetworkClient Create(ReferralNetworkClientOptions options, HttpMessageHandler? transport = null)
    {
        options.Validate();
        var handler = new ResilienceHandler(SafeRetries.Pipeline(options))
        {
            InnerHandler = new AccessTokenHandler(new AccessTokens(options))
            {
                InnerHandler = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            },
        };
        return new ReferralNetworkClient(new HttpClient(handler) { BaseAddress = options.Root, Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true);
    }

    // ---- referrals ------------------------------------------------------------------------------

    /// <summary>
    /// Records a newly identified person. <paramref name="idempotencyKey"/> makes the create safe to send again: give the
    /// id of the case in your own system (never a name) so that a create repeated even after a restart answers the same
    /// referral. Without one, a key is made for this call, so that its own retries never make a second referral.
    /// </summary>
    public Task<ReferralView> CreateReferralAsync(CreateReferralRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        SendAsync<ReferralView>(HttpMethod.Post, Referrals, request, cancellationToken,
            r => r.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString("N")));

    /// <summary>
    /// Records up to 500 people in one call (a surge's intake), each under its own key: the id of the row or case in
    /// your own system, never a name. Every item is answered in the order sent: created, already-exists (with the id
    /// first created under its key) or refused with its problem. Safe to send again whole, so the client retries it.
    /// </summary>
    public Task<ReferralBatchResult> CreateReferralBatchAsync(IReadOnlyList<ReferralBatchItem> items, CancellationToken cancellationToken = default) =>
        SendAsync<ReferralBatchResult>(HttpMethod.Post, $"{Referrals}/batch", new CreateReferralBatchRequest(items), cancellationToken,
            r => r.Options.Set(SafeRetries.AppliedAtMostOnce, true));

    public Task<ReferralView> GetReferralAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<ReferralView>(HttpMethod.Get, $"{Referrals}/{id}", null, cancellationToken);

    /// <summary>Referrals the organization holds or participates in, newest change first, a page at a time.</summary>
    public Task<PagedList<ReferralSummary>> ListReferralsAsync(Stage? stage = null, int page = 1, CancellationToken cancellationToken = default) =>
        SendAsync<PagedList<ReferralSummary>>(HttpMethod.Get,
            $"{Referrals}?page={page.ToString(CultureInfo.InvariantCulture)}{(stage is { } s ? $"&stage={ClientJson.Name(s)}" : "")}", null, cancellationToken);

    /// <summary>The numbered history; each entry's <c>Event</c> is a JSON element (an event type added later reads like any other).</summary>
    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<HistoryEntry>>(HttpMethod.Get, $"{Referrals}/{id}/history", null, cancellationToken);

    /// <summary>
    /// The person's identity (scope <c>subject.read</c>); every read is in the holder's access log with its
    /// <paramref name="purpose"/>. The optional <paramref name="note"/> travels in a header, never in the URL.
    /// </summary>
    public Task<SubjectView> GetSubjectAsync(Guid id, AccessPurpose purpose, string? note = null, CancellationToken cancellationToken = default) =>
        SendAsync<SubjectView>(HttpMethod.Get, $"{Referrals}/{id}/subject?purpose={ClientJson.Name(purpose)}", null, cancellationToken,
            r =>
            {
                if (!string.IsNullOrEmpty(note))
                {
                    r.Headers.Add("Access-Note", Uri.EscapeDataString(note));
                }
            });

    // ---- workflow -------------------------------------------------------------------------------

    public async Task<Versioned<ScreeningResult>> ScreenAsync(Guid id, ScreeningRequest request, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{Referrals}/{id}/screening", request, cancellationToken, IfMatch(expectedVersion)).ConfigureAwait(false);
        var result = await ReadAsync<ScreeningResult>(response, cancellationToken).ConfigureAwait(false);
        return new Versioned<ScreeningResult>(result, VersionOf(response));
    }

    public Task<ReferralView> RecordConsentAsync(Guid id, ConsentRequest request, int? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, "consents", request, expectedVersion, cancellationToken);

    public Task<HandoffView> OfferHandoffAsync(Guid id, HandoffRequest request, int? expectedVersion, CancellationToken cancellationToken = default) =>
        SendAsync<HandoffView>(HttpMethod.Post, $"{Referrals}/{id}/handoffs", request, cancellationToken, IfMatch(expectedVersion));

    /// <summary>
    /// Accepts an offer made to the organization. The target cannot read the referral before it accepts, so the version
    /// is optional here; the answer is safe to retry anyway, as an offer is answered only once (a repeat is <c>409</c>
    /// <c>offer-not-open</c>).
    /// </summary>
    public Task<ReferralView> AcceptHandoffAsync(Guid id, Guid handoffId, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync<ReferralView>(HttpMethod.Post, $"{Referrals}/{id}/handoffs/{handoffId}/accept", new { }, cancellationToken, OfferAnswer(expectedVersion));

    /// <summary>Declines an offer made to the organization; the reason stays with the referral (it is never in an event or a webhook).</summary>
    public async Task DeclineHandoffAsync(Guid id, Guid handoffId, string reason, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"{Referrals}/{id}/handoffs/{handoffId}/decline", new ReasonRequest(reason), cancellationToken,
            OfferAnswer(expectedVersion)).ConfigureAwait(false);
    }

    public Task<ReferralView> WithdrawHandoffAsync(Guid id, Guid handoffId, string? reason, int? expectedVersion, CancellationToken cancellationToken = default) =>
        SendAsync<ReferralView>(HttpMethod.Post, $"{Referrals}/{id}/handoffs/{handoffId}/withdraw", new ReasonRequest(reason), cancellationToken,
            OfferAnswer(expectedVersion));

    public Task<ReferralView> VerifyNationalityAsync(Guid id, NationalityVerificationRequest request, int? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, "nationality-verification", request, expectedVersion, cancellationToken);

    public Task<ReferralView> PlanReturnAsync(Guid id, ReturnPlanRequest request, int? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, "return-plan", request, expectedVersion, cancellationToken);

    public Task<ReferralView> ConfirmReturnAsync(Guid id, ReturnConfirmationRequest request, int? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, "return-confirmation", request, expectedVersion, cancellationToken);

    public Task<ReferralView> RecordServiceAsync(Guid id, ServiceRequest request, int? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, "services", request, expectedVersion, cancellationToken);

    public Task<ReferralView> CloseAsync(Guid id, CloseRequest request, int? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, "close", request, expectedVersion, cancellationToken);

    /// <summary>Offers waiting for the organization's answer, oldest deadline first: what it needs to decide, nothing about the person.</summary>
    public Task<IReadOnlyList<InboxItem>> GetInboxAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<InboxItem>>(HttpMethod.Get, "api/v1/inbox", null, cancellationToken);

    // ---- directory ------------------------------------------------------------------------------

    public Task<IReadOnlyList<OrganizationView>> GetOrganizationsAsync(
        string? country = null, ServiceKind? service = null, bool availableOnly = false, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (country is not null)
        {
            query.Add($"country={Uri.EscapeDataString(country)}");
        }

        if (service is { } s)
        {
            query.Add($"service={ClientJson.Name(s)}");
        }

        if (availableOnly)
        {
            query.Add("available=true");
        }

        return SendAsync<IReadOnlyList<OrganizationView>>(
            HttpMethod.Get, $"api/v1/organizations{(query.Count > 0 ? "?" + string.Join('&', query) : "")}", null, cancellationToken);
    }

    /// <summary>Reports how much of one of the organization's own services is free (scope <c>directory.write</c>).</summary>
    public Task<ServiceOfferView> SetCapacityAsync(string organizationId, ServiceKind service, CapacityRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ServiceOfferView>(HttpMethod.Put,
            $"api/v1/organizations/{Uri.EscapeDataString(organizationId)}/services/{ClientJson.Name(service)}/capacity", request, cancellationToken);

    // ---- webhooks -------------------------------------------------------------------------------

    /// <summary>Subscribes (scope <c>webhooks.manage</c>). The answer's <c>Secret</c> is shown this once: keep it in a secret store.</summary>
    public Task<WebhookView> SubscribeAsync(WebhookRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookView>(HttpMethod.Post, "api/v1/webhooks", request, cancellationToken);

    public Task<IReadOnlyList<WebhookView>> GetWebhooksAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<WebhookView>>(HttpMethod.Get, "api/v1/webhooks", null, cancellationToken);

    public Task<WebhookView> GetWebhookAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookView>(HttpMethod.Get, $"api/v1/webhooks/{id}", null, cancellationToken);

    public async Task DeleteWebhookAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync(HttpMethod.Delete, $"api/v1/webhooks/{id}", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new secret, shown this once; deliveries are signed with the old one too for the overlap (24 hours by default).</summary>
    public Task<WebhookView> RotateWebhookSecretAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookView>(HttpMethod.Post, $"api/v1/webhooks/{id}/rotate-secret", null, cancellationToken);

    public Task<WebhookView> EnableWebhookAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookView>(HttpMethod.Post, $"api/v1/webhooks/{id}/enable", null, cancellationToken);

    /// <summary>Queues a <c>webhook-test</c> delivery to the subscription, to check a receiver and its signature check.</summary>
    public Task<WebhookDeliveryView> SendTestWebhookAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookDeliveryView>(HttpMethod.Post, $"api/v1/webhooks/{id}/test", null, cancellationToken);

    public Task<IReadOnlyList<WebhookDeliveryView>> GetWebhookDeliveriesAsync(Guid id, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<WebhookDeliveryView>>(HttpMethod.Get,
            $"api/v1/webhooks/{id}/deliveries{(limit is { } l ? $"?limit={l.ToString(CultureInfo.InvariantCulture)}" : "")}", null, cancellationToken);

    /// <summary>Sends a delivery again at once, with the same <c>webhook-id</c>.</summary>
    public Task<WebhookDeliveryView> ReplayWebhookDeliveryAsync(Guid id, Guid deliveryId, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookDeliveryView>(HttpMethod.Post, $"api/v1/webhooks/{id}/deliveries/{deliveryId}/replay", null, cancellationToken);

    // ---- plumbing -------------------------------------------------------------------------------

    private Task<ReferralView> ChangeAsync(Guid id, string action, object request, int? expectedVersion, CancellationToken cancellationToken) =>
        SendAsync<ReferralView>(HttpMethod.Post, $"{Referrals}/{id}/{action}", request, cancellationToken, IfMatch(expectedVersion));

    private static Action<HttpRequestMessage>? IfMatch(int? expectedVersion) => expectedVersion is { } version
        ? r => r.Headers.TryAddWithoutValidation("If-Match", $"\"{version.ToString(CultureInfo.InvariantCulture)}\"")
        : null;

    private static Action<HttpRequestMessage> OfferAnswer(int? expectedVersion) => r =>
    {
        IfMatch(expectedVersion)?.Invoke(r);
        r.Options.Set(SafeRetries.AppliedAtMostOnce, true);
    };

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, Action<HttpRequestMessage>? prepare = null)
    {
        using var response = await SendAsync(method, path, body, cancellationToken, prepare).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends, and turns any answer but a success into the exception of its problem.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, object? body, CancellationToken cancellationToken, Action<HttpRequestMessage>? prepare = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: ClientJson.Options),
        };
        prepare?.Invoke(request);
        var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ApiProblemException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(ClientJson.Options, cancellationToken).ConfigureAwait(false)
        ?? throw new ApiProblemException(HttpStatusCode.BadGateway, null, "The platform answered an empty body.", null, null);

    private static int VersionOf(HttpResponseMessage response) =>
        response.Headers.ETag is { } tag && int.TryParse(tag.Tag.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new ApiProblemException(HttpStatusCode.BadGateway, null, "The platform answered a change without its ETag.", null, null);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
