using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using ReferralNetwork.Http;
using ReferralNetwork.People;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>The person's own settings: the console's language and time zone (kept in their profile), and their password.</summary>
public sealed class MeModel(UserManager<Person> people) : WorkPage
{
    /// <summary>The time zones of the region's countries, and UTC.</summary>
    public static IReadOnlyList<string> Zones { get; } =
        ["Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Phnom_Penh", "Asia/Vientiane", "Asia/Yangon", "Asia/Shanghai", "Asia/Jakarta", "Africa/Addis_Ababa", "UTC"];

    public Person Person { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFoundPage();

    public async Task<IActionResult> OnPostSettingsAsync(string? language, string? zone)
    {
        if (!await LoadAsync())
        {
            return NotFoundPage();
        }

        return await CommandAsync(
            async () =>
            {
                var chosen = ConsoleLanguages.Of(language) is { } l && l.Code == language ? l : throw ProblemException.Invalid("language", "One of en, vi, km, lo, my, th.");
                if (zone is not null && !Zones.Contains(zone))
                {
                    throw ProblemException.Invalid("zone", "A time zone of the list.");
                }

                Person.Language = chosen.Code;
                Person.TimeZone = zone;
                await people.UpdateAsync(Person);
                ConsoleLanguages.Remember(HttpContext, chosen);
                await RenewSessionAsync(zone);
            },
            "Done.Settings",
            () => RedirectToPage(),
            () => Task.FromResult<IActionResult>(Page()));
    }

    public async Task<IActionResult> OnPostPasswordAsync(string? current, string? password, string? confirmation)
    {
        if (!await LoadAsync())
        {
            return NotFoundPage();
        }

        return await CommandAsync(
            async () =>
            {
                if (string.IsNullOrEmpty(password) || password != confirmation)
                {
                    throw ProblemException.Invalid("confirmation", "The new password and its confirmation differ.");
                }

                var changed = await people.ChangePasswordAsync(Person, current ?? "", password);
                if (!changed.Succeeded)
                {
                    throw new ProblemException(ProblemKind.Validation, "The password was not changed.",
                        new Dictionary<string, string[]> { ["password"] = [.. changed.Errors.Select(e => e.Description)] });
                }
            },
            "Done.Password",
            () => RedirectToPage(),
            () => Task.FromResult<IActionResult>(Page()));
    }

    private async Task<bool> LoadAsync()
    {
        if (Caller.Person is not { } id || await people.FindByIdAsync(id) is not { } person)
        {
            return false;
        }

        Person = person;
        return true;
    }

    /// <summary>The console cookie carries the time zone the pages use: issued again with the new one, same sign-in time.</summary>
    private async Task RenewSessionAsync(string? zone)
    {
        var identity = new ClaimsIdentity(User.Claims.Where(c => c.Type != PersonTime.ZoneClaim), ConsoleSignIn.Scheme, OpenIddict.Abstractions.OpenIddictConstants.Claims.Subject, OpenIddict.Abstractions.OpenIddictConstants.Claims.Role);
        if (zone is not null)
        {
            identity.AddClaim(new Claim(PersonTime.ZoneClaim, zone));
        }

        await HttpContext.SignInAsync(ConsoleSignIn.Scheme, new ClaimsPrincipal(identity));
    }
}
