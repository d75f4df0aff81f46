using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using ReferralNetwork.Identity;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Account;

/// <summary>Signing out here ends every session of the person, like the end-session endpoint of the token server.</summary>
[AllowAnonymous]
public sealed class LogoutModel(SignInManager<Person> signIn, IOpenIddictTokenManager tokens, RevocationList revocations) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (session.Succeeded && await signIn.UserManager.GetUserAsync(session.Principal!) is { } person)
        {
            await PersonSignIn.EndEverySessionAsync(person, signIn.UserManager, tokens, revocations, HttpContext.RequestAborted);
        }

        await signIn.SignOutAsync();
        return LocalRedirect("/");
    }
}
