using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Identity;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.People;

/// <summary>Signing in brings the console into the person's own language, the one their profile names.</summary>
public sealed class SignInLanguageTests(SharedPlatform platform)
{
    private const string Password = "a long passphrase of words";

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Signing_in_sets_the_console_language_of_the_persons_profile()
    {
        var name = await PersonAsync("km");
        using var login = await PersonLogin.ForAsync(Factory);
        var (page, _) = await login.StartAsync();
        await login.PasswordAsync(page, name, Password);

        var culture = login.Browser.Cookies(new Uri(PlatformFactory.Issuer))[".AspNetCore.Culture"];
        Assert.NotNull(culture);
        Assert.Equal("c=km|uic=km", Uri.UnescapeDataString(culture.Value));
    }

    [Fact]
    public async Task A_profile_left_at_the_default_English_leaves_the_browsers_language_alone()
    {
        var name = await PersonAsync("en");
        using var login = await PersonLogin.ForAsync(Factory);
        var (page, _) = await login.StartAsync();
        var signedIn = await login.PasswordAsync(page, name, Password);

        // Signed in (the flow went on to the client), and no culture cookie came with it.
        Assert.StartsWith(PersonLogin.RedirectUri, signedIn.Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Null(login.Browser.Cookies(new Uri(PlatformFactory.Issuer))[".AspNetCore.Culture"]);
    }

    private async Task<string> PersonAsync(string language)
    {
        var name = $"officer-{language}-{Guid.NewGuid():N}@th-focal-point";
        await using var scope = Factory.Services.CreateAsyncScope();
        var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = new Person { OrganizationId = "th-focal-point", UserName = name, Email = name, Roles = PersonRoles.Officer, Language = language };
        var created = await people.CreateAsync(person, Password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        return name;
    }
}
