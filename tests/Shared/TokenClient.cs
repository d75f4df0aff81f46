using System.Text.Json;

namespace ReferralNetwork.Testing;

/// <summary>
/// A partner system's side of OAuth 2.0 client credentials: asks a platform's /connect/token for an
/// access token, and keeps each token it was given for later calls until a minute before it expires
/// (a run that outlasts a token, or a machine whose clock jumps, asks again).
/// </summary>
/// <param name="platform">
/// The HTTP client of the platform that answers, asked again for each request: in a cluster it may be
/// another silo than last time. The clients stay the caller's to dispose.
/// </param>
public sealed class TokenClient(Func<HttpClient> platform)
{
    public const string Endpoint = "/connect/token";

    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    private readonly Dictionary<(string ClientId, string Secret, string? Scope), (string Token, DateTimeOffset Renew)> _issued = [];

    /// <summary>The token endpoint's own answer, for tests of what it refuses.</summary>
    public async Task<HttpResponseMessage> RequestAsync(string clientId, string secret, string? scope = null, CancellationToken cancellationToken = default)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var content = new FormUrlEncodedContent(form);
        return await platform().PostAsync(new Uri(Endpoint, UriKind.Relative), content, cancellationToken);
    }

    /// <summary>An access token for the client, fetched again only near its expiry; a refusal fails with the endpoint's answer.</summary>
    public async Task<string> AccessTokenAsync(string clientId, string secret, string? scope = null, CancellationToken cancellationToken = default)
    {
        var key = (clientId, secret, scope);
        lock (_issued)
        {
            if (_issued.TryGetValue(key, out var known) && DateTimeOffset.UtcNow < known.Renew)
            {
                return known.Token;
            }
        }

        using var response = await RequestAsync(clientId, secret, scope, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"No token for {clientId} from {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        var token = json.RootElement.GetProperty("access_token").GetString()!;
        var lifetime = json.RootElement.TryGetProperty("expires_in", out var expiresIn) ? TimeSpan.FromSeconds(expiresIn.GetInt32()) : TimeSpan.Zero;
        lock (_issued)
        {
            _issued[key] = (token, DateTimeOffset.UtcNow + lifetime - Margin);
        }

        return token;
    }
}
