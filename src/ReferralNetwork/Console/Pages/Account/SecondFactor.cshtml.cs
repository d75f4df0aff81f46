using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Account;

/// <summary>The second step of signing in: a code from the authenticator app, or one of the recovery codes.</summary>
[AllowAnonymous]
public sealed class SecondFactorModel(SignInFlow flow) : SignInPage
{
    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        Return(returnUrl);
        return await flow.PendingAsync() is null ? RedirectToPage("Login", new { returnUrl = ReturnUrl }) : Page();
    }

    public async Task<IActionResult> OnPostAsync(string? code, bool recovery, string? returnUrl)
    {
        Return(returnUrl);
        if (await flow.PendingAsync() is null)
        {
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        return string.IsNullOrWhiteSpace(code) ? Refuse(SignInFlow.Outcome.WrongPassword) : Next(await flow.SecondFactorAsync(code, recovery));
    }
}
