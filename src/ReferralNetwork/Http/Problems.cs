using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using ReferralNetwork.Hosting;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Http;

/// <summary>The kinds of error a caller can meet; each has a stable RFC 9457 <c>type</c>.</summary>
public enum ProblemKind
{
    Validation,
    MalformedBody,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    TransitionNotAllowed,
    HandoffRouteNotAllowed,
    ConsentRequired,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    IdempotencyKeyReused,
    TooManyRequests,
    ServiceUnavailable,
    Internal,

    // Added after Internal: a ProblemException crosses silos by its kind's number, so the numbers already in use stay.
    UriTooLong,
    HeadersTooLarge,
}

public static class Problems
{
    public const string TypePrefix = "urn:referral-network:problem:";

    public static string TypeOf(ProblemKind kind) => TypePrefix + JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());

    public static int StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Validation or ProblemKind.MalformedBody => StatusCodes.Status400BadRequest,
        ProblemKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        ProblemKind.TransitionNotAllowed or ProblemKind.HandoffRouteNotAllowed or ProblemKind.ConsentRequired => StatusCodes.Status409Conflict,
        ProblemKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ProblemKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ProblemKind.IdempotencyKeyReused => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ProblemKind.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ProblemKind.UriTooLong => StatusCodes.Status414UriTooLong,
        ProblemKind.HeadersTooLarge => StatusCodes.Status431RequestHeaderFieldsTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The kind a bare status code stands for, when nothing more specific set it.</summary>
    public static ProblemKind KindOf(int status) => status switch
    {
        400 => ProblemKind.MalformedBody,
        401 => ProblemKind.Unauthorized,
        403 => ProblemKind.Forbidden,
        404 => ProblemKind.NotFound,
        405 => ProblemKind.MethodNotAllowed,
        409 => ProblemKind.TransitionNotAllowed,
        412 => ProblemKind.PreconditionFailed,
        413 => ProblemKind.PayloadTooLarge,
        415 => ProblemKind.UnsupportedMediaType,
        422 => ProblemKind.IdempotencyKeyReused,
        429 => ProblemKind.TooManyRequests,
        503 => ProblemKind.ServiceUnavailable,
        414 => ProblemKind.UriTooLong,
        431 => ProblemKind.HeadersTooLarge,
        _ => ProblemKind.Internal,
    };

    /// <summary>Gives every problem response its stable type and the trace id, whoever wrote it.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (problem.Type is null || !problem.Type.StartsWith(TypePrefix, StringComparison.Ordinal))
        {
            problem.Type = TypeOf(problem is HttpValidationProblemDetails ? ProblemKind.Validation : KindOf(status));
        }

        problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
    }

    public static ProblemDetails Create(ProblemKind kind, string detail, IDictionary<string, string[]>? errors = null, string? code = null)
    {
        ProblemDetails problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Type = TypeOf(kind);
        problem.Status = StatusOf(kind);
        problem.Title = kind switch
        {
            ProblemKind.Validation => "One or more fields are invalid.",
            ProblemKind.MalformedBody => "The request body could not be read.",
            ProblemKind.NotFound => "Not found.",
            ProblemKind.TransitionNotAllowed => "The workflow does not allow this now.",
            ProblemKind.HandoffRouteNotAllowed => "This handoff route is not allowed.",
            ProblemKind.ConsentRequired => "No consent covers this.",
            ProblemKind.PreconditionFailed => "The resource has changed since it was read.",
            ProblemKind.IdempotencyKeyReused => "The Idempotency-Key was already used with another request.",
            ProblemKind.Forbidden => "Not allowed.",
            ProblemKind.PayloadTooLarge => "The request body is too large.",
            ProblemKind.TooManyRequests => "Too many requests.",
            ProblemKind.UriTooLong => "The address is too long.",
            ProblemKind.HeadersTooLarge => "The request's headers are too large.",
            ProblemKind.ServiceUnavailable => "Temporarily unavailable.",
            _ => kind.ToString(),
        };
        problem.Detail = detail;
        if (code is not null)
        {
            // The refusal's stable reason (RefusalCode): what a client, or the console in six languages, explains it by.
            problem.Extensions["code"] = code;
        }

        return problem;
    }
}

