using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.WebEncoders;

namespace ReferralNetwork.WebConsole;

/// <summary>
/// The web console people use (DESIGN §7): server-rendered Razor Pages under <c>Console/Pages</c>, in six languages,
/// with the fonts of their scripts served from <c>wwwroot/fonts</c>. The namespace is <c>WebConsole</c> so that
/// <c>Console.WriteLine</c> keeps meaning <see cref="System.Console"/> everywhere in <c>ReferralNetwork.*</c>.
/// </summary>
public static class ConsoleFeature
{
    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        // Resources/X.Y.resx holds the strings of the class ReferralNetwork.X.Y (WebConsole.ConsoleText, People.SignInText).
        builder.Services.AddLocalization(o => o.ResourcesPath = "Console/Resources");
        builder.Services.AddRazorPages(o =>
            {
                o.RootDirectory = "/Console/Pages";

                // Every page of the work is for people signed in to the console; the rest (landing, sign-in) is public.
                o.Conventions.AuthorizeFolder("/Work", ConsoleSignIn.Scheme);
            })
            .AddViewLocalization();
        builder.AddConsoleSignIn();
        // Pages are UTF-8: Khmer written as itself, not as &#x1780; (eight times the bytes on a slow link). HTML's
        // special characters are still escaped; JSON has its own encoder and is not affected.
        builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        var intake = builder.Configuration.GetSection(IntakeOptions.Section).Get<IntakeOptions>() ?? new IntakeOptions();
        intake.Validate();
        builder.Services.AddSingleton(intake);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped(services => PersonTime.Of(services.GetRequiredService<IHttpContextAccessor>().HttpContext
            ?? throw new InvalidOperationException("PersonTime belongs to a request.")));
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = ConsoleLanguages.All.Select(l => l.Culture).ToList();
            o.DefaultRequestCulture = new RequestCulture(ConsoleLanguages.English.Code);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentCultures = true; // th-TH in Accept-Language is Thai
            o.FallBackToParentUICultures = true;

            // An explicit choice (the chooser's cookie; the sign-in will set it from the person's profile) wins over
            // what the browser says; no query-string culture, so that a link cannot switch someone's language.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return builder;
    }

    /// <summary>Language of every request, and the hygiene headers of the console's responses (not the API's).</summary>
    public static WebApplication UseConsole(this WebApplication app)
    {
        // Only pages are localized: the API's answers never depend on the caller's Accept-Language.
        app.UseWhen(PageHygiene.IsPage, console => console.UseRequestLocalization());
        app.Use(PageHygiene.Apply);
        return app;
    }

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        // Fingerprinted URLs (asp-append-version and the manifest) cached for a year; public like the page that loads them.
        app.MapStaticAssets().AllowAnonymous().WithMetadata(PageHygiene.StaticAsset);
        app.MapRazorPages().WithStaticAssets().WithMetadata(PageHygiene.Page);
        return app;
    }
}
