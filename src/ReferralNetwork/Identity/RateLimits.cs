using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using OpenIddict.Abstractions;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using Swashbuckle.AspNetCore.SwaggerGen;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReferralNetwork.Identity;

/// <summary>The <c>RateLimits</c> configuration section: a token bucket per caller, and one per address at the token endpoint.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Off: nothing is limited and no RateLimit headers are sent.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Requests per <see cref="Window"/> for each system (client id) and each person (their <c>sub</c>: the console is one
    /// client for many people). Generous by default: far above what the benchmark sends, so that it runs unthrottled.
    /// </summary>
    public int PermitLimit { get; set; } = 20_000;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Requests to <c>/connect/token</c> per <see cref="Limit.Window"/> from one client address, counted before the
    /// client is authenticated: each attempt costs a secret hash, and a caller there is not yet known.
    /// </summary>
    public Limit TokenEndpoint { get; set; } = new() { PermitLimit = 1_200, Window = TimeSpan.FromMinutes(1) };

    public sealed class Limit
    {
        public int PermitLimit { get; set; }

        public TimeSpan Window { get; set; }
    }

    public static RateLimitOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
}

/// <summary>
/// Rate limits (ASP.NET Core rate limiting, token buckets): per system and per person on the API, answered with a
/// <c>429</c> problem, <c>Retry-After</c> and the <c>RateLimit-Policy</c> / <c>RateLimit</c> fields of the IETF draft
/// draft-ietf-httpapi-ratelimit-headers-07 (<c>RateLimit-Policy: 100;w=1</c>, <c>RateLimit: limit=100, remaining=42, reset=1</c>)
/// on every limited response; and per client address at <c>/connect/token</c>, before the client is authenticated.
/// </summary>
public static class RateLimits
{
    public const string TokenEndpointPath = "/connect/token";

    public static WebApplicationBuilder AddPlatformRateLimits(this WebApplicationBuilder builder)
    {
        var options = RateLimitOptions.From(builder.Configuration);
        if (options.PermitLimit <= 0 || options.Window <= TimeSpan.Zero || options.TokenEndpoint.PermitLimit <= 0 || options.TokenEndpoint.Window <= TimeSpan.Zero)
        {
            throw new StartupRefusedException(
                "The platform cannot start with these rate limits.",
                [$"{RateLimitOptions.Section}:PermitLimit, :Window, :TokenEndpoint:PermitLimit and :TokenEndpoint:Window must all be positive."]);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new CallerRateLimit(options.Enabled ? new Bucket(options.PermitLimit, options.Window, ByCaller) : null));
        builder.Services.AddRateLimiter(_ => { });
        if (options.Enabled)
        {
            // The token endpoint's limit runs first of all: OpenIddict checks the client's secret during authentication.
            builder.Services.AddSingleton<IStartupFilter>(new TokenEndpointLimit(new Bucket(options.TokenEndpoint.PermitLimit, options.TokenEndpoint.Window, ByAddress)));
        }

        builder.Services.ConfigureSwaggerGen(o =>
        {
            o.OperationFilter<TooManyRequestsResponse>();
            o.DocumentFilter<TooManyRequestsResponse>();
        });
        return builder;
    }

    /// <summary>The API's limit; after authentication, which names the caller (call it right after the platform's API conventions).</summary>
    public static WebApplication UsePlatformRateLimits(this WebApplication app)
    {
        app.Services.GetRequiredService<CallerRateLimit>().Bucket?.Use(app);
        return app;
    }

    /// <summary>A person by their id, a system by its client id; nothing when unauthenticated (that is a cheap 401).</summary>
    private static string? ByCaller(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.GetClaim(Claims.Subject) is { } subject
            ? (http.User.GetClaim(TokenClaims.SubjectKind) == TokenClaims.PersonSubject ? "person:" : "client:") + subject
            : null;

    private static string? ByAddress(HttpContext http) =>
        http.Request.Path.StartsWithSegments(TokenEndpointPath, StringComparison.OrdinalIgnoreCase)
            ? "address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown")
            : null;

    /// <summary>One token bucket per partition, refilled to <paramref name="permits"/> every <paramref name="window"/>.</summary>
    internal sealed class Bucket(int permits, TimeSpan window, Func<HttpContext, string?> partitionOf)
    {
        private readonly string _policy = string.Create(CultureInfo.InvariantCulture, $"{permits};w={Seconds(window)}");

        private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            partitionOf(http) is { } key
                ? RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = permits,
                    TokensPerPeriod = permits,
                    ReplenishmentPeriod = window,
                    AutoReplenishment = true,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter(""));

        public void Use(IApplicationBuilder app)
        {
            app.Use(AnnounceAsync);
            app.UseRateLimiter(new RateLimiterOptions { GlobalLimiter = _limiter, OnRejected = RejectAsync });
        }

        /// <summary>Every limited response says the policy and what is left of it (read as the response starts, after this request's permit).</summary>
        private Task AnnounceAsync(HttpContext http, RequestDelegate next)
        {
            if (partitionOf(http) is not null)
            {
                http.Response.OnStarting(() =>
                {
                    if (http.Response.StatusCode != StatusCodes.Status429TooManyRequests)
                    {
                        var remaining = _limiter.GetStatistics(http)?.CurrentAvailablePermits ?? permits;
                        Announce(http.Response, remaining, Seconds(window));
                    }

                    return Task.CompletedTask;
                });
            }

            return next(http);
        }

