using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// Records a person newly identified in the organization's country: the subject (kept in the compartment), where and
/// when, and the forms of exploitation. Minimal data is enough: a given name, sex and claimed nationality; the rest can
/// be completed on the subject page. The form's own key makes a double submission create one referral, not two.
/// </summary>
public sealed class NewReferralModel(PersonTime time) : WorkPage
{
    [BindProperty]
    public Input Form { get; set; } = new();

    public void OnGet()
    {
        Form = new Input { SubmissionKey = Guid.NewGuid().ToString("N"), IdentifiedAt = time.LocalInput(Now) };
    }

    public Task<IActionResult> OnPostAsync()
    {
        var id = ReferralEndpoints.IdFor(Caller.OrganizationId, $"console:{Form.SubmissionKey}");
        return CommandAsync(
            async () =>
            {
                var dateOfBirth = time.ParseDate(Form.DateOfBirth);
                if (Form.DateOfBirth is { Length: > 0 } && dateOfBirth is null)
                {
                    throw ReferralNetwork.Http.ProblemException.Invalid("subject.dateOfBirth", "Not a date.");
                }

                var identifiedAt = time.ParseLocalTime(Form.IdentifiedAt);
                var request = new CreateReferralRequest(
                    new SubjectInput(Form.GivenName, Form.FamilyName, Form.Sex, dateOfBirth, Form.Nationality, Form.Languages is { Length: > 0 } l ? [.. l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : []),
                    Caller.Country, identifiedAt, Form.Exploitation, string.IsNullOrWhiteSpace(Form.Summary) ? null : Form.Summary);

                // The same submission (a double click, a retried post) reaches the same referral and is answered as before.
                var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request)));
                await Referral(id).Create(Caller, ReferralCommand.Create.From(request, Caller, Now, hash));
            },
            "Done.Create",
            () => RedirectToPage("Referral", new { id }),
            () => Task.FromResult<IActionResult>(Page()));
    }

    /// <summary>What the form posts; names are kept out of the URL (a POST body, and the page is never cached).</summary>
    public sealed class Input
    {
        public string SubmissionKey { get; set; } = "";

        public string? GivenName { get; set; }

        public string? FamilyName { get; set; }

        public Sex? Sex { get; set; }

        public string? DateOfBirth { get; set; }

        public string? Nationality { get; set; }

        public string? Languages { get; set; }

        public string? IdentifiedAt { get; set; }

        public List<ExploitationForm> Exploitation { get; set; } = [];

        public string? Summary { get; set; }
    }
}
