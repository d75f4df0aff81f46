using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Subjects;

/// <summary>
/// The subject compartment's routes. Every read names its purpose from a fixed list in the query and may add a note in
/// the <c>Access-Note</c> header: free text never goes into a URL, where proxies and logs would keep it.
/// </summary>
public static class SubjectEndpoints
{
    public const string AccessNoteHeader = "Access-Note";
    private const int MaxNote = 500;

    public static IEndpointRouteBuilder MapSubjectApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("referrals/{id:uuid}", "Subjects").ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();

        api.MapGet("/subject", ReadAsync)
            .RequireAuthorization(Scopes.SubjectRead)
            .WithName("GetReferralSubject")
            .WithSummary("The subject compartment, for a purpose (?purpose=); an optional note goes in the Access-Note header. Every read is recorded.");

        api.MapPut("/subject", CorrectAsync)
            .RequireAuthorization(Scopes.ReferralsWrite)
            .WithName("CorrectReferralSubject")
            .WithSummary("The holder corrects or completes the subject; the history records which fields changed, never their values.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        // The one route whose bodies may be larger than the global limit: routing hands the endpoint's limit to the server
        // (IHttpMaxRequestBodySizeFeature) before anything reads the body, and the declared length is checked against it.
        var maxDocumentBytes = app.ServiceProvider.GetRequiredService<SubjectOptions>().MaxDocumentBytes;
        api.MapPost("/subject/documents", AddDocumentAsync)
            .RequireAuthorization(Scopes.ReferralsWrite)
            .WithName("AddSubjectDocument")
            .WithSummary($"Add a passport scan, identity card or photo (JPEG, PNG or PDF, judged by content, at most {maxDocumentBytes} bytes) to the compartment; the body is the file.")
            .WithMetadata(new RequestSizeLimitAttribute(maxDocumentBytes))
            .Accepts<byte[]>("image/jpeg", "image/png", "application/pdf", "application/octet-stream")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        api.MapGet("/subject/documents/{documentId:uuid}", ReadDocumentAsync)
            .RequireAuthorization(Scopes.SubjectRead)
            .WithName("GetSubjectDocument")
            .WithSummary("A document's content, for a purpose (?purpose=), under the subject's rules; every read is recorded.")
            .Produces<byte[]>(StatusCodes.Status200OK, "image/jpeg", "image/png", "application/pdf");

        api.MapGet("/access-log", AccessLogAsync)
            .RequireAuthorization(Scopes.ReferralsRead)
            .WithName("GetSubjectAccessLog")
            .WithSummary("Who read the subject and its documents, when, for what purpose, and which reads were emergency access (holder only).");
        return app;
    }

    private static async Task<Ok<SubjectView>> ReadAsync(
        Guid id,
        [OneOf(typeof(AccessPurpose))] string? purpose,
        [FromHeader(Name = AccessNoteHeader), MaxLength(MaxNote)] string? note,
        HttpContext http,
        IGrainFactory grains)
    {
        var (why, readable) = Purpose(http, purpose, note);
        var view = await grains.GetGrain<IReferralGrain>(id).ReadSubject(Caller.From(http.User), why, readable);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(view);
    }

    private static async Task<Ok<ReferralView>> CorrectAsync(Guid id, SubjectCorrectionRequest request, HttpContext http, IGrainFactory grains, TimeProvider time)
    {
        var command = ReferralCommand.CorrectSubject.From(request, time.GetUtcNow());
        var view = await grains.GetGrain<IReferralGrain>(id).CorrectSubject(Caller.From(http.User), http.Request.ExpectedVersion(), command);
        http.Response.SetETag(view.Version);
        return TypedResults.Ok(view);
    }

    private static async Task<Created<DocumentView>> AddDocumentAsync(
        Guid id, [FromQuery, OneOf(typeof(DocumentKind))] string? kind, HttpContext http, IGrainFactory grains, SubjectOptions subjects)
    {
        var content = await ReadBodyAsync(http, subjects.MaxDocumentBytes);
        var command = ReferralCommand.AddDocument.From(ApiGroups.ParseQuery<DocumentKind>(kind, "kind"), content, subjects.MaxDocumentBytes);
        var document = await grains.GetGrain<IReferralGrain>(id).AddDocument(Caller.From(http.User), http.Request.ExpectedVersion(), command);
        return TypedResults.Created($"/api/v1/referrals/{id}/subject/documents/{document.Id}", document);
    }

    /// <summary>
    /// The body, refused as too large the moment it passes <paramref name="limit"/>: a body sent without a length (chunked)
    /// is not checked before it is read, and a server that does not enforce the endpoint's limit must not make it unbounded.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContext http, long limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw HttpConventions.TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task<FileContentHttpResult> ReadDocumentAsync(
        Guid id,
        Guid documentId,
        [OneOf(typeof(AccessPurpose))] string? purpose,
        [FromHeader(Name = AccessNoteHeader), MaxLength(MaxNote)] string? note,
        HttpContext http,
        IGrainFactory grains)
    {
        var (why, readable) = Purpose(http, purpose, note);
        var (document, content) = await grains.GetGrain<IReferralGrain>(id).ReadDocument(Caller.From(http.User), documentId, why, readable);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(content, document.ContentType);
    }

    private static async Task<Ok<IReadOnlyList<AccessLogEntry>>> AccessLogAsync(Guid id, HttpContext http, IGrainFactory grains)
    {
        var log = await grains.GetGrain<IReferralGrain>(id).GetAccessLog(Caller.From(http.User));
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(log);
    }

    /// <summary>The purpose (required, from the fixed list) and the note; a free-text reason in the query is refused.</summary>
    private static (AccessPurpose Purpose, string? Note) Purpose(HttpContext http, string? purpose, string? note)
    {
        var errors = new FieldErrors();
        foreach (var freeText in new[] { "reason", "note" })
        {
            if (http.Request.Query.ContainsKey(freeText))
            {
                errors.Add(freeText, $"Free text never goes into a URL: name a purpose (?purpose=) and put a note in the {AccessNoteHeader} header.");
            }
        }

        errors.Required("purpose", purpose);
        errors.ThrowIfAny();
        return (ApiGroups.ParseQuery<AccessPurpose>(purpose, "purpose")!.Value, string.IsNullOrEmpty(note) ? null : Uri.UnescapeDataString(note));
    }
}
