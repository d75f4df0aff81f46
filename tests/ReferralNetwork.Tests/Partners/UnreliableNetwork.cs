using System.Collections.Concurrent;
using System.Text.Json;

namespace ReferralNetwork.Tests.Partners;

/// <summary>One request as it left the client: what the retry tests compare between attempts.</summary>
public sealed record SentRequest(HttpMethod Method, string Path, string? IdempotencyKey, string? IfMatch);

/// <summary>
/// The network between a partner and the platform, losing the platform's first answer to the requests
/// <paramref name="losing"/> picks: the request reaches the platform and is applied, then the connection drops before
/// the answer is back, as when a mobile link or a proxy fails mid-request. Counts every request and token request.
/// </summary>
public sealed class UnreliableNetwork(HttpMessageHandler platform, Func<HttpRequestMessage, bool>? losing = null) : DelegatingHandler(platform)
{
    private readonly ConcurrentQueue<SentRequest> _sent = new();
    private readonly ConcurrentQueue<string> _lost = new();
    private readonly ConcurrentQueue<int> _tokenLifetimes = new();
    private int _losses;

    /// <summary>Every API request that reached the platform, token requests aside.</summary>
    public IReadOnlyList<SentRequest> Sent => [.. _sent];

    /// <summary>The bodies of the answers the client never got.</summary>
    public IReadOnlyList<string> LostAnswers => [.. _lost];

    /// <summary>The <c>expires_in</c> of each token the platform issued through this network, in seconds.</summary>
    public IReadOnlyList<int> TokensIssued => [.. _tokenLifetimes];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var response = await base.SendAsync(request, cancellationToken);
        if (path == "/connect/token")
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            using var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (token.RootElement.TryGetProperty("expires_in", out var lifetime))
            {
                _tokenLifetimes.Enqueue(lifetime.GetInt32());
            }

            return response;
        }

        _sent.Enqueue(new SentRequest(request.Method, path,
            request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
            request.Headers.TryGetValues("If-Match", out var tags) ? tags.Single() : null));
        if (losing is not null && losing(request) && Interlocked.Increment(ref _losses) == 1)
        {
            _lost.Enqueue(await response.Content.ReadAsStringAsync(cancellationToken));
            response.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, "The connection dropped before the answer arrived (simulated).");
        }

        return response;
    }
}
