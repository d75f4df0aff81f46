using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReferralNetwork.Testing;

namespace ReferralNetwork.Benchmarks;

/// <summary>
/// HTTP/1.1 clients of the platform: one pooled handler per silo address, with as many connections as workers
/// (worker i talks to silo i mod n), so that every worker holds one keep-alive connection as a partner system would.
/// </summary>
public sealed class PlatformClient : IDisposable
{
    public const string DemoSecret = "demo-secret";

    /// <summary>The platform's JSON dialect (DESIGN §5): camelCase, enums as kebab-case strings.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private readonly HttpClient[] _clients;

    public PlatformClient(IReadOnlyList<Uri> urls, int connections, TimeSpan? timeout = null)
    {
        var perSilo = (connections + urls.Count - 1) / urls.Count;
        _clients = [.. urls.Select(url => new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = perSilo,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        })
        {
            BaseAddress = url,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
        })];
    }

    public HttpClient For(int worker) => _clients[worker % _clients.Length];

    /// <summary>A client-credentials token for each organization (demo clients: client id = organization id).</summary>
    public async Task<IReadOnlyDictionary<string, string>> TokensAsync(IEnumerable<string> organizations, CancellationToken cancellationToken)
    {
        var client = new TokenClient(() => _clients[0]);
        var tokens = new Dictionary<string, string>();
        foreach (var organization in organizations.Distinct())
        {
            tokens[organization] = await client.AccessTokenAsync(organization, DemoSecret, cancellationToken: cancellationToken);
        }

        return tokens;
    }

    public static byte[] Body<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    /// <summary>Sends one request and reads the whole answer; transport failures and timeouts come back as status 0.</summary>
    public static async Task<Reply> SendAsync(
        HttpClient client, HttpMethod method, string path, string token, byte[]? body = null, string? ifMatch = null,
        string? idempotencyKey = null, bool keepBody = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = JsonContentType;
        }

        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var status = (int)response.StatusCode;
            var keep = keepBody || status >= 400;
            return new Reply(
                status,
                response.Headers.ETag?.ToString(),
                response.Headers.Location?.OriginalString,
                keep ? await response.Content.ReadAsByteArrayAsync() : null,
                null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Reply(0, null, null, null, e is TaskCanceledException ? "timeout" : e.GetType().Name);
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}

public readonly record struct Reply(int Status, string? ETag, string? Location, byte[]? Body, string? Failure)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>How an unexpected answer is counted: the status code, or the transport failure.</summary>
    public string ErrorKey => Status == 0 ? Failure ?? "transport" : Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
