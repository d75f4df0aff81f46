using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;

namespace ReferralNetwork.Testing;

/// <summary>One step of the canary walk: a name for failure messages and what it does through the API.</summary>
public sealed record CanaryStep(string Name, Func<CanaryWalk, Task> Run);

/// <summary>
/// One referral walked through the partner API with canaries in every free-text field: the clients of the
/// demo organizations, the referral as last answered, and helpers that assert each call succeeded, so that a
/// walk that silently failed cannot make the search pass. The same walk runs in process (the unit tests) and
/// against the platform's processes (the end-to-end tests): <paramref name="clientFor"/> answers an HTTP client
/// acting as an organization, which the walk disposes.
/// </summary>
public sealed class CanaryWalk(Func<string, Task<HttpClient>> clientFor, CanarySet canaries) : IDisposable
{
    public const string ThaiFocalPoint = "th-focal-point";
    public const string ThaiShelter = "th-shelter-bangkok";
    public const string VietFocalPoint = "vn-focal-point";
    public const string VietNgo = "vn-ngo-reintegration";

    private readonly Dictionary<string, HttpClient> _clients = [];

    public CanarySet Canaries { get; } = canaries;

    /// <summary>The referral as the last change answered it (or the last read, after an offer).</summary>
    public ReferralView Referral { get; private set; } = null!;

    public string Path => $"/api/v1/referrals/{Referral.Id}";

    public async Task<HttpClient> AsAsync(string organizationId)
    {
        if (!_clients.TryGetValue(organizationId, out var client))
        {
            _clients[organizationId] = client = await clientFor(organizationId);
        }

        return client;
    }

    public async Task CreateAsync(string organizationId, CreateReferralRequest request)
    {
        using var response = await (await AsAsync(organizationId)).PostAsJsonAsync("/api/v1/referrals", request, Json.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/referrals answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Referral = (await response.Content.ReadFromJsonAsync<ReferralView>(Json.Options))!;
    }

    /// <summary>A change answered with the referral; <paramref name="suffix"/> follows the referral's path.</summary>
    public async Task<ReferralView> ChangeAsync(string organizationId, string suffix, object? body) =>
        Referral = await PartnerApi.ChangeAsync(await AsAsync(organizationId), $"{Path}{suffix}", body);

    /// <summary>A change answered with something else than the referral (screening result, 204).</summary>
    public async Task<string> PostAsync(string organizationId, string suffix, object? body, HttpStatusCode expected)
    {
        using var response = await PartnerApi.PostAsync(await AsAsync(organizationId), $"{Path}{suffix}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {Path}{suffix} as {organizationId} answered {(int)response.StatusCode}, not {(int)expected}: {text}");
        return text;
    }

    public async Task<HandoffView> OfferAsync(string organizationId, HandoffRequest request)
    {
        var handoff = JsonSerializer.Deserialize<HandoffView>(await PostAsync(organizationId, "/handoffs", request, HttpStatusCode.Created), Json.Options)!;
        Referral = (await PartnerApi.GetReferralAsync(await AsAsync(organizationId), Referral.Id))!;
        return handoff;
    }

    /// <summary>The subject compartment as <paramref name="organizationId"/> reads it: the raw body and the view.</summary>
    public async Task<(string Body, SubjectView View)> ReadSubjectAsync(string organizationId, string? note = null)
    {
        // The purpose is a code in the URL; the note is free text, so it travels in a header.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Path}/subject?purpose=case-work");
        if (note is not null)
        {
            request.Headers.Add("Access-Note", Uri.EscapeDataString(note));
        }

        using var response = await (await AsAsync(organizationId)).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {Path}/subject as {organizationId} answered {(int)response.StatusCode}: {body}");
        return (body, JsonSerializer.Deserialize<SubjectView>(body, Json.Options)!);
    }

    /// <summary>Walks every step of <see cref="CanarySteps.All"/> in order; a failure names the step.</summary>
    public async Task RunAsync()
    {
        foreach (var step in CanarySteps.All)
        {
            try
            {
                await step.Run(this);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"Canary walk, step '{step.Name}' failed: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Read models follow events: waits until the list shows the referral as it now is.</summary>
    public async Task SettledAsync()
    {
        var holder = await AsAsync(Referral.Holder);
        var list = await Eventually.Until(
            () => ReferralRequests.ListAsync(holder),
            l => l!.Items.Any(x => x.Id == Referral.Id && x.Version == Referral.Version));
        Assert.Contains(list!.Items, x => x.Id == Referral.Id && x.Version == Referral.Version);
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
