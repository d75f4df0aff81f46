using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi;
using Orleans.Runtime;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Http;

/// <summary>What every endpoint inherits: JSON dialect, problem details, size limit, OpenAPI, health.</summary>
public static class HttpConventions
{
    public static WebApplicationBuilder AddPlatformApi(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        builder.Services.AddSingleton(platform);
        builder.Services.Configure<JsonOptions>(o => Json.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();

        // Unreadable bodies throw, so that the exception handler can name the field at fault.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = platform.MaxRequestBodyBytes;
            RequestLimits.RaiseKestrelLimits(k, platform);
        });

        builder.Services.Configure<RouteOptions>(o => o.SetParameterPolicy<UuidRouteConstraint>("uuid"));
        builder.Services.AddEndpointsApiExplorer();
        OpenApiDocumentation.Configure(builder);

        builder.Services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: ["ready"])
            .AddDbContextCheck<PlatformDbContext>("database", tags: ["ready"]);
        return builder;
    }

    public static WebApplication UsePlatformApi(this WebApplication app, PlatformOptions platform)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RequestLimits.Enforce(platform, app.Configuration.GetValue<bool>("Identity:RequireHttps")));
        app.Use(RejectOversizedBodies(platform.MaxRequestBodyBytes));
        app.UseSwagger(o => o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1);
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "ReferralNetwork v1");
            o.OAuthUsePkce();
        });
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        return app;
    }

    /// <summary>The refusal of a body over <paramref name="limit"/>, which it names: the caller learns what would have been accepted.</summary>
    public static ProblemException TooLarge(long limit) =>
        new(ProblemKind.PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The request body is larger than this route accepts: at most {limit} bytes ({limit / 1024.0 / 1024.0:0.##} MiB)."));

    /// <summary>
    /// Refuses a declared body over the route's limit before anything reads it: the endpoint's own (request size limit
    /// metadata, as on the document upload) or else the global one. Routing, which runs first, gives the same limit to
    /// Kestrel, which enforces it on bodies sent without a length.
    /// </summary>
    private static Func<HttpContext, RequestDelegate, Task> RejectOversizedBodies(long limit) => (http, next) =>
    {
        var allowed = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? limit;
        if (http.Request.ContentLength > allowed)
        {
            throw TooLarge(allowed);
        }

        return next(http);
    };

    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        }, Json.Options, http.RequestAborted);
    }
}

/// <summary>Ready when the local silo is an active member of its cluster.</summary>
internal sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The silo is not active in the cluster."));
}
