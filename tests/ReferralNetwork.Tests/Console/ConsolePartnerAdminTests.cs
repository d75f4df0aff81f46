using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Identity;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Console;

/// <summary>
/// The organization admin's pages for partner integration (webhooks and their delivery log, capacity), through the same
/// services as the API; on a platform of their own, so that no other test's subscriptions or capacity show.
/// </summary>
public sealed partial class ConsolePartnerAdminTests(OwnPlatform platform) : IClassFixture<OwnPlatform>
{
    private const string Password = "a long passphrase of words";

    [Fact]
    public async Task An_admin_subscribes_sees_the_secret_once_sends_a_test_event_replays_it_and_deletes_the_subscription()
    {
        var (session, _) = await ConsoleSession.SignInAsync(platform.Factory, "admin@th-focal-point");
        using var _session = session;

        var page = await session.GetAsync("/console/admin/webhooks");
        var made = await session.SubmitAsync(page, "handler=Create", new Dictionary<string, string>
        {
            ["url"] = "http://127.0.0.1:9/case-system/hooks", ["events"] = "*", ["description"] = "our case system",
        });
        var secret = SecretInput().Match(made.Html);
        var again = await session.GetAsync("/console/admin/webhooks");
        var id = Guid.Parse(SubscriptionRow().Match(again.Html).Groups["id"].Value);
        var tested = await session.SubmitAsync(again, $"id={id}&amp;handler=Test");
        var log = await Eventually.Until(() => session.GetAsync($"/console/admin/webhooks/{id}"), p => p.Html.Contains("<code>webhook-test</code>", StringComparison.Ordinal));
        var delivery = DeliveryRow().Match(log.Html).Groups["id"].Value;
        var replayed = await session.SubmitAsync(log, $"delivery={delivery}&amp;handler=Replay");
        var deleted = await session.SubmitAsync(await session.GetAsync("/console/admin/webhooks"), $"id={id}&amp;handler=Delete");

        Assert.True(secret.Success, "the new subscription's secret is not shown");
        Assert.StartsWith("whsec_", secret.Groups["secret"].Value, StringComparison.Ordinal);
        Assert.DoesNotContain(secret.Groups["secret"].Value, again.Html, StringComparison.Ordinal); // once
        Assert.Contains("our case system", again.Html, StringComparison.Ordinal);
        Assert.Equal($"/console/admin/webhooks/{id}", tested.Url.AbsolutePath);
        Assert.Contains("A test event is on its way", tested.Html, StringComparison.Ordinal);
        Assert.Contains("The delivery is sent again, with the same webhook-id.", replayed.Html, StringComparison.Ordinal);
        Assert.Contains($"data-delivery=\"{delivery}\"", replayed.Html, StringComparison.Ordinal);
        Assert.Contains("The subscription is deleted.", deleted.Html, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-webhook=\"{id}\"", deleted.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_organizations_admin_finds_no_such_log_and_an_officer_may_not_manage_webhooks_or_capacity()
    {
        var (thailand, _) = await ConsoleSession.SignInAsync(platform.Factory, "admin@th-focal-point");
        using var _thailand = thailand;
        var made = await thailand.SubmitAsync(await thailand.GetAsync("/console/admin/webhooks"), "handler=Create",
            new Dictionary<string, string> { ["url"] = "http://127.0.0.1:9/other", ["events"] = "*" });
        var id = SubscriptionRow().Match((await thailand.GetAsync("/console/admin/webhooks")).Html).Groups["id"].Value;
        var (vietnam, _) = await ConsoleSession.SignInAsync(platform.Factory, "admin@vn-focal-point");
        using var _vietnam = vietnam;
        var (officer, home) = await ConsoleSession.SignInAsync(platform.Factory, "officer@th-focal-point");
        using var _officer = officer;

        var elsewhere = await vietnam.GetAsync($"/console/admin/webhooks/{id}");
        var refusedWebhooks = await officer.GetAsync("/console/admin/webhooks");
        var refusedCapacity = await officer.GetAsync("/console/admin/capacity");

        Assert.Equal(HttpStatusCode.OK, made.Status);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.Status);
        Assert.DoesNotContain("127.0.0.1:9/other", elsewhere.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refusedWebhooks.Status);
        Assert.Equal(HttpStatusCode.Forbidden, refusedCapacity.Status);
        Assert.DoesNotContain("href=\"/console/admin/webhooks\"", home.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shelters_admin_reports_free_beds_and_the_directory_shows_them()
    {
        var name = $"admin-{Guid.NewGuid():N}@th-shelter-bangkok";
        await using (var scope = platform.Factory.Services.CreateAsyncScope())
        {
            var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
            Assert.True((await people.CreateAsync(new Person { OrganizationId = "th-shelter-bangkok", UserName = name, Email = name, Roles = PersonRoles.OrganizationAdmin }, Password)).Succeeded);
        }

        var (session, _) = await ConsoleSession.SignInAsync(platform.Factory, name, password: Password);
        using var _session = session;
        var page = await session.GetAsync("/console/admin/capacity");
        var saved = await session.Browser.SubmitAsync(page, new Dictionary<string, string> { ["service"] = "Shelter", ["unit"] = "beds", ["available"] = "7", ["maximum"] = "40" }, "handler=Save");
        var refused = await session.Browser.SubmitAsync(page, new Dictionary<string, string> { ["service"] = "Shelter", ["unit"] = "beds", ["available"] = "41", ["maximum"] = "40" }, "handler=Save");
        using var anyone = await platform.Factory.ClientForAsync("vn-ngo-reintegration");
        var directory = await anyone.GetStringAsync("/api/v1/organizations?available=true&service=shelter");

        Assert.DoesNotContain("data-no-services", page.Html, StringComparison.Ordinal);
        Assert.Contains("Capacity saved.", saved.Html, StringComparison.Ordinal);
        Assert.Matches("data-unit=\"beds\"><td>beds</td><td data-field=\"available\">7</td><td data-field=\"maximum\">40</td>", saved.Html);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("\"available\":7,\"maximum\":40", directory, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_organization_without_services_in_the_directory_is_told_so_on_the_capacity_page()
    {
        var (session, _) = await ConsoleSession.SignInAsync(platform.Factory, "admin@th-focal-point");
        using var _session = session;

        var page = await session.GetAsync("/console/admin/capacity");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("data-no-services>Your organization lists no services in the service directory", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Save", page.Html, StringComparison.Ordinal);
    }

    [GeneratedRegex("id=\"webhook-secret\" readonly value=\"(?<secret>[^\"]+)\"")]
    private static partial Regex SecretInput();

    [GeneratedRegex("data-webhook=\"(?<id>[0-9a-f-]{36})\"")]
    private static partial Regex SubscriptionRow();

    [GeneratedRegex("data-delivery=\"(?<id>[0-9a-f-]{36})\"")]
    private static partial Regex DeliveryRow();
}
