using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// The person's identity: shown only after the reader says why (a purpose from the fixed list and an optional note,
/// both recorded in the access log), only in the answer to that POST (never in a URL, never cached), and only to the
/// holder and to participants a consent covers. Break-the-glass opens it for 3 hours with a written reason; the holder
/// sees the access log, and corrects the subject here.
/// </summary>
public sealed class SubjectModel(PersonTime time) : WorkPage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty]
    public int? Version { get; set; }

    public ReferralView View { get; private set; } = null!;

    /// <summary>The subject, once read for a purpose in this request; null until then.</summary>
    public SubjectView? Subject { get; private set; }

    public AccessPurpose? ReadFor { get; private set; }

    public IReadOnlyList<AccessLogEntry>? AccessLog { get; private set; }

    public DateTimeOffset At { get; private set; }

    public bool IsHolder => View.Holder == Caller.OrganizationId;

    public EmergencyAccessView? OpenEmergency => View.EmergencyAccess.LastOrDefault(e => e.OrganizationId == Caller.OrganizationId && e.Until > At);

    public Task<IActionResult> OnGetAsync() => ShowAsync(read: null);

    public Task<IActionResult> OnPostReadAsync(AccessPurpose? purpose, string? note) =>
        purpose is { } why
            ? ShowAsync(read: (why, string.IsNullOrWhiteSpace(note) ? null : note.Trim()))
            : CommandAsync(() => throw ProblemException.Invalid("purpose", "Say why you read the subject."), "", () => Page(), () => ShowAsync(null));

    public Task<IActionResult> OnPostEmergencyAsync(string? reason) => CommandAsync(
        () => Referral(Id).OpenEmergencyAccess(Caller, Version, ReferralCommand.OpenEmergencyAccess.From(new EmergencyAccessRequest(string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()))),
        "Done.Emergency",
        () => RedirectToPage(new { Id }),
        () => ShowAsync(null));

    public Task<IActionResult> OnPostCorrectAsync(string? givenName, string? familyName, Sex? sex, string? dateOfBirth, string? nationality, string? languages, string? summary) =>
        CommandAsync(
            async () =>
            {
                var born = time.ParseDate(dateOfBirth);
                if (dateOfBirth is { Length: > 0 } && born is null)
                {
                    throw ProblemException.Invalid("dateOfBirth", "Not a date.");
                }

                var request = new SubjectCorrectionRequest(givenName, familyName, sex, born, nationality,
                    languages is { Length: > 0 } ? [.. languages.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [],
                    string.IsNullOrWhiteSpace(summary) ? null : summary);
                await Referral(Id).CorrectSubject(Caller, Version, ReferralCommand.CorrectSubject.From(request, Now));
            },
            "Done.Correct",
            () => RedirectToPage(new { Id }),
            () => ShowAsync(null));

    /// <summary>
    /// A document or photo of the compartment, opened for the purpose the identity was read for (a code from the fixed
    /// list: no free text in the address); every opening is recorded in the access log like a read of the subject.
    /// </summary>
    public async Task<IActionResult> OnGetDocumentAsync(Guid documentId, AccessPurpose? purpose)
    {
        if (purpose is not { } why)
        {
            return BadRequest();
        }

        try
        {
            var (document, content) = await Referral(Id).ReadDocument(Caller, documentId, why, note: null);
            Response.Headers.ContentDisposition = $"inline; filename=\"{Labels.Api(document.Kind)}-{document.Id:N}{Extension(document.ContentType)}\"";
            return File(content, document.ContentType);
        }
        catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
        {
            return NotFoundPage();
        }
    }

    private static string Extension(string contentType) => contentType switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "application/pdf" => ".pdf",
        _ => "",
    };

    private async Task<IActionResult> ShowAsync((AccessPurpose Purpose, string? Note)? read)
    {
        At = Now;
        try
        {
            var grain = Referral(Id);
            View = await grain.Get(Caller);
            await LoadDirectoryAsync();
            if (IsHolder)
            {
                AccessLog = await grain.GetAccessLog(Caller);
            }

            if (read is { } r)
            {
                Subject = await grain.ReadSubject(Caller, r.Purpose, r.Note);
                ReadFor = r.Purpose;
            }

            return Page();
        }
        catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound && View is not null && read is not null)
        {
            // The referral is visible but its compartment is not (no consent covers this organization): say so, show nothing.
            return await CommandAsync(() => throw new ProblemException(ProblemKind.Forbidden, "No consent covers this organization.", code: "subject-not-shared"), "", Page, () => ShowAsync(null));
        }
        catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
        {
            return NotFoundPage();
        }
    }
}
