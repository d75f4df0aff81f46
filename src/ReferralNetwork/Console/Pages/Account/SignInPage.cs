using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Account;

/// <summary>What the sign-in pages share: where to go back to (this site only), and a refusal in plain words.</summary>
public abstract class SignInPage : PageModel
{
    public string ReturnUrl { get; protected set; } = "/";

    /// <summary>The text key of why the last attempt did not go through.</summary>
    public string? Refusal { get; protected set; }

    /// <summary>Only a path of this site: a sign-in page must never send a person elsewhere (open redirect).</summary>
    protected void Return(string? returnUrl) => ReturnUrl = Url.IsLocalUrl(returnUrl) ? returnUrl : "/";

    protected IActionResult Refuse(SignInFlow.Outcome outcome)
    {
        Refusal = outcome switch
        {
            SignInFlow.Outcome.LockedOut => "LockedOut",
            SignInFlow.Outcome.NotAllowed => "NotAllowed",
            SignInFlow.Outcome.WrongPassword => "WrongPassword",
            SignInFlow.Outcome.UseFederatedSignIn => "UseFederatedSignIn",
            _ => "WrongCode",
        };
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    protected IActionResult Next(SignInFlow.Outcome outcome) => outcome switch
    {
        SignInFlow.Outcome.SignedIn => LocalRedirect(ReturnUrl),
        SignInFlow.Outcome.NeedsSecondFactor => RedirectToPage("SecondFactor", new { returnUrl = ReturnUrl }),
        SignInFlow.Outcome.NeedsSecondFactorSetUp => RedirectToPage("SetUpSecondFactor", new { returnUrl = ReturnUrl }),
        _ => Refuse(outcome),
    };
}
