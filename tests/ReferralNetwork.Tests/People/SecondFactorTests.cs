using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using ReferralNetwork.Hosting;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.People;

/// <summary>
/// A second factor for those who must have one: on a platform that requires it of focal points (production's
/// default), a focal point's officer gets no code without it, sets it up at the first sign-in, uses it after.
/// </summary>
public sealed class SecondFactorTests : IAsyncLifetime
{
    private const string Password = "a long passphrase of words";
    private readonly TempFolder _data = new();
    private PlatformFactory _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = new PlatformFactory(_data.Path) { Settings = new Dictionary<string, string> { ["Identity:RequireSecondFactorFor:0"] = "focal-point" } };
        _ = _factory.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public void Production_requires_it_of_focal_points_and_admins_and_the_embedded_profile_of_nobody()
    {
        var focalPoint = new Organization { Id = "th-focal-point", Name = "x", Country = "TH", Kind = Contracts.OrganizationKind.FocalPoint };
        var shelter = new Organization { Id = "th-shelter", Name = "x", Country = "TH", Kind = Contracts.OrganizationKind.Shelter };
        Person Officer(Organization o, PersonRoles roles = PersonRoles.Officer) => new() { OrganizationId = o.Id, Roles = roles };
        var production = SecondFactorPolicy.From(new TokenServerOptions(), PlatformProfile.Production);
        var embedded = SecondFactorPolicy.From(new TokenServerOptions(), PlatformProfile.Embedded);

        Assert.True(production.IsRequiredFor(Officer(focalPoint), focalPoint));
        Assert.True(production.IsRequiredFor(Officer(shelter, PersonRoles.OrganizationAdmin), shelter));
        Assert.False(production.IsRequiredFor(Officer(shelter), shelter));
        Assert.False(embedded.IsRequiredFor(Officer(focalPoint), focalPoint));
    }

    [Fact]
    public async Task A_focal_point_officer_gets_no_code_without_a_second_factor_sets_one_up_and_signs_in_with_it_after()
    {
        var name = await CreatePersonAsync("th-focal-point");
        using var login = await PersonLogin.ForAsync(_factory);

        var (page, verifier) = await login.StartAsync();
        var setUp = await login.PasswordAsync(page, name, Password);
        Assert.Equal("/account/set-up-second-factor", setUp.Url.AbsolutePath);

        // No session yet: the authorization endpoint sends the person back to sign in.
        var (again, _) = await login.StartAsync();
        Assert.Equal("/account/login", again.Url.AbsolutePath);

        var key = Regex.Match(setUp.Html, "secret=([A-Z2-7]+)").Groups[1].Value;
        var wrong = await login.Browser.SubmitAsync(setUp, new Dictionary<string, string> { ["code"] = "000000" == Code(key) ? "111111" : "000000" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        var done = await login.Browser.SubmitAsync(wrong, new Dictionary<string, string> { ["code"] = Code(key) });
        var recoveryCodes = Regex.Matches(done.Html, "<li><code>([^<]+)</code></li>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, recoveryCodes.Count);

        var continued = await login.Browser.GetAsync(new Uri(done.Url, Regex.Match(done.Html, "href=\"(/connect/authorize[^\"]+)\"").Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal)).ToString());
        var tokens = await login.RedeemAsync(continued, verifier);
        Assert.True(tokens.TryGetProperty("access_token", out _));

        // The next sign-in, on another computer: password, then a code (here a recovery code, which works once).
        using var other = await PersonLogin.ForAsync(_factory);
        var (login2, verifier2) = await other.StartAsync();
        var second = await other.PasswordAsync(login2, name, Password);
        Assert.Equal("/account/second-factor", second.Url.AbsolutePath);
        var signedIn = await other.Browser.SubmitAsync(second, new Dictionary<string, string> { ["code"] = recoveryCodes[0], ["recovery"] = "true" });
        Assert.True((await other.RedeemAsync(signedIn, verifier2)).TryGetProperty("access_token", out _));
    }

    private static string Code(string base32Key) => new Totp(Base32Encoding.ToBytes(base32Key)).ComputeTotp();

    private async Task<string> CreatePersonAsync(string organizationId)
    {
        var name = $"person-{Guid.NewGuid():N}@{organizationId}";
        await using var scope = _factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserManager<Person>>()
            .CreateAsync(new Person { OrganizationId = organizationId, UserName = name, Email = name, Roles = PersonRoles.Officer }, Password);
        Assert.True(created.Succeeded);
        return name;
    }
}
