using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;
using static ReferralNetwork.Tests.Webhooks.WebhookCalls;

namespace ReferralNetwork.Tests.Organizations;

/// <summary>
/// An organization reports its own capacity (HSDS capacities beside the directory's integer), the directory filters on
/// what is free, other organizations and people without the admin role cannot change it, the change reaches the
/// organization's webhooks, and an offer's inbox entry keeps the capacity the target had when the offer was made.
/// </summary>
public sealed class CapacityTests(SharedPlatform platform)
{
    private const string Password = "a long passphrase of words";

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task A_shelter_updates_its_capacity_and_available_true_reflects_it()
    {
        using var shelter = await Factory.ClientForAsync("kh-shelter-phnom-penh", "directory.write");

        var full = await PutCapacityAsync(shelter, "kh-shelter-phnom-penh", "shelter", new CapacityRequest("beds", 0, 25));
        Assert.DoesNotContain("kh-shelter-phnom-penh", await AvailableAsync(shelter, "country=KH&service=shelter&available=true"));

        var room = await PutCapacityAsync(shelter, "kh-shelter-phnom-penh", "shelter", new CapacityRequest("Beds", 3, 25));
        var listed = await DirectoryAsync(shelter, "country=KH&service=shelter&available=true");

        Assert.Equal(ServiceKind.Shelter, room.Service);
        Assert.Equal(25, room.Capacity); // the directory's integer stays as it was
        var beds = Assert.Single(room.Capacities!);
        Assert.Equal(("beds", 3, 25), (beds.Unit, beds.Available, beds.Maximum));
        Assert.True(beds.Updated > full.Capacities!.Single().Updated);
        var entry = Assert.Single(listed, o => o.Id == "kh-shelter-phnom-penh");
        var service = entry.Services.Single(s => s.Service == ServiceKind.Shelter);
        Assert.Equal(25, service.Capacity);
        Assert.Equal(3, Assert.Single(service.Capacities!).Available);
        Assert.Empty(entry.Services.Single(s => s.Service == ServiceKind.Medical).Capacities!);

        // Room in another service does not count for this one.
        await PutCapacityAsync(shelter, "kh-shelter-phnom-penh", "medical", new CapacityRequest("places", 4, 10));
        await PutCapacityAsync(shelter, "kh-shelter-phnom-penh", "shelter", new CapacityRequest("beds", 0, 25));
        Assert.DoesNotContain("kh-shelter-phnom-penh", await AvailableAsync(shelter, "country=KH&service=shelter&available=true"));
        Assert.Contains("kh-shelter-phnom-penh", await AvailableAsync(shelter, "country=KH&available=true"));
        Assert.Contains("kh-focal-point", await AvailableAsync(shelter, "country=KH"));
        Assert.DoesNotContain("kh-focal-point", await AvailableAsync(shelter, "country=KH&available=true"));
    }

    [Fact]
    public async Task Another_organization_cannot_change_it_and_nothing_changes()
    {
        using var owner = await Factory.ClientForAsync("th-shelter-bangkok");
        await PutCapacityAsync(owner, "th-shelter-bangkok", "psychosocial", new CapacityRequest("sessions", 5, 20));
        using var other = await Factory.ClientForAsync("vn-shelter-hanoi", "directory.write");
        using var focalPoint = await Factory.ClientForAsync("th-focal-point", "directory.write");
        using var withoutScope = await Factory.ClientForAsync("th-shelter-bangkok", "referrals.read");
        var body = new CapacityRequest("sessions", 0, 20);

        using var byOther = await other.PutAsJsonAsync("/api/v1/organizations/th-shelter-bangkok/services/psychosocial/capacity", body, Json.Options);
        using var byFocalPoint = await focalPoint.PutAsJsonAsync("/api/v1/organizations/th-shelter-bangkok/services/psychosocial/capacity", body, Json.Options);
        using var byOwnerWithoutScope = await withoutScope.PutAsJsonAsync("/api/v1/organizations/th-shelter-bangkok/services/psychosocial/capacity", body, Json.Options);
        using var notOffered = await owner.PutAsJsonAsync("/api/v1/organizations/th-shelter-bangkok/services/legal-aid/capacity", body, Json.Options);

        await Problem.AssertAsync(byOther, HttpStatusCode.Forbidden, "forbidden");
        await Problem.AssertAsync(byFocalPoint, HttpStatusCode.Forbidden, "forbidden");
        await Problem.AssertAsync(byOwnerWithoutScope, HttpStatusCode.Forbidden, "forbidden");
        await Problem.AssertAsync(notOffered, HttpStatusCode.NotFound, "not-found");
        var kept = await CapacityOfAsync(owner, "th-shelter-bangkok", ServiceKind.Psychosocial);
        Assert.Equal(5, Assert.Single(kept).Available);
    }

