using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Account;

/// <summary>An invited person sets their first password through the one-time link; the link then no longer works.</summary>
[AllowAnonymous]
public sealed class InvitationModel(InvitationBook invitations, UserManager<Person> people) : PageModel
{
    public string? Token { get; private set; }

    public bool Valid { get; private set; }

    public bool Done { get; private set; }

    public string? Refusal { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? token)
    {
        Token = token;
        Valid = await invitations.FindAsync(token, HttpContext.RequestAborted) is not null;
        return Answer();
    }

    public async Task<IActionResult> OnPostAsync(string? token, string? password, string? confirmation)
    {
        Token = token;
        var invitation = await invitations.FindAsync(token, HttpContext.RequestAborted);
        var person = invitation is null ? null : await people.FindByIdAsync(invitation.PersonId);
        Valid = person is { IsDisabled: false } && !await people.HasPasswordAsync(person);
        if (!Valid)
        {
            return Answer();
        }

        Refusal = password != confirmation ? "PasswordsDiffer" : (password ?? "").Length < 12 ? "PasswordTooShort" : null;
        if (Refusal is not null)
        {
            return Answer();
        }

        // Used first, then the password: of two requests racing with the same link, one sets it.
        if (!await invitations.UseAsync(invitation!, HttpContext.RequestAborted))
        {
            Valid = false;
            return Answer();
        }

        var added = await people.AddPasswordAsync(person!, password!);
        if (!added.Succeeded)
        {
            Refusal = "PasswordTooShort";
            return Answer();
        }

        person!.EmailConfirmed = true;
        await people.UpdateAsync(person);
        Done = true;
        return Page();
    }

    private IActionResult Answer()
    {
        if (!Valid || Refusal is not null)
        {
            Response.StatusCode = Valid ? StatusCodes.Status400BadRequest : StatusCodes.Status404NotFound;
        }

        return Page();
    }
}
