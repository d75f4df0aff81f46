using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ReferralNetwork.Client;

/// <summary>
/// OAuth 2.0 client credentials at the platform's <c>/connect/token</c>: one token at a time for the whole client,
/// renewed <see cref="ReferralNetworkClientOptions.RenewBeforeExpiry"/> before it expires, or at once when the API
/// refused it. Concurrent requests wait for the one renewal instead of each asking.
/// </summary>
public sealed class AccessTokens(ReferralNetworkClientOptions options)
{
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private (string Value, DateTimeOffset RenewAt)? _current;

    /// <summary>How many tokens this client was issued (for monitoring: about one per token lifetime is normal).</summary>
    public int Issued { get; private set; }

    /// <summary>A token valid for a while yet; <paramref name="refused"/>, when given, is one the API just answered 401 to.</summary>
    internal async ValueTask<string> GetAsync(
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, string? refused, CancellationToken cancellationToken)
    {
        if (Usable(refused) is { } token)
        {
            return token;
        }

        await _renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have renewed it while this one waited.
            if (Usable(refused) is { } renewed)
            {
                return renewed;
            }

            var (value, lifetime) = await RequestAsync(send, cancellationToken).ConfigureAwait(false);
            var renewIn = lifetime > options.RenewBeforeExpiry * 2 ? lifetime - options.RenewBeforeExpiry : lifetime / 2;
            _current = (value, options.TimeProvider.GetUtcNow() + renewIn);
            Issued++;
            return value;
        }
        finally
        {
            _renewal.Release();
        }
    }

    private string? Usable(string? refused) =>
        _current is { } current && current.Value != refused && options.TimeProvider.GetUtcNow() < current.RenewAt ? current.Value : null;

    private async Task<(string Token, TimeSpan Lifetime)> RequestAsync(
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (!string.IsNullOrWhiteSpace(options.Scope))
        {
            form["scope"] = options.Scope;
        }

        // The secret goes in the Authorization header (RFC 6749 §2.3.1, form-encoded first), never in a URL.
        using var request = new HttpRequestMessage(HttpMethod.Post, options.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(options.ClientId)}:{Uri.EscapeDataString(options.ClientSecret)}")));
        using var response = await send(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ApiProblemException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var token = body.RootElement.GetProperty("access_token").GetString()
            ?? throw new ApiProblemException(HttpStatusCode.BadGateway, null, "The token endpoint answered no access_token.", null, null);
        var lifetime = body.RootElement.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(5);
        return (token, lifetime);
    }
}

/// <summary>Puts the token on every request, and after a 401 (a token the platform no longer takes) tries once more with a new one.</summary>
internal sealed class AccessTokenHandler(AccessTokens tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(base.SendAsync, null, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // A 401 applied nothing, so sending again is safe whatever the request.
        response.Dispose();
        token = await tokens.GetAsync(base.SendAsync, token, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
