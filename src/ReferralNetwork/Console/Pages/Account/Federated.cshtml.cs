using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.People;
using ReferralNetwork.Storage;

namespace ReferralNetwork.WebConsole.Pages.Account;

/// <summary>
/// Signing in through a country's own identity provider: the button sends the person there, and its answer comes back
/// here (through Identity's external cookie) to be mapped to a person of the platform, who then goes on as after a password.
/// </summary>
[AllowAnonymous]
public sealed partial class FederatedModel(
    SignInFlow flow, Federation federation, UserManager<Person> people, PlatformDbContext db, ILogger<FederatedModel> log) : SignInPage
{
    public IActionResult OnPost(string? provider, string? returnUrl)
    {
        Return(returnUrl);
        if (provider is null || !federation.Providers.ContainsKey(provider))
        {
            Refusal = "FederatedFailed";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var properties = new AuthenticationProperties { RedirectUri = Url.Page("Federated", "Done", new { returnUrl = ReturnUrl }) };
        properties.Items[Federation.ProviderItem] = provider;
        return Challenge(properties, Federation.SchemeOf(provider));
    }

    public async Task<IActionResult> OnGetDoneAsync(string? returnUrl)
    {
        Return(returnUrl);
        var answer = await HttpContext.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!answer.Succeeded || answer.Properties?.Items.TryGetValue(Federation.ProviderItem, out var name) != true || name is null
            || !federation.Providers.TryGetValue(name, out var provider))
        {
            return OnGetFailed();
        }

        var person = await federation.PersonOfAsync(provider, answer.Principal!, people, db, HttpContext.RequestAborted);
        if (person is null)
        {
            // Who the provider named is personal data: the log says only which provider's answer matched no one.
            LogNoPerson(log, name);
            Refusal = "NoFederatedAccount";
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        return Next(await flow.FederatedAsync(person, Federation.GaveSecondFactor(provider, answer.Principal!)));
    }

    /// <summary>Where a provider's refusal, an abandoned sign-in or a stale tab lands.</summary>
    public IActionResult OnGetFailed()
    {
        Refusal = "FederatedFailed";
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    [LoggerMessage(LogLevel.Information, "A sign-in through {Provider} named no person of its countries")]
    private static partial void LogNoPerson(ILogger log, string provider);
}
