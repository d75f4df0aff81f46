using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ReferralNetwork.WebConsole.Pages;

/// <summary>
/// The language chooser's target. GET shows the choice on a page of its own; POST (antiforgery-checked, as every
/// Razor Pages form) remembers the choice in the culture cookie and goes back to the page it came from, which must be
/// a local URL: anything else goes to the landing page, so the chooser cannot be used as an open redirect.
/// </summary>
[AllowAnonymous]
public sealed class LanguageModel : PageModel
{
    public void OnGet()
    {
    }

    public IActionResult OnPost(string? culture, string? returnUrl)
    {
        if (ConsoleLanguages.Of(culture) is not { } language || language.Code != culture)
        {
            return BadRequest();
        }

        ConsoleLanguages.Remember(HttpContext, language);
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
