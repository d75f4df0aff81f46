using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using Claims = OpenIddict.Abstractions.OpenIddictConstants.Claims;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// Bulk intake (issue 17): a CSV list of people is previewed row by row with the API's own validation, then imported
/// through the batch API's code path in chunks of at most <see cref="Limits.BatchItems"/>, each created at most
/// <see cref="BatchEndpoints.Concurrency"/> at a time, so that a long list never takes the silo's turns from everyone
/// else. Between preview and import the file is nowhere on the server: the preview form carries it back, sealed with
/// Data Protection for this person and for an hour. Each row's key is the file's fingerprint and its row number, so an
/// import sent again (a dropped connection, a second click, the same file tomorrow) creates nobody twice.
/// The quick-entry form posts to <see cref="OnPostQueueAsync"/>: people typed at a border post, kept in the browser's
/// encrypted queue while the connection is down (wwwroot/intake-queue.js), each with the key it got when typed.
/// </summary>
// A file up to three times the largest accepted is still answered by the page, in the person's language, as too large.
[RequestFormLimits(MultipartBodyLengthLimit = 3L * IntakeUpload.MaxBytes, ValueLengthLimit = SealedLimit)]
[RequestSizeLimit(3L * IntakeUpload.MaxBytes)]
public sealed class IntakeModel(IDataProtectionProvider protection, CallerRateLimit rateLimit, PersonTime time, IntakeOptions options, ILogger<IntakeModel> logger) : WorkPage
{
    /// <summary>The sealed file: compressed, it is far smaller than the file; the limit leaves room for a file that does not compress.</summary>
    private const int SealedLimit = IntakeUpload.MaxBytes * 2;

    private static readonly TimeSpan SealedFor = TimeSpan.FromHours(1);

    /// <summary>
    /// One chunk of one import at a time in this process: two people importing long lists take turns, chunk by chunk,
    /// rather than double what bulk work takes from the silo (at most <see cref="BatchEndpoints.Concurrency"/> creations).
    /// </summary>
    private static readonly SemaphoreSlim BulkTurn = new(1, 1);

    /// <summary>
    /// Where an import of a long list got to, sealed like the file (the continue form's hidden field): each row imported so
    /// far and what became of it. A list longer than <see cref="IntakeOptions.RowsPerRequest"/> is imported over several
    /// requests, each answered with where it got to, so that no request outlasts a proxy's timeout.
    /// </summary>
    [BindProperty]
    public string? Progress { get; set; }

    /// <summary>While a long list is imported: the rows done and of how many (the page then continues by itself).</summary>
    public (int Done, int Of)? Importing { get; private set; }

    /// <summary>The file, sealed for the import (the preview form's hidden field).</summary>
    [BindProperty]
    public string? Upload { get; set; }

    public IntakeUpload? Preview { get; private set; }

    /// <summary>The date given to rows without one (the day of the preview, in the person's time zone).</summary>
    public DateOnly IdentifiedOn { get; private set; }

    /// <summary>Why the file was refused whole (<c>Intake.File.{code}</c>), and what of it was wrong.</summary>
    public IntakeFileException? FileRefused { get; private set; }

    public IReadOnlyList<ImportedRow>? Imported { get; private set; }

