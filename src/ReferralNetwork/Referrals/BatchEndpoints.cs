using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;

namespace ReferralNetwork.Referrals;

/// <summary>
/// Bulk intake: many people in one call, each created exactly as <c>POST /api/v1/referrals</c> with its key as
/// <c>Idempotency-Key</c> would create it (the same validation, the same grain, the same id from the organization and
/// the key), so that a retried batch, a batch racing its retry, or a single create with the same key never create twice.
/// </summary>
public static partial class BatchEndpoints
{
    /// <summary>Items created at the same time: enough to fill the silo's turns, few enough that other callers keep theirs.</summary>
    public const int Concurrency = 4;

    /// <summary>The body of 500 people with long summaries in a script of three bytes per character, escaped or not.</summary>
    public const long MaxBodyBytes = 16L * 1024 * 1024;

    public static IEndpointRouteBuilder MapReferralBatchApi(this IEndpointRouteBuilder app)
    {
        app.MapApiGroup("referrals", "Referrals")
            .MapPost("/batch", CreateBatchAsync)
            .RequireAuthorization(Scopes.ReferralsWrite)
            .WithName("CreateReferralBatch")
            .WithSummary("Record up to 500 newly identified people, each with its own idempotency key; the answer reports every item in the order sent.")
            .WithDescription(
                "Each item is validated and created on its own, as POST /api/v1/referrals with the item's key as Idempotency-Key: " +
                "`created`, `already-exists` (this organization used the key before with the same referral: `id` is the one created then), " +
                "or `refused` with the problem a single create would have answered (nothing of it was created). One refused item " +
                "never refuses the others. A key repeated within the batch refuses the later items. Keys are identifiers stored " +
                "in plain text: never put personal data in them. A batch counts as one request per item against the caller's rate limit.")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<Results<Ok<ReferralBatchResult>, ProblemHttpResult>> CreateBatchAsync(
        CreateReferralBatchRequest request,
        HttpContext http,
        IGrainFactory grains,
        CallerRateLimit rateLimit,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var caller = Caller.From(http.User);
        var errors = FieldErrors.Of(request).Required("items", request.Items);
        if (request.Items is { Count: 0 })
        {
            errors.Add("items", string.Create(CultureInfo.InvariantCulture, $"From 1 to {Limits.BatchItems} items."));
        }

        errors.ThrowIfAny();
        var items = request.Items!;
        if (rateLimit.Charge(http, items.Count) is { } tooMany)
        {
            return tooMany;
        }

        var results = await CreateAllAsync(items, caller, time.GetUtcNow(), grains, loggers.CreateLogger(typeof(BatchEndpoints)));
        return TypedResults.Ok(new ReferralBatchResult(results));
    }

    /// <summary>
    /// The batch's items, each validated and created on its own (at most <see cref="Concurrency"/> at a time, so that a
    /// batch never takes all of the silo's turns); the results in the order of the items. The API and the console's
    /// intake page both create through here.
    /// </summary>
    public static async Task<ReferralBatchItemResult[]> CreateAllAsync(
        IReadOnlyList<ReferralBatchItem?> items, Caller caller, DateTimeOffset now, IGrainFactory grains, ILogger logger)
    {
        var firstWithKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var results = new ReferralBatchItemResult[items.Count];
        var pending = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var key = items[i]?.IdempotencyKey;
            if (KeyProblem(key) is { } invalid)
            {
                results[i] = Refused(key, invalid);
            }
            else if (!firstWithKey.TryAdd(key!, i))
            {
                results[i] = Refused(key, ProblemException.Invalid(
                    "idempotencyKey", string.Create(CultureInfo.InvariantCulture, $"Item {firstWithKey[key!]} of this batch has the same key; each person needs a key of their own.")));
            }
            else
            {
                pending.Add(i);
            }
        }

        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = CancellationToken.None },
            async (i, _) => results[i] = await CreateOneAsync(i, items[i]!, caller, now, grains, logger));
        return results;
    }

    /// <summary>
    /// What would refuse an item before anything is created (its key, then the create's own validation), without creating
    /// it: the console's preview of an upload answers with the very problems the create would.
    /// </summary>
    public static ProblemException? Check(ReferralBatchItem item, Caller caller, DateTimeOffset now)
    {
        if (KeyProblem(item.IdempotencyKey) is { } invalid)
        {
            return invalid;
        }

        try
        {
            Command(item, caller, now);
            return null;
        }
        catch (ProblemException problem)
        {
            return problem;
        }
    }

    private static ReferralCommand.Create Command(ReferralBatchItem item, Caller caller, DateTimeOffset now) =>
        item.Referral is { } referral
            ? ReferralCommand.Create.From(referral, caller, now, ReferralEndpoints.RequestHash(referral))
            : throw ProblemException.Invalid("referral", "Required.");

    /// <summary>
    /// One item, as the single create: the command's validation, then the grain the organization and key name. Whatever
    /// refuses it is its own problem; no exception leaves, so that the other items go on.
    /// </summary>
    private static async Task<ReferralBatchItemResult> CreateOneAsync(
        int index, ReferralBatchItem item, Caller caller, DateTimeOffset now, IGrainFactory grains, ILogger logger)
    {
        var key = item.IdempotencyKey!;
        try
        {
            var command = Command(item, caller, now);
            var (view, created) = await grains.GetGrain<IReferralGrain>(ReferralEndpoints.IdFor(caller.OrganizationId, key)).CreateOnce(caller, command);
            return new ReferralBatchItemResult(key, created ? BatchItemStatus.Created : BatchItemStatus.AlreadyExists, view.Id, null);
        }
        catch (ProblemException problem)
        {
            return Refused(key, problem);
        }
        catch (Exception exception) when (ProblemExceptionHandler.IsUnavailable(exception))
        {
            // The item is not created (or its creation is complete and a retry with the key answers already-exists).
            logger.LogWarning(exception, "Batch item {Index} unavailable", index);
            return Refused(key, new ProblemException(ProblemKind.ServiceUnavailable, "The platform could not complete this item now; retry the batch shortly."));
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Unhandled error for batch item {Index}", index);
            return Refused(key, new ProblemException(ProblemKind.Internal, "An unexpected error occurred; it has been logged."));
        }
    }

    private static ProblemException? KeyProblem(string? key) => key switch
    {
        null or "" => ProblemException.Invalid("idempotencyKey", "Required."),
        { Length: > Limits.IdempotencyKey } => ProblemException.Invalid("idempotencyKey", RequestBounds.MaxLengthMessage(Limits.IdempotencyKey)),
        _ when !KeyPattern().IsMatch(key) => ProblemException.Invalid("idempotencyKey", $"Does not match {Limits.IdempotencyKeyPattern}."),
        _ => null,
    };

    private static ReferralBatchItemResult Refused(string? key, ProblemException problem) =>
        // A key that is not one (too long, other characters) is not repeated back: it may be anything the sender typed.
        new(KeyProblem(key) is null ? key : null, BatchItemStatus.Refused, null, ProblemOf(problem));

    /// <summary>One item's refusal (of a batch, of a return group's member) as the problem its own call would have answered.</summary>
    public static BatchItemProblem ProblemOf(ProblemException problem)
    {
        var details = Problems.Create(problem.Kind, problem.Detail, problem.Errors, problem.Code);
        return new BatchItemProblem(details.Type!, details.Title!, details.Status!.Value, details.Detail, problem.Code, problem.Errors);
    }

    [GeneratedRegex(Limits.IdempotencyKeyPattern, RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
