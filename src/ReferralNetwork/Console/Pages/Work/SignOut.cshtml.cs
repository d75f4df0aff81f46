using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// Signing out ends the console session here and then, at the token server, every session of the person (border posts
/// share computers): after it, Back shows nothing, since no page was cached and the cookie is gone.
/// </summary>
public sealed class SignOutModel : WorkPage
{
    public IActionResult OnGet() => RedirectToPage("Home");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSignIn.Scheme);

        // What the intake page kept in this browser (its encrypted queue and key) goes with the session.
        Response.Headers["Clear-Site-Data"] = "\"storage\"";
        return Redirect("/connect/endsession");
    }
}