        public int Permits => permits;

        /// <summary>Takes <paramref name="count"/> permits of the caller's bucket at once, or none; on refusal, answers the 429's headers.</summary>
        public bool TryTake(HttpContext http, int count, out string refusal)
        {
            using var lease = _limiter.AttemptAcquire(http, count);
            if (lease.IsAcquired)
            {
                refusal = "";
                return true;
            }

            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Seconds(after) : Seconds(window);
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            Announce(http.Response, 0, retryAfter);
            refusal = string.Create(CultureInfo.InvariantCulture, $"More than {permits} requests in {Seconds(window)} s; retry after {retryAfter} s.");
            return false;
        }

        private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
        {
            var http = context.HttpContext;
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Seconds(after) : Seconds(window);
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            Announce(http.Response, 0, retryAfter);
            var problem = Problems.Create(ProblemKind.TooManyRequests, string.Create(CultureInfo.InvariantCulture,
                $"More than {permits} requests in {Seconds(window)} s; retry after {retryAfter} s."));
            await http.RequestServices.GetRequiredService<IProblemDetailsService>()
                .WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
        }

        private void Announce(HttpResponse response, long remaining, long reset)
        {
            response.Headers["RateLimit-Policy"] = _policy;
            response.Headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture, $"limit={permits}, remaining={Math.Max(0, remaining)}, reset={reset}");
        }

        private static long Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds));
    }

    private sealed class TokenEndpointLimit(Bucket bucket) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            bucket.Use(app);
            next(app);
        };
    }

    /// <summary>
    /// Documents the 429 answer with its Retry-After and problem body on every API operation, and the RateLimit fields
    /// on every 2XX and 4XX answer that is counted: all but the 401, which is answered before the caller is known.
    /// Registered after the platform's problem responses, so that it sees every answer an operation documents.
    /// </summary>
    private sealed class TooManyRequestsResponse : IOperationFilter, IDocumentFilter
    {
        private const string PolicyHeader = "RateLimit-Policy";
        private const string LimitHeader = "RateLimit";

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!OpenApiDocumentation.IsApi(context))
            {
                return;
            }

            operation.Responses ??= [];
            operation.Responses["429"] = new OpenApiResponse
            {
                Description = "Too many requests from this system or person: retry after the number of seconds in Retry-After.",
                Headers = new Dictionary<string, IOpenApiHeader>
                {
                    [OpenApiDocumentation.RetryAfterHeader] = new OpenApiHeaderReference(OpenApiDocumentation.RetryAfterHeader, context.Document),
                },
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [OpenApiDocumentation.ProblemMediaType] = new OpenApiMediaType { Schema = OpenApiDocumentation.ProblemReference(context.SchemaRepository, context.Document) },
                },
            };

            foreach (var (status, response) in operation.Responses)
            {
                if (status[0] is '2' or '4' && status != "401" && response is OpenApiResponse concrete)
                {
                    concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    concrete.Headers[PolicyHeader] = new OpenApiHeaderReference(PolicyHeader, context.Document);
                    concrete.Headers[LimitHeader] = new OpenApiHeaderReference(LimitHeader, context.Document);
                }
            }
        }

        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            OpenApiDocumentation.AddHeader(document, PolicyHeader, Header(
                "The caller's limit, as in draft-ietf-httpapi-ratelimit-headers-07: requests;w=window in seconds (e.g. 20000;w=1). " + Counted));
            OpenApiDocumentation.AddHeader(document, LimitHeader, Header(
                "What is left of it, as in draft-ietf-httpapi-ratelimit-headers-07: limit=…, remaining=…, reset=… (seconds). " + Counted));
        }

        private const string Counted = "Sent whenever rate limits are on (the default), except on a 403 for a scope the token lacks and on a 413 for a declared body length over the limit, both refused before counting.";

        private static OpenApiHeader Header(string description) => new()
        {
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
        };
    }
}

/// <summary>
/// The API's per-caller limit, for a request that stands for many: a batch of n items costs n requests (the one its
/// arrival took and n − 1 more, taken together before any item is processed), capped at the limit itself so that
/// a batch can always pass in a window of its own.
/// </summary>
public sealed class CallerRateLimit
{
    internal CallerRateLimit(RateLimits.Bucket? bucket) => Bucket = bucket;

    internal RateLimits.Bucket? Bucket { get; }

    /// <summary>Null when the caller may go on; else the 429 problem to answer (its Retry-After and RateLimit headers are set).</summary>
    public ProblemHttpResult? Charge(HttpContext http, int requests)
    {
        if (Bucket is not { } bucket)
        {
            return null;
        }

        var more = Math.Min(requests, bucket.Permits) - 1;
        return more <= 0 || bucket.TryTake(http, more, out var refusal)
            ? null
            : TypedResults.Problem(Problems.Create(ProblemKind.TooManyRequests, refusal));
    }
}
