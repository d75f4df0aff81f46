using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Referrals;

public static class ReferralEndpoints
{
    public const int PageSize = 50;

    /// <summary>The last page that can be asked for: 50 million referrals, far beyond any organization's.</summary>
    public const int MaxPage = 1_000_000;
    private const int MaxIdempotencyKeyLength = Limits.IdempotencyKey;

    public static IEndpointRouteBuilder MapReferralsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("referrals", "Referrals").ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/", CreateAsync)
            .RequireAuthorization(Scopes.ReferralsWrite)
            .WithName("CreateReferral")
            .WithSummary("Record a newly identified person. Honours Idempotency-Key.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/", ListAsync)
            .RequireAuthorization(Scopes.ReferralsRead)
            .WithName("ListReferrals")
            .WithSummary("Referrals the caller's organization holds or participates in, newest change first.")
            .ProducesValidationProblem();

        api.MapGet("/{id:uuid}", GetAsync)
            .RequireAuthorization(Scopes.ReferralsRead)
            .WithName("GetReferral")
            .WithSummary("The referral, without the subject. The ETag is its version.");

        api.MapGet("/{id:uuid}/history", HistoryAsync)
            .RequireAuthorization(Scopes.ReferralsRead)
            .WithName("GetReferralHistory")
            .WithSummary("The numbered event history: the audit trail.");

        return app;
    }

    private static async Task<Created<ReferralView>> CreateAsync(
        CreateReferralRequest request,
        [FromHeader(Name = "Idempotency-Key"), MaxLength(MaxIdempotencyKeyLength)] string? idempotencyKey,
        HttpContext http,
        IGrainFactory grains,
        TimeProvider time)
    {
        var caller = Caller.From(http.User);
        if (idempotencyKey is { Length: 0 })
        {
            throw ProblemException.Invalid("Idempotency-Key", $"1 to {MaxIdempotencyKeyLength} characters.");
        }

        // With a key, the referral's id follows from (organization, key): a retry reaches the same grain,
        // which compares the body's hash and answers with the first result.
        var (id, requestHash) = idempotencyKey is null
            ? (Guid.CreateVersion7(), null)
            : (IdFor(caller.OrganizationId, idempotencyKey), RequestHash(request));
        var command = ReferralCommand.Create.From(request, caller, time.GetUtcNow(), requestHash);

        var view = await grains.GetGrain<IReferralGrain>(id).Create(caller, command);
        http.Response.SetETag(view.Version);
        return TypedResults.Created($"/api/v1/referrals/{view.Id}", view);
    }

    private static async Task<Ok<PagedList<ReferralSummary>>> ListAsync(
        HttpContext http, PlatformDbContext db, [OneOf(typeof(Stage))] string? stage, [Range(1, MaxPage)] int? page, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http.User);
        var wantedStage = ApiGroups.ParseQuery<Stage>(stage, "stage");
        var pageNumber = page ?? 1;
        var access = db.ReferralAccess;
        var query = db.Referrals.AsNoTracking()
            .Where(r => access.Any(a => a.ReferralId == r.Id && a.OrganizationId == caller.OrganizationId));
        if (wantedStage is { } wanted)
        {
            query = query.Where(r => r.Stage == wanted);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.Id)
            .Skip((pageNumber - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<ReferralSummary>([.. rows.Select(r => r.ToSummary())], pageNumber, PageSize, total));
    }

    private static async Task<Ok<ReferralView>> GetAsync(Guid id, HttpContext http, IGrainFactory grains)
    {
        var view = await grains.GetGrain<IReferralGrain>(id).Get(Caller.From(http.User));
        http.Response.SetETag(view.Version);
        return TypedResults.Ok(view);
    }

    private static async Task<Ok<IReadOnlyList<HistoryEntry>>> HistoryAsync(Guid id, HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IReferralGrain>(id).GetHistory(Caller.From(http.User)));

    internal static Guid IdFor(string organizationId, string idempotencyKey)
    {
        Span<byte> bytes = stackalloc byte[16];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{organizationId}\n{idempotencyKey}"))[..16].CopyTo(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // RFC 9562 version 8: name-based, our own hash
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>What a retry with the same key must repeat: the create body as the API reads it (a batch item's referral too).</summary>
    internal static string RequestHash(CreateReferralRequest request) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, Json.Options)));
}
