using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Http;

/// <summary>
/// The platform's own limits on the address and the headers, answered as problems. Kestrel would refuse an over-long
/// address (414) or over-large headers (431) itself, before any middleware, with an empty body; its limits are raised
/// well above the platform's (<see cref="KestrelRequestLine"/>, <see cref="KestrelHeaders"/>), so that the platform's are
/// the ones a caller meets, even with an address in Thai or Khmer, whose characters take nine bytes each when
/// percent-encoded. Past Kestrel's raised limits it still answers alone: a request that large is not a partner's
/// mistake, and what one connection may make the server hold stays bounded.
/// And every answer carries the headers a browser needs to treat it safely.
/// </summary>
public static class RequestLimits
{
    public const int KestrelRequestLine = 128 * 1024;

    public const int KestrelHeaders = 128 * 1024;

    public static void RaiseKestrelLimits(KestrelServerOptions kestrel, PlatformOptions platform)
    {
        kestrel.AddServerHeader = false; // no version banner
        kestrel.Limits.MaxRequestLineSize = Math.Max(KestrelRequestLine, (platform.MaxUrlLength + 64) * 9);
        kestrel.Limits.MaxRequestHeadersTotalSize = Math.Max(KestrelHeaders, platform.MaxHeaderBytes * 4);
        kestrel.Limits.MaxRequestHeaderCount = Math.Max(kestrel.Limits.MaxRequestHeaderCount, platform.MaxHeaderCount * 4);
    }

    /// <summary>The first middleware after the exception handler: refuses what is over the platform's limits, adds the safety headers.</summary>
    public static Func<HttpContext, RequestDelegate, Task> Enforce(PlatformOptions platform, bool requireHttps) => (http, next) =>
    {
        AddSafetyHeaders(http, requireHttps);
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (http.Request.Path + http.Request.QueryString).ToString();
        if (target.Length > platform.MaxUrlLength)
        {
            throw new ProblemException(ProblemKind.UriTooLong, string.Create(
                CultureInfo.InvariantCulture, $"The address (path and query) is {target.Length} characters long; at most {platform.MaxUrlLength} are accepted."));
        }

        var headers = http.Request.Headers;
        if (headers.Count > platform.MaxHeaderCount)
        {
            throw new ProblemException(ProblemKind.HeadersTooLarge, string.Create(
                CultureInfo.InvariantCulture, $"The request has {headers.Count} headers; at most {platform.MaxHeaderCount} are accepted."));
        }

        var bytes = 0L;
        foreach (var (name, values) in headers)
        {
            bytes += name.Length + 4; // ": " and the line's end
            foreach (var value in values)
            {
                bytes += value?.Length ?? 0;
            }
        }

        if (bytes > platform.MaxHeaderBytes)
        {
            throw new ProblemException(ProblemKind.HeadersTooLarge, string.Create(
                CultureInfo.InvariantCulture, $"The request's headers add up to {bytes} bytes; at most {platform.MaxHeaderBytes} are accepted."));
        }

        return next(http);
    };

    /// <summary>
    /// On every answer: no MIME sniffing, no referrer, never framed (the console's pages set a stricter policy of their
    /// own, which stands), and HSTS where the platform is reached over TLS.
    /// </summary>
    private static void AddSafetyHeaders(HttpContext http, bool requireHttps) => http.Response.OnStarting(() =>
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        }

        headers.XFrameOptions = "DENY";
        if (http.Request.IsHttps || requireHttps)
        {
            headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        }

        return Task.CompletedTask;
    });
}
