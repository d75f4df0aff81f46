using Microsoft.Net.Http.Headers;

namespace ReferralNetwork.WebConsole;

/// <summary>
/// Headers every console page carries: never cached (pages may show personal data), a Content-Security-Policy that
/// allows no inline script and no framing. No MIME sniffing and no referrer are on every answer of the platform
/// (<see cref="ReferralNetwork.Http.RequestLimits"/>).
/// </summary>
internal static class PageHygiene
{
    /// <summary>
    /// Same-origin resources only, nothing inline. <c>script-src 'self'</c> allows the few script files of <c>wwwroot</c>
    /// (the intake page's offline queue, the sign-out that wipes it); <c>connect-src 'self'</c> lets the queue post to its page.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self'; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static readonly Marker Page = new(IsPage: true);

    public static readonly Marker StaticAsset = new(IsPage: false);

    public static bool IsPage(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<Marker>() is { IsPage: true };

    public static Task Apply(HttpContext http, RequestDelegate next)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<Marker>() is { } marker)
        {
            http.Response.OnStarting(() =>
            {
                // No sniffing, no referrer and no framing are on every answer of the platform (Http/RequestLimits).
                var headers = http.Response.Headers;
                if (marker.IsPage)
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                }

                return Task.CompletedTask;
            });
        }

        return next(http);
    }

    /// <summary>Endpoint metadata: this endpoint belongs to the console.</summary>
    public sealed record Marker(bool IsPage);
}
