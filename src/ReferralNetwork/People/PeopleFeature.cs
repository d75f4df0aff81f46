using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReferralNetwork.Hosting;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.WebConsole;
using ReferralNetwork.Http;

namespace ReferralNetwork.People;

/// <summary>People: accounts of organizations (ASP.NET Core Identity on the platform database), their sign-in session.</summary>
public static class PeopleFeature
{
    /// <summary>The session cookie of a signed-in person (the platform's own pages and its sign-in).</summary>
    public const string SessionCookie = "rn-session";

    public static WebApplicationBuilder AddPeople(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        builder.DescribeApiTag("People", "An organization's admin manages its people: invitations, roles, disabling, second factors. Scope admin.");
        var options = TokenServerOptions.From(builder.Configuration);
        builder.Services.AddIdentityCore<Person>(o =>
            {
                // Staff names and addresses are sealed at rest (Storage/Protection/PersonalDataColumns).
                o.Stores.ProtectPersonalData = true;
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters += "+";

                // Length over composition rules (NIST SP 800-63B): a long passphrase is stronger than "Pa$$w0rd1".
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = options.LockoutDuration;
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddUserStore<UserOnlyStore<Person, PlatformDbContext>>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddPersonalDataProtection<LookupProtection, LookupProtection>();

        builder.Services.AddAuthentication().AddIdentityCookies();
        builder.AddFederation(platform, options);
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = SessionCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = options.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/login";
            o.ExpireTimeSpan = options.SessionLifetime;
            o.SlidingExpiration = true;
            o.Events.OnSigningIn = RememberLanguageAsync;
        });

        // A disabled person's session cookie is refused within a minute: disabling changes the security stamp.
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        // Cookies, antiforgery tokens and Identity's one-time tokens must open on every silo: one key ring, in the
        // platform database, each key sealed under the platform's own ring.
        builder.Services.AddDataProtection()
            .SetApplicationName("ReferralNetwork")
            .PersistKeysToDbContext<PlatformDbContext>();
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceProvider>((o, services) => o.XmlEncryptor = new SealedKeyXml.Encryptor(services));

        builder.Services.AddScoped<SignInFlow>();
        builder.Services.AddScoped<InvitationBook>();
        builder.Services.AddScoped<OrganizationPeople>();
        builder.Services.AddSingleton<Mailer>();
        builder.Services.AddSingleton<InvitationMail>();
        builder.Services.AddSingleton(builder.Configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions());
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.PlatformFeatures()
            .AddProductionCheck(PeopleProductionChecks.Refusals)
            .AddDemoNote($"Demo people     officer@<organization id> everywhere; supervisor@ and admin@ of focal points; admin@regional-secretariat;\n                  password \"{DemoPeople.DemoPassword}\", no second factor (development only)")
            .AddDemoSeed(async (services, cancellationToken) => await DemoPeople.SeedAsync(
                services.GetRequiredService<UserManager<Person>>(),
                await services.GetRequiredService<PlatformDbContext>().Set<Organizations.Organization>().AsNoTracking().ToListAsync(cancellationToken)));
        return builder;
    }

    public static WebApplication MapPeople(this WebApplication app)
    {
        // The sign-in pages are console pages (Console/Pages/Account): the console feature maps them and their languages.
        app.MapPeopleApi();
        return app;
    }

    /// <summary>The console's languages: English, Vietnamese, Khmer, Lao, Burmese, Thai.</summary>
    public static readonly string[] Languages = [.. ConsoleLanguages.All.Select(l => l.Code)];

    /// <summary>
    /// Signing in switches the console to the language of the person's profile, once it is one they (or the invitation)
    /// chose: the default, English, leaves the browser's own choice as it was.
    /// </summary>
    private static async Task RememberLanguageAsync(CookieSigningInContext context)
    {
        var people = context.HttpContext.RequestServices.GetRequiredService<UserManager<Person>>();
        if (await people.GetUserAsync(context.Principal!) is { } person
            && ConsoleLanguages.Of(person.Language) is { } language && language != ConsoleLanguages.English)
        {
            ConsoleLanguages.Remember(context.HttpContext, language);
        }
    }
}
