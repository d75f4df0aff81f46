using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Account;

/// <summary>The sign-in page of the platform's OpenID Connect server: name and password, then the second factor.</summary>
[AllowAnonymous]
public sealed class LoginModel(SignInFlow flow, Federation federation) : SignInPage
{
    public string? Name { get; private set; }

    /// <summary>The countries' own identity providers, each a button beside the password form.</summary>
    public IReadOnlyDictionary<string, FederatedProvider> Providers => federation.Providers;

    public void OnGet(string? returnUrl) => Return(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? name, string? password, string? returnUrl)
    {
        Return(returnUrl);
        Name = name;
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrEmpty(password))
        {
            return Refuse(SignInFlow.Outcome.WrongPassword);
        }

        return Next(await flow.PasswordAsync(name, password));
    }
}
