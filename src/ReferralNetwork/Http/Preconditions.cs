using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace ReferralNetwork.Http;

/// <summary>ETags are the referral's version (its history length); <c>If-Match</c> names the version a change expects.</summary>
public static class Preconditions
{
    public static string ETagOf(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static void SetETag(this HttpResponse response, int version) => response.Headers.ETag = ETagOf(version);

    /// <summary>The version named by <c>If-Match</c>, or null when the header is absent or <c>*</c>.</summary>
    public static int? ExpectedVersion(this HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
        {
            return null;
        }

        if (EntityTagHeaderValue.TryParse(header, out var tag)
            && int.TryParse(tag.Tag.AsSpan(1, tag.Tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return version;
        }

        // An ETag we never issued cannot match the current one.
        throw new ProblemException(ProblemKind.PreconditionFailed, "If-Match does not name a version of this resource.", code: RefusalCode.Stale);
    }

    public static void Check(int? expected, int current)
    {
        if (expected is { } v && v != current)
        {
            throw new ProblemException(ProblemKind.PreconditionFailed, $"If-Match names version {v}; the referral is at version {current}. Read it again and retry.", code: RefusalCode.Stale);
        }
    }
}