    [Fact]
    public async Task Bad_input_is_a_400_naming_each_field_and_changes_nothing()
    {
        using var shelter = await Factory.ClientForAsync("vn-shelter-hanoi");
        await PutCapacityAsync(shelter, "vn-shelter-hanoi", "medical", new CapacityRequest("places", 6, 12));

        using var missing = await shelter.PutAsJsonAsync("/api/v1/organizations/vn-shelter-hanoi/services/medical/capacity", new { }, Json.Options);
        using var wrong = await shelter.PutAsJsonAsync(
            "/api/v1/organizations/vn-shelter-hanoi/services/medical/capacity", new CapacityRequest("rooms", 13, 12), Json.Options);
        using var negative = await shelter.PutAsJsonAsync(
            "/api/v1/organizations/vn-shelter-hanoi/services/medical/capacity", new CapacityRequest("places", -1, -2), Json.Options);
        using var huge = await shelter.PutAsJsonAsync(
            "/api/v1/organizations/vn-shelter-hanoi/services/medical/capacity", new CapacityRequest(new string('x', 5000), 1, 1_000_000), Json.Options);
        using var unknownService = await shelter.PutAsJsonAsync(
            "/api/v1/organizations/vn-shelter-hanoi/services/spa/capacity", new CapacityRequest("places", 1, 2), Json.Options);
        using var unknownFilter = await shelter.GetAsync("/api/v1/organizations?available=maybe");

        Assert.Equal(["available", "maximum", "unit"], Problem.ErrorFields(await Problem.AssertAsync(missing, HttpStatusCode.BadRequest, "validation")).Order());
        Assert.Equal(["available", "unit"], Problem.ErrorFields(await Problem.AssertAsync(wrong, HttpStatusCode.BadRequest, "validation")).Order());
        Assert.Equal(["available", "maximum"], Problem.ErrorFields(await Problem.AssertAsync(negative, HttpStatusCode.BadRequest, "validation")).Order());
        Assert.Equal(["maximum", "unit"], Problem.ErrorFields(await Problem.AssertAsync(huge, HttpStatusCode.BadRequest, "validation")).Order());
        Assert.Equal(["service"], Problem.ErrorFields(await Problem.AssertAsync(unknownService, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(HttpStatusCode.BadRequest, unknownFilter.StatusCode);
        var kept = Assert.Single(await CapacityOfAsync(shelter, "vn-shelter-hanoi", ServiceKind.Medical));
        Assert.Equal(("places", 6, 12), (kept.Unit, kept.Available, kept.Maximum));
    }

    [Fact]
    public async Task An_officer_cannot_change_capacity_and_an_organization_admin_can()
    {
        using var officer = await PersonClientAsync("vn-ngo-reintegration", PersonRoles.Officer | PersonRoles.Supervisor);
        using var admin = await PersonClientAsync("vn-ngo-reintegration", PersonRoles.OrganizationAdmin);
        var body = new CapacityRequest("places", 9, 60);

        using var byOfficer = await officer.PutAsJsonAsync("/api/v1/organizations/vn-ngo-reintegration/services/reintegration/capacity", body, Json.Options);
        var unchanged = await CapacityOfAsync(admin, "vn-ngo-reintegration", ServiceKind.Reintegration);
        var byAdmin = await PutCapacityAsync(admin, "vn-ngo-reintegration", "reintegration", body);

        await Problem.AssertAsync(byOfficer, HttpStatusCode.Forbidden, "forbidden");
        Assert.DoesNotContain(unchanged, c => c.Available == 9);
        Assert.Equal(9, byAdmin.Capacities!.Single(c => c.Unit == "places").Available);
    }

    [Fact]
    public async Task An_offer_shows_the_targets_capacity_as_it_was_when_the_offer_was_made()
    {
        using var holder = await Factory.ClientForAsync("th-focal-point");
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        await PutCapacityAsync(shelter, "th-shelter-bangkok", "shelter", new CapacityRequest("beds", 7, 40));
        var referral = await ReferralRequests.CreateAsync(holder);
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(holder, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "th-shelter-bangkok", true, ConsentMethod.Written));
        Guid handoff;
        using (var offer = await PartnerApi.PostAsync(holder, $"{path}/handoffs", new HandoffRequest("th-shelter-bangkok", HandoffKind.Service, [ServiceKind.Shelter], null, null, null)))
        {
            handoff = (await PartnerApi.ReadAsync<JsonElement>(offer)).GetProperty("id").GetGuid();
        }

        await PutCapacityAsync(shelter, "th-shelter-bangkok", "shelter", new CapacityRequest("beds", 1, 40));
        var item = (await Eventually.Until(() => PartnerApi.InboxAsync(shelter), items => items.Any(i => i.HandoffId == handoff))).Single(i => i.HandoffId == handoff);

        var atOffer = Assert.Single(item.CapacityAtOffer!);
        Assert.Equal((ServiceKind.Shelter, "beds", 7, 40), (atOffer.Service, atOffer.Unit, atOffer.Available, atOffer.Maximum));
    }

    [Fact]
    public async Task A_capacity_change_reaches_the_webhooks_of_its_organization_only_without_personal_data()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var data = new TempFolder();
        await using var factory = Platform(data.Path, clock: null);
        using var shelter = await factory.ClientForAsync("vn-shelter-hanoi");
        using var ngo = await factory.ClientForAsync("vn-ngo-reintegration");
        var shelterHook = await SubscribeAsync(shelter, $"{receiver.BaseUrl}/shelter", "capacity-changed");
        var referralsOnly = await SubscribeAsync(shelter, $"{receiver.BaseUrl}/referrals-only", "handoff-offered");
        var ngoHook = await SubscribeAsync(ngo, $"{receiver.BaseUrl}/ngo", "*");

        await PutCapacityAsync(shelter, "vn-shelter-hanoi", "shelter", new CapacityRequest("beds", 12, 30));
        var received = await Eventually.Until(() => Task.FromResult(receiver.At("/shelter")), r => r.Count >= 1);

        var message = JsonSerializer.Deserialize<JsonElement>(Assert.Single(received).Body);
        Assert.Equal("capacity-changed", message.GetProperty("type").GetString());
        var change = message.GetProperty("data");
        Assert.Equal("vn-shelter-hanoi", change.GetProperty("organizationId").GetString());
        Assert.Equal("shelter", change.GetProperty("service").GetString());
        Assert.Equal(("beds", 12, 30), (change.GetProperty("unit").GetString(), change.GetProperty("available").GetInt32(), change.GetProperty("maximum").GetInt32()));
        Assert.Equal(
            ["available", "changeId", "country", "maximum", "occurredAt", "organizationId", "service", "unit"],
            change.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // The deliveries are made together: once the shelter's arrived, none exists for the others.
        Assert.Empty(await DeliveriesAsync(shelter, referralsOnly.Id));
        Assert.Empty(await DeliveriesAsync(ngo, ngoHook.Id));
        Assert.Single(await DeliveriesAsync(shelter, shelterHook.Id));
    }

    [Fact]
    public async Task Simultaneous_first_reports_of_a_unit_all_succeed_and_one_of_them_stands()
    {
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");

        var reports = await Task.WhenAll(Enumerable.Range(1, 8).Select(async available =>
        {
            using var response = await shelter.PutAsJsonAsync(
                "/api/v1/organizations/th-shelter-bangkok/services/medical/capacity", new CapacityRequest("people", available, 8), Json.Options);
            return response.StatusCode;
        }));

        Assert.All(reports, status => Assert.Equal(HttpStatusCode.OK, status));
        var people = Assert.Single(await CapacityOfAsync(shelter, "th-shelter-bangkok", ServiceKind.Medical), c => c.Unit == "people");
        Assert.InRange(people.Available, 1, 8);
    }

    [Fact]
    public async Task A_change_saved_but_not_published_goes_out_at_the_next_sweep()
    {
        // As a process that stopped between saving a change and publishing it leaves it.
        var left = new CapacityChange
        {
            Id = Guid.CreateVersion7(), OrganizationId = "mm-focal-point", Country = "MM", Service = ServiceKind.Psychosocial, Unit = "sessions",
            Available = 2, Maximum = 4, At = DateTimeOffset.UtcNow - CapacityAnnouncements.SweepPeriod,
        };
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            db.CapacityChanges.Add(left);
            await db.SaveChangesAsync();
        }

        await Factory.Services.GetRequiredService<CapacityAnnouncements>().SweepAsync(CancellationToken.None);

        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var saved = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().CapacityChanges.AsNoTracking().SingleAsync(c => c.Id == left.Id);
            Assert.NotNull(saved.PublishedAt);
        }
    }