    /// <summary>When the page was made: the quick-entry form's time of identification, the same each time that form is posted.</summary>
    public string MadeAt => Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Names whose the browser's queue is (the person, hashed): a page of another person wipes the queue and its key
    /// rather than use them. Not the sign-in: a border post offline for longer than the console's idle timeout signs in
    /// again to send what it typed, and must find it.
    /// </summary>
    public string QueueOwner => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"rn-intake-queue\n{Caller.OrganizationId}\n{User.FindFirst(Claims.Subject)?.Value}")).AsSpan(0, 16));

    public IActionResult OnGet() => NotForThisPerson() ?? Page();

    public async Task<IActionResult> OnPostPreviewAsync(IFormFile? file)
    {
        if (NotForThisPerson() is { } refused)
        {
            return refused;
        }

        var content = await ContentOfAsync(file);
        if (content is null)
        {
            return Page();
        }

        IdentifiedOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, time.Zone).DateTime);
        if (ReadOrRefuse(content) is not { } upload)
        {
            return Page();
        }

        Preview = upload;
        Upload = Seal(content, IdentifiedOn);
        return Page();
    }

    public async Task<IActionResult> OnPostImportAsync()
    {
        if (NotForThisPerson() is { } refused)
        {
            return refused;
        }

        var (content, identifiedOn) = Unseal(Upload);
        if (content is null)
        {
            FileRefused = new IntakeFileException("expired");
            Upload = null;
            return PageWith(StatusCodes.Status400BadRequest);
        }

        IdentifiedOn = identifiedOn;
        if (ReadOrRefuse(content) is not { } upload)
        {
            return Page();
        }

        var valid = upload.Rows.Where(r => r.Problems.Count == 0).ToList();
        var done = Progress is null ? [] : UnsealProgress(Progress);
        if (done is null || done.Count > valid.Count)
        {
            FileRefused = new IntakeFileException("expired");
            Upload = Progress = null;
            return PageWith(StatusCodes.Status400BadRequest);
        }

        var results = new Dictionary<int, ImportedRow>();
        foreach (var row in upload.Rows.Where(r => r.Problems.Count > 0))
        {
            results[row.Number] = new ImportedRow(row.Number, BatchItemStatus.Refused, row.Problems);
        }

        for (var i = 0; i < done.Count; i++)
        {
            results[valid[i].Number] = done[i] with { Number = valid[i].Number };
        }

        var turn = valid.Skip(done.Count).Take(options.RowsPerRequest).ToList();
        foreach (var chunk in turn.Chunk(Limits.BatchItems))
        {
            // Each chunk counts against the person's rate limit as the batch API counts it; past the limit, the rest waits for another import.
            if (rateLimit.Charge(HttpContext, chunk.Length) is not null)
            {
                foreach (var row in valid.Where(r => !results.ContainsKey(r.Number)))
                {
                    results[row.Number] = new ImportedRow(row.Number, BatchItemStatus.Refused, [new IntakeProblem("", "Refusal.kind-too-many-requests", null)]);
                }

                break;
            }

            ReferralBatchItemResult[] answers;
            await BulkTurn.WaitAsync(CancellationToken.None);
            try
            {
                answers = await BatchEndpoints.CreateAllAsync([.. chunk.Select(r => r.Item)], Caller, Now, Grains, logger);
            }
            finally
            {
                BulkTurn.Release();
            }

            for (var i = 0; i < chunk.Length; i++)
            {
                var answer = answers[i];
                results[chunk[i].Number] = new ImportedRow(chunk[i].Number, answer.Status, answer.Problem is { } problem ? IntakeUpload.ProblemsOf(problem) : []);
            }
        }

        var imported = valid.TakeWhile(r => results.ContainsKey(r.Number)).Count();
        if (imported < valid.Count)
        {
            // More to do: this request says where it got to, and the page sends the next turn (by itself, or by a button).
            Importing = (imported, valid.Count);
            Progress = SealProgress([.. valid.Take(imported).Select(r => results[r.Number])]);
            return Page();
        }

        Progress = null;
        Imported = [.. results.Values.OrderBy(r => r.Number)];
        logger.LogInformation(
            "Intake import of {Rows} rows: {Created} created, {Existing} already there, {Refused} refused",
            Imported.Count, Imported.Count(r => r.Status == BatchItemStatus.Created), Imported.Count(r => r.Status == BatchItemStatus.AlreadyExists), Imported.Count(r => r.Status == BatchItemStatus.Refused));
        return Page();
    }

    /// <summary>
    /// The quick-entry form posted without the page's script (or with it, while online): one person, created as the
    /// queue creates them, under the key the form got when the page was made, so that posting it twice records one.
    /// </summary>
    public Task<IActionResult> OnPostQuickAsync(string? quickKey, string? quickName, string? quickSex, string? quickNationality, DateTimeOffset? quickAt)
    {
        if (NotForThisPerson() is { } refused)
        {
            return Task.FromResult(refused);
        }

        return CommandAsync(
            async () =>
            {
                var answer = (await CreateQueuedAsync([new QueuedPerson(quickKey, quickName, quickSex, quickNationality, quickAt)]))[0];
                if (answer.Problem is { } problem)
                {
                    throw new Http.ProblemException(
                        problem.Type == Http.Problems.TypeOf(Http.ProblemKind.Validation) ? Http.ProblemKind.Validation : Http.Problems.KindOf(problem.Status),
                        problem.Detail ?? problem.Title,
                        problem.Errors?.ToDictionary(e => e.Key, e => e.Value),
                        problem.Code);
                }
            },
            "Done.Intake",
            () => RedirectToPage(),
            () => Task.FromResult<IActionResult>(Page()));
    }

    /// <summary>
    /// The browser's queue, sent when the connection is back: each entry with the key it got when typed, created through
    /// the batch code path, so that an entry sent twice (its answer lost on the way) is the same referral. Answers JSON.
    /// </summary>
    public async Task<IActionResult> OnPostQueueAsync([FromBody] QueuedPeople? queued)
    {
        if (!Caller.Has(Scopes.ReferralsWrite))
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        if (queued?.Items is not { Count: > 0 and <= Limits.BatchItems } entries)
        {
            return BadRequest();
        }

        if (rateLimit.Charge(HttpContext, entries.Count) is not null)
        {
            return StatusCode(StatusCodes.Status429TooManyRequests);
        }

        var answers = await CreateQueuedAsync(entries);
        return new JsonResult(new QueueAnswer([.. entries.Zip(answers, (e, a) =>
            new QueueItemAnswer(e.Key, Labels.Api(a.Status), a.Problem is { } p ? [.. IntakeUpload.ProblemsOf(p).Select(x => x.Key)] : null))]));
    }

    /// <summary>People typed on the page: the minimum of intake (the rest is completed on each referral), created through the batch code path.</summary>
    private Task<ReferralBatchItemResult[]> CreateQueuedAsync(IReadOnlyList<QueuedPerson> entries)
    {
        // When it was typed is when the person was met; a browser clock ahead of the platform's is read as now.
        var now = Now;
        var items = entries.Select(e => new ReferralBatchItem(
            e.Key is { Length: > 0 } key ? "queue-" + key : null,
            new CreateReferralRequest(
                new SubjectInput(e.GivenName, null, Enum.GetValues<Sex>().Where(s => Labels.Api(s) == e.Sex).Cast<Sex?>().FirstOrDefault(), null, e.Nationality?.ToUpperInvariant(), []),
                Caller.Country,
                e.TypedAt is { } typed && typed < now ? typed : now,
                [ExploitationForm.Other],
                null))).ToList();
        return BatchEndpoints.CreateAllAsync(items, Caller, now, Grains, logger);
    }

    private IActionResult? NotForThisPerson() =>
        Caller.Has(Scopes.ReferralsWrite) ? null : Refused(Http.RefusalCode.RoleDoesNotAllow, StatusCodes.Status403Forbidden);

    private async Task<byte[]?> ContentOfAsync(IFormFile? file)
    {
        if (file is null || file.Length == 0)
        {
            FileRefused = new IntakeFileException("empty");
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        if (file.Length > IntakeUpload.MaxBytes)
        {
            FileRefused = new IntakeFileException("too-large");
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        using var memory = new MemoryStream((int)file.Length);
        await file.CopyToAsync(memory, HttpContext.RequestAborted);
        return memory.ToArray();
    }

    private IntakeUpload? ReadOrRefuse(byte[] content)
    {
        try
        {
            return IntakeUpload.Read(content, IdentifiedOn, Caller, time, Now);
        }
        catch (IntakeFileException refused)
        {
            FileRefused = refused;
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }
    }

    private IActionResult PageWith(int status)
    {
        HttpContext.Response.StatusCode = status;
        return Page();
    }

    private ITimeLimitedDataProtector Protector() =>
        protection.CreateProtector("ReferralNetwork.Console.Intake", Caller.OrganizationId, User.FindFirst(Claims.Subject)?.Value ?? "").ToTimeLimitedDataProtector();

    /// <summary>The file and its date, compressed and sealed for this person: what the preview form carries to the import.</summary>
    private string Seal(byte[] content, DateOnly identifiedOn)
    {
        using var sealedBytes = new MemoryStream();
        sealedBytes.Write(BitConverter.GetBytes(identifiedOn.DayNumber));
        using (var gzip = new GZipStream(sealedBytes, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return Convert.ToBase64String(Protector().Protect(sealedBytes.ToArray(), Now.Add(SealedFor)));
    }

    private (byte[]? Content, DateOnly IdentifiedOn) Unseal(string? upload)
    {
        if (string.IsNullOrEmpty(upload))
        {
            return default;
        }

        try
        {
            var opened = Protector().Unprotect(Convert.FromBase64String(upload), out _);
            using var gzip = new GZipStream(new MemoryStream(opened, 4, opened.Length - 4), CompressionMode.Decompress);
            using var content = new MemoryStream();
            gzip.CopyTo(content);
            return content.Length > IntakeUpload.MaxBytes ? default : (content.ToArray(), DateOnly.FromDayNumber(BitConverter.ToInt32(opened, 0)));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or InvalidDataException or ArgumentException)
        {
            // Older than an hour, sealed for someone else, or not sealed by the platform at all.
            return default;
        }
    }

    /// <summary>The rows imported so far, in the order of the list's valid rows, sealed for this person for as long as the file.</summary>
    private string SealProgress(IReadOnlyList<ImportedRow> rows)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(rows.Select(r => new ProgressRow(r.Status, r.Problems)).ToList(), ProgressJson);
        return Convert.ToBase64String(Protector().Protect(json, Now.Add(SealedFor)));
    }

    /// <summary>The rows imported so far (their numbers are the list's), or null when the progress is not this person's, or too old.</summary>
    private List<ImportedRow>? UnsealProgress(string progress)
    {
        try
        {
            var rows = JsonSerializer.Deserialize<List<ProgressRow>>(Protector().Unprotect(Convert.FromBase64String(progress), out _), ProgressJson);
            return rows?.Select(r => new ImportedRow(0, r.Status, r.Problems)).ToList();
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static readonly JsonSerializerOptions ProgressJson = new(JsonSerializerDefaults.Web);

    private sealed record ProgressRow(BatchItemStatus Status, IReadOnlyList<IntakeProblem> Problems);

    /// <summary>What became of one row of the import.</summary>
    public sealed record ImportedRow(int Number, BatchItemStatus Status, IReadOnlyList<IntakeProblem> Problems);

    /// <summary>People of the browser's queue: a name or a placeholder, sex, claimed nationality, and the key each got when typed.</summary>
    public sealed record QueuedPeople(IReadOnlyList<QueuedPerson>? Items);

    public sealed record QueuedPerson(string? Key, string? GivenName, string? Sex, string? Nationality, DateTimeOffset? TypedAt);

    public sealed record QueueAnswer(IReadOnlyList<QueueItemAnswer> Items);

    /// <summary>An entry's answer: <c>created</c>, <c>already-exists</c> (both mean it may leave the queue) or <c>refused</c>, with the text keys of why.</summary>
    public sealed record QueueItemAnswer(string? Key, string Status, IReadOnlyList<string>? Problems);
}
