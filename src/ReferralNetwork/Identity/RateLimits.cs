using System.Globalization;
using System.Threading.RateLimiting;
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
        builder.Services.AddRateLimiter(_ => { });
        if (options.Enabled)
        {
            // The token endpoint's limit runs first of all: OpenIddict checks the client's secret during authentication.
            builder.Services.AddSingleton<IStartupFilter>(new TokenEndpointLimit(new Bucket(options.TokenEndpoint.PermitLimit, options.TokenEndpoint.Window, ByAddress)));
        }

        builder.Services.ConfigureSwaggerGen(o => o.OperationFilter<TooManyRequestsResponse>());
        return builder;
    }

    /// <summary>The API's limit; after authentication, which names the caller (call it right after the platform's API conventions).</summary>
    public static WebApplication UsePlatformRateLimits(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<RateLimitOptions>();
        if (options.Enabled)
        {
            new Bucket(options.PermitLimit, options.Window, ByCaller).Use(app);
        }

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
    private sealed class Bucket(int permits, TimeSpan window, Func<HttpContext, string?> partitionOf)
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

    /// <summary>Documents the 429 answer, its headers and its problem body on every API operation.</summary>
    private sealed class TooManyRequestsResponse : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true)
            {
                return;
            }

            var problem = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository);
            operation.Responses ??= [];
            operation.Responses["429"] = new OpenApiResponse
            {
                Description = "Too many requests from this system or person: retry after the number of seconds in Retry-After.",
                Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Retry-After"] = Header("Seconds to wait before retrying."),
                    ["RateLimit-Policy"] = Header("The limit, as in draft-ietf-httpapi-ratelimit-headers-07: requests;w=window in seconds (e.g. 20000;w=1)."),
                    ["RateLimit"] = Header("What is left, as in draft-ietf-httpapi-ratelimit-headers-07: limit=…, remaining=…, reset=… (seconds)."),
                },
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
            };
        }

        private static OpenApiHeader Header(string description) => new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
    }
}
