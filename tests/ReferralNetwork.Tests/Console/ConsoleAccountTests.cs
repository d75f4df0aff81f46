using System.Net;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Console;

/// <summary>A person's own account page: language and time zone kept in their profile and used by every page; the password changed only with the current one.</summary>
public sealed class ConsoleAccountTests
{
    [Fact]
    public async Task A_person_chooses_Khmer_and_Myanmar_time_and_changes_the_password_only_with_the_current_one()
    {
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path);
        var (session, _) = await ConsoleSession.SignInAsync(platform, "officer@th-focal-point");
        using var __ = session;

        var account = await session.GetAsync("/console/me");
        var saved = await session.SubmitAsync(account, "handler=Settings", new Dictionary<string, string> { ["language"] = "km", ["zone"] = "Asia/Yangon" });
        var refused = await session.SubmitAsync(saved, "handler=Password", new Dictionary<string, string>
        {
            ["current"] = "not the password", ["password"] = "a new long passphrase", ["confirmation"] = "a new long passphrase",
        });
        var changed = await session.SubmitAsync(saved, "handler=Password", new Dictionary<string, string>
        {
            ["current"] = "demo-password", ["password"] = "a new long passphrase", ["confirmation"] = "a new long passphrase",
        });
        var (again, home) = await ConsoleSession.SignInAsync(platform, "officer@th-focal-point", password: "a new long passphrase");
        using var ___ = again;

        Assert.Contains("lang=\"km\"", saved.Html, StringComparison.Ordinal);
        Assert.Contains("(UTC+6:30)", WebUtility.HtmlDecode(saved.Html), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal("/console", home.Url.AbsolutePath);
        Assert.Contains("lang=\"km\"", home.Html, StringComparison.Ordinal); // the profile's language, set again at sign-in
        Assert.Contains("(UTC+6:30)", WebUtility.HtmlDecode((await again.GetAsync("/console/me")).Html), StringComparison.Ordinal);
    }
}