    private static async Task<ServiceOfferView> PutCapacityAsync(HttpClient client, string organization, string service, CapacityRequest body)
    {
        using var response = await client.PutAsJsonAsync($"/api/v1/organizations/{organization}/services/{service}/capacity", body, Json.Options);
        return await PartnerApi.ReadAsync<ServiceOfferView>(response);
    }

    private static async Task<List<OrganizationView>> DirectoryAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<List<OrganizationView>>($"/api/v1/organizations?{query}", Json.Options))!;

    private static async Task<List<string>> AvailableAsync(HttpClient client, string query) => [.. (await DirectoryAsync(client, query)).Select(o => o.Id)];

    private static async Task<IReadOnlyList<CapacityView>> CapacityOfAsync(HttpClient client, string organization, ServiceKind service) =>
        (await DirectoryAsync(client, "")).Single(o => o.Id == organization).Services.Single(s => s.Service == service).Capacities!;

    private async Task<HttpClient> PersonClientAsync(string organizationId, PersonRoles roles)
    {
        var name = $"person-{Guid.NewGuid():N}@{organizationId}";
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
            var created = await people.CreateAsync(new Person { OrganizationId = organizationId, UserName = name, Email = name, Roles = roles }, Password);
            Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await PersonLogin.AccessTokenAsync(Factory, name, Password));
        return client;
    }
}
