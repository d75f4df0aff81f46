using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ReferralNetwork.Client;

/// <summary>
/// The platform said no: an RFC 9457 problem (<c>application/problem+json</c>), or an error answer without one (a proxy's
/// page, an OAuth error of the token endpoint), read into the same fields. Catch a subclass for one kind of refusal, or
/// this class and look at <see cref="Code"/>: the stable reason of a workflow refusal (<c>stale</c>,
/// <c>offer-not-open</c>, <c>share-consent-required</c>, …), which never changes its meaning.
/// </summary>
public class ApiProblemException : Exception
{
    private const string TypePrefix = "urn:referral-network:problem:";

    public ApiProblemException(HttpStatusCode status, string? type, string? title, string? detail, string? code,
        IReadOnlyDictionary<string, string[]>? errors = null, string? traceId = null, TimeSpan? retryAfter = null)
        : base(MessageOf(status, title, detail, code))
    {
        Status = status;
        Type = type;
        Title = title;
        Detail = detail;
        Code = code;
        Errors = errors ?? new Dictionary<string, string[]>();
        TraceId = traceId;
        RetryAfter = retryAfter;
    }

    public HttpStatusCode Status { get; }

    /// <summary>The problem's <c>type</c>, e.g. <c>urn:referral-network:problem:precondition-failed</c>.</summary>
    public string? Type { get; }

    /// <summary>The kind of problem: the end of <see cref="Type"/> (<c>precondition-failed</c>, <c>validation</c>, …).</summary>
    public string? Kind => Type is { } type && type.StartsWith(TypePrefix, StringComparison.Ordinal) ? type[TypePrefix.Length..] : null;

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>The stable reason of a refusal (the problem's <c>code</c> extension, or an OAuth <c>error</c>); null when it gave none.</summary>
    public string? Code { get; }

    /// <summary>Each invalid field (a JSON path in camelCase, e.g. <c>subject.givenName</c>) with what is wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>Quote it when asking the platform's operators about this answer.</summary>
    public string? TraceId { get; }

    /// <summary>How long the platform asked to wait (<c>Retry-After</c>), when it did.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string MessageOf(HttpStatusCode status, string? title, string? detail, string? code) =>
        $"{(int)status} {title ?? status.ToString()}{(detail is null ? "" : $" {detail}")}{(code is null ? "" : $" (code: {code})")}";

    /// <summary>Reads an error answer into the exception of its kind. The body is read as the platform sent it; nothing of the request is kept.</summary>
    public static async Task<ApiProblemException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? type = null, title = null, detail = null, code = null, traceId = null;
        Dictionary<string, string[]>? errors = null;
        if (TryParse(text) is { } body)
        {
            type = StringOf(body, "type");
            title = StringOf(body, "title");
            detail = StringOf(body, "detail") ?? StringOf(body, "error_description");
            code = StringOf(body, "code") ?? StringOf(body, "error");
            traceId = StringOf(body, "traceId");
            if (body.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                errors = [];
                foreach (var field in fields.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? [.. field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText())]
                        : [field.Value.ToString()];
                }
            }
        }

        title ??= response.ReasonPhrase;
        var retryAfter = RetryAfterOf(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
        return response.StatusCode switch
        {
            HttpStatusCode.BadRequest when errors is { Count: > 0 } => new ValidationProblemException(type, title, detail, code, errors, traceId),
            HttpStatusCode.Unauthorized => new UnauthorizedProblemException(type, title, detail, code, traceId),
            HttpStatusCode.Forbidden => new ForbiddenProblemException(type, title, detail, code, traceId),
            HttpStatusCode.NotFound => new NotFoundProblemException(type, title, detail, code, traceId),
            HttpStatusCode.Conflict => new ConflictProblemException(type, title, detail, code, traceId),
            HttpStatusCode.PreconditionFailed => new PreconditionFailedProblemException(type, title, detail, code, traceId),
            HttpStatusCode.TooManyRequests => new TooManyRequestsProblemException(type, title, detail, code, traceId, retryAfter),
            _ => new ApiProblemException(response.StatusCode, type, title, detail, code, errors, traceId, retryAfter),
        };
    }

    private static JsonElement? TryParse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringOf(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}

/// <summary><c>400</c>: one or more fields are invalid; <see cref="ApiProblemException.Errors"/> names each. Nothing was changed.</summary>
public sealed class ValidationProblemException(string? type, string? title, string? detail, string? code, IReadOnlyDictionary<string, string[]> errors, string? traceId)
    : ApiProblemException(HttpStatusCode.BadRequest, type, title, detail, code, errors, traceId);

/// <summary><c>401</c>: no valid token, even after asking for a new one (a revoked client, a wrong secret).</summary>
public sealed class UnauthorizedProblemException(string? type, string? title, string? detail, string? code, string? traceId)
    : ApiProblemException(HttpStatusCode.Unauthorized, type, title, detail, code, traceId: traceId);

/// <summary><c>403</c>: the caller may see this but not do it (a scope, a role, a rule reserving it to someone else).</summary>
public sealed class ForbiddenProblemException(string? type, string? title, string? detail, string? code, string? traceId)
    : ApiProblemException(HttpStatusCode.Forbidden, type, title, detail, code, traceId: traceId);

/// <summary><c>404</c>: it does not exist for the caller; a referral outside its reach is always this, never <c>403</c>.</summary>
public sealed class NotFoundProblemException(string? type, string? title, string? detail, string? code, string? traceId)
    : ApiProblemException(HttpStatusCode.NotFound, type, title, detail, code, traceId: traceId);

/// <summary><c>409</c>: the workflow does not allow this now; <see cref="ApiProblemException.Code"/> says which rule.</summary>
public sealed class ConflictProblemException(string? type, string? title, string? detail, string? code, string? traceId)
    : ApiProblemException(HttpStatusCode.Conflict, type, title, detail, code, traceId: traceId);

/// <summary>
/// <c>412</c> (code <c>stale</c>): the referral changed since the version named in If-Match, and nothing was applied. Read
/// it again and decide again. After a retry this can also mean that the first attempt was applied and its answer lost:
/// the referral's history shows it.
/// </summary>
public sealed class PreconditionFailedProblemException(string? type, string? title, string? detail, string? code, string? traceId)
    : ApiProblemException(HttpStatusCode.PreconditionFailed, type, title, detail, code, traceId: traceId);

/// <summary><c>429</c>: past the client's rate limit, still so after the retries; wait <see cref="ApiProblemException.RetryAfter"/>.</summary>
public sealed class TooManyRequestsProblemException(string? type, string? title, string? detail, string? code, string? traceId, TimeSpan? retryAfter)
    : ApiProblemException(HttpStatusCode.TooManyRequests, type, title, detail, code, traceId: traceId, retryAfter: retryAfter);
