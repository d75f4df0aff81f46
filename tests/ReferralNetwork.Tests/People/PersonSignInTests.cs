using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.People;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.People;

/// <summary>People sign in on the platform's OpenID Connect server, as a partner's web application would have them.</summary>
public sealed class PersonSignInTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task A_stock_client_signs_in_an_officer_with_PKCE_calls_the_API_and_the_change_names_the_person()
    {
        await using var partner = await PartnerWebApp.StartAsync(Factory, organizationId: "th-focal-point");
        using var browser = Browser(partner);

        var login = await browser.GetAsync($"{PartnerWebApp.Site}/referrals");
        Assert.True(login.Url.AbsolutePath == "/account/login", $"{login.Url} answered {login.Status}: {login.Html}");
        var listed = await browser.SubmitAsync(login, new Dictionary<string, string> { ["name"] = "officer@th-focal-point", ["password"] = DemoPeople.DemoPassword });

        Assert.Equal($"{PartnerWebApp.Site}/referrals", listed.Url.GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.True(JsonSerializer.Deserialize<JsonElement>(listed.Html).TryGetProperty("items", out _), listed.Html);

        var created = await browser.GetAsync($"{PartnerWebApp.Site}/create");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var referral = JsonSerializer.Deserialize<ReferralView>(created.Html, PlatformFactory.JsonOptions)!;
        var history = JsonSerializer.Deserialize<List<HistoryEntry>>((await browser.GetAsync($"{PartnerWebApp.Site}/history/{referral.Id}")).Html, PlatformFactory.JsonOptions)!;

        var officer = await PersonIdAsync("officer@th-focal-point");
        var entry = Assert.Single(history);
        Assert.Equal(officer, entry.ActingPerson);
        Assert.Equal("th-focal-point", entry.ActingOrganizationId);
    }

    private TestBrowser Browser(PartnerWebApp partner) => new(new Dictionary<string, Func<HttpMessageHandler>>
    {
        [PlatformFactory.Issuer.TrimEnd('/')] = () => Factory.Server.CreateHandler(),
        [PartnerWebApp.Site] = () => partner.Server.CreateHandler(),
    });

    private async Task<string> PersonIdAsync(string name)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var people = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Person>>();
        return (await people.FindByNameAsync(name))!.Id;
    }
}
