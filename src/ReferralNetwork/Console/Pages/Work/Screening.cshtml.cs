using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>
/// The indicator checklist in the person's language, grouped by the Palermo element each indicator stands for; the
/// outcome is computed by the workflow (never typed in) and shown on the referral once saved.
/// </summary>
public sealed class ScreeningModel : WorkPage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty]
    public int? Version { get; set; }

    public ReferralView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync()
    {
        try
        {
            View = await Referral(Id).Get(Caller);
            return Page();
        }
        catch (ReferralNetwork.Http.ProblemException problem) when (problem.Kind == ReferralNetwork.Http.ProblemKind.NotFound)
        {
            return NotFoundPage();
        }
    }

    public Task<IActionResult> OnPostAsync(List<string>? indicators) => CommandAsync(
        () => Referral(Id).Screen(Caller, Version, ReferralCommand.Screen.From(new ScreeningRequest(indicators ?? []))),
        "Done.Screen",
        () => RedirectToPage("Referral", new { id = Id }),
        OnGetAsync);

    /// <summary>The language the labels are shown in (English where the catalog has no label in it).</summary>
    public static string Language => (ConsoleLanguages.Of(System.Globalization.CultureInfo.CurrentUICulture.Name) ?? ConsoleLanguages.English).Code;

    public static IEnumerable<IGrouping<PalermoElement, Indicator>> Groups => IndicatorCatalog.All.GroupBy(i => i.Element);
}
