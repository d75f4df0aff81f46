using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ReferralNetwork.WebConsole.Pages;

/// <summary>The public landing page: what the platform is for, the language chooser, the way in.</summary>
[AllowAnonymous]
public sealed class IndexModel : PageModel;