/// <summary>A refusal the caller can act on; raised by the workflow and turned into a problem response.</summary>
[GenerateSerializer, Alias("problem-exception")]
public sealed class ProblemException(ProblemKind kind, string detail, Dictionary<string, string[]>? errors = null, string? code = null) : Exception(detail)
{
    [Id(0)] public ProblemKind Kind { get; } = kind;

    [Id(1)] public string Detail { get; } = detail;

    [Id(2)] public Dictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>The stable reason of a refusal (one of <see cref="RefusalCode"/>); the detail is its English wording.</summary>
    [Id(3)] public string? Code { get; } = code;

    public static ProblemException NotFound() => new(ProblemKind.NotFound, "No such referral.", code: RefusalCode.NotFound);

    /// <summary>The caller can see the referral but the rule reserves this action for someone else.</summary>
    public static ProblemException OnlyMay(string code, string rule) => new(ProblemKind.Forbidden, rule, code: code);

    public static ProblemException NotNow(string code, string reason) => new(ProblemKind.TransitionNotAllowed, reason, code: code);

    public static ProblemException Invalid(string field, string message, string? code = null) =>
        new(ProblemKind.Validation, "One or more fields are invalid.", new() { [field] = [message] }, code);
}

/// <summary>Turns refusals and unreadable requests into problem responses; everything else is a 500 without internals.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ProblemException p => Problems.Create(p.Kind, p.Detail, p.Errors, p.Code),
            BadHttpRequestException { InnerException: JsonException json } => Problems.Create(
                ProblemKind.Validation,
                "The request body does not match the expected shape.",
                new Dictionary<string, string[]> { [FieldOf(json.Path)] = ["The value is not of the expected type or format."] }),
            BadHttpRequestException bad => Problems.Create(Problems.KindOf(bad.StatusCode), bad.Message),
            // The form or multipart reader's refusal (a value that decodes to NUL, too many values): read by the token
            // validation looking for a token in a form body, before any endpoint, so no binding turns it into a 400.
            InvalidDataException => Problems.Create(ProblemKind.MalformedBody, "The request body could not be read."),
            _ => null,
        };
        if (problem is null && SubjectStoreUnavailableException.In(exception) is { } store)
        {
            // One country's store of subject compartments (Residency) is down: that country's subjects only. The
            // country is the referral's, which the caller may know; nothing of the person is in the answer.
            logger.LogWarning("The subject store of {Country} is unavailable for {Method} {Path}", store.Country, httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.Create(
                ProblemKind.ServiceUnavailable,
                "The store that keeps the subject compartments of this referral's country cannot be reached now, and the request was not carried out. Retry later: the referral's workflow is unaffected.");
            problem.Title = "The subject's store is unavailable.";
            httpContext.Response.Headers.RetryAfter = "30";
        }

        if (problem is null && IsUnavailable(exception))
        {
            // Nothing the caller did wrong and nothing half-applied that it cannot retry: a silo was lost, or the
            // database restarts. Retrying a change is safe with If-Match (or the Idempotency-Key of a creation).
            logger.LogWarning(exception, "Unavailable for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.Create(ProblemKind.ServiceUnavailable, "The platform could not complete the request now (a silo or the database is unavailable); retry shortly.");
            httpContext.Response.Headers.RetryAfter = "2";
        }

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.Create(ProblemKind.Internal, "An unexpected error occurred; it has been logged.");
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// A failure of the infrastructure rather than of the request, anywhere in the exception's chain: Orleans
    /// could not reach the grain in time, or PostgreSQL could not be reached (Npgsql exceptions cross silos
    /// as themselves, see <see cref="SiloHosting"/>; EF Core and the Orleans storage wrap them).
    /// </summary>
    internal static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SiloUnavailableException or OrleansMessageRejectionException or TimeoutException:
                case NpgsqlException { IsTransient: true }:
                // Deserialized on another silo, a PostgresException has lost its SQL state (and so IsTransient);
                // one with a state that is not transient is a fault of ours, not an outage.
                case NpgsqlException and not PostgresException { SqlState: not null }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>"$.subject.sex" → "subject.sex"; the root itself is "body".</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$').TrimStart('.');
}
