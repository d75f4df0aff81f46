using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Account;

/// <summary>
/// A person who must sign in with a second factor and has none sets it up here, between password and session:
/// the authenticator key, a code from it to confirm, then the recovery codes, shown once.
/// </summary>
[AllowAnonymous]
public sealed class SetUpSecondFactorModel(SignInFlow flow) : SignInPage
{
    public string FormattedKey { get; private set; } = "";

    public string AuthenticatorUri { get; private set; } = "";

    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        Return(returnUrl);
        if (await flow.PendingAsync() is not { } person)
        {
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        await ShowKeyAsync(person);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? code, string? returnUrl)
    {
        Return(returnUrl);
        if (await flow.PendingAsync() is not { } person)
        {
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        RecoveryCodes = string.IsNullOrWhiteSpace(code) ? null : await flow.CompleteSetUpAsync(person, code);
        if (RecoveryCodes is null)
        {
            await ShowKeyAsync(person);
            return Refuse(SignInFlow.Outcome.NeedsSecondFactor);
        }

        return Page();
    }

    private async Task ShowKeyAsync(Person person)
    {
        var key = await flow.AuthenticatorKeyAsync(person);
        FormattedKey = string.Join(' ', key.Chunk(4).Select(c => new string(c))).ToLowerInvariant();

        // The name in the app is the platform's; the account is the person's opaque id, not their address.
        AuthenticatorUri = $"otpauth://totp/ReferralNetwork:{UrlEncoder.Default.Encode(person.Id)}?secret={key}&issuer=ReferralNetwork&digits=6";
    }
}
