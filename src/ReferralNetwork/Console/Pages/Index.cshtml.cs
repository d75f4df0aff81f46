using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ReferralNetwork.WebConsole.Pages;

/// <summary>
/// The platform's address: people come here first, so it leads straight into the console, which asks for a sign-in
/// (the sign-in page says what the platform is for) and then shows the work waiting.
/// </summary>
[AllowAnonymous]
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/console");
}
