using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.People;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Identity;

/// <summary>
/// An organization's admin manages its OAuth clients: a secret shown once that works at once, scopes no wider than the
/// organization's kind, rotation with a grace period, revocation that holds at the token endpoint at once and on the
/// API of every silo within the revocation list's reload period; another organization's client is a 404.
/// </summary>
public sealed class ClientAdministrationTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task An_admin_creates_a_client_whose_secret_is_shown_once_and_holds_only_the_scopes_asked_for()
    {
        using var admin = await Factory.ClientForAsync("th-focal-point", "admin");
        using var withoutAdmin = await Factory.ClientForAsync("th-focal-point");

        var created = await CreateAsync(admin, new ClientRequest("Case system", ["referrals.read"], "Reads the referrals for the night shift"));
        var token = await Factory.Tokens.AccessTokenAsync(created.ClientId, created.Secret!);
        using var system = Bearer(token);
        var listed = (await admin.GetFromJsonAsync<List<ClientView>>("/api/v1/clients", Json.Options))!;
        using var read = await system.GetAsync("/api/v1/referrals");
        using var write = await system.PostAsJsonAsync("/api/v1/referrals", ReferralRequests.VietnameseWoman(), Json.Options);
        using var listedWithoutAdmin = await withoutAdmin.GetAsync("/api/v1/clients");

        Assert.StartsWith("th-focal-point-", created.ClientId, StringComparison.Ordinal);
        Assert.Equal(64, created.Secret!.Length);
        Assert.Equal(("Case system", "Reads the referrals for the night shift", ClientKind.System), (created.Name, created.Description, created.Kind));
        Assert.Equal(["referrals.read"], created.Scopes);
        var entry = Assert.Single(listed, c => c.ClientId == created.ClientId);
        Assert.Null(entry.Secret);
        Assert.Equal("Case system", entry.Name);
        Assert.Contains(listed, c => c.ClientId == "th-focal-point");
        Assert.All(listed, c => Assert.Null(c.Secret));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(["referrals.read"], ScopesOf(token));

        // admin is granted only when asked for: a token made for case work cannot administer.
        await Problem.AssertAsync(listedWithoutAdmin, HttpStatusCode.Forbidden, "forbidden");
        Assert.DoesNotContain("admin", ScopesOf(await Factory.TokenAsync("th-focal-point")));
    }

    [Fact]
    public async Task Scopes_wider_than_the_organizations_kind_and_bad_names_are_a_400_naming_each_field_and_nothing_is_created()
    {
        using var admin = await Factory.ClientForAsync("th-shelter-bangkok", "admin");
        var before = (await admin.GetFromJsonAsync<List<ClientView>>("/api/v1/clients", Json.Options))!;

        using var wider = await admin.PostAsJsonAsync("/api/v1/clients", new ClientRequest("Shelter system", ["referrals.read", "dashboard.read"]), Json.Options);
        using var unknown = await admin.PostAsJsonAsync("/api/v1/clients", new ClientRequest("Shelter system", ["everything"]), Json.Options);
        using var bad = await admin.PostAsJsonAsync("/api/v1/clients", new ClientRequest(new string('n', 101), [], new string('d', 501)), Json.Options);
        using var empty = await admin.PostAsJsonAsync("/api/v1/clients", new { }, Json.Options);

        Assert.Equal(["scopes"], Problem.ErrorFields(await Problem.AssertAsync(wider, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(["scopes"], Problem.ErrorFields(await Problem.AssertAsync(unknown, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(["description", "name", "scopes"], Problem.ErrorFields(await Problem.AssertAsync(bad, HttpStatusCode.BadRequest, "validation")).Order());
        Assert.Equal(["name", "scopes"], Problem.ErrorFields(await Problem.AssertAsync(empty, HttpStatusCode.BadRequest, "validation")).Order());
        var after = (await admin.GetFromJsonAsync<List<ClientView>>("/api/v1/clients", Json.Options))!;
        Assert.Equal(before.Select(c => c.ClientId), after.Select(c => c.ClientId));
    }

    [Fact]
    public async Task A_rotated_secret_replaces_the_old_one_which_works_for_the_grace_period()
    {
        using var admin = await Factory.ClientForAsync("vn-shelter-hanoi", "admin");
        var created = await CreateAsync(admin, new ClientRequest("Hanoi case system", ["referrals.read"]));

        using var rotation = await admin.PostAsync($"/api/v1/clients/{created.ClientId}/rotate-secret", null);
        var rotated = await PartnerApi.ReadAsync<ClientView>(rotation);
        using var withNew = await Factory.Tokens.RequestAsync(created.ClientId, rotated.Secret!);
        using var withOld = await Factory.Tokens.RequestAsync(created.ClientId, created.Secret!);
        using var withWrong = await Factory.Tokens.RequestAsync(created.ClientId, new string('0', 64));

        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withOld.StatusCode);
        Assert.Equal("invalid_client", await ErrorOfAsync(withWrong));
        var until = rotated.PreviousSecretValidUntil!.Value;
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_client_of_another_organization_is_a_404_and_stays_as_it_was()
    {
        using var owner = await Factory.ClientForAsync("kh-focal-point", "admin");
        using var other = await Factory.ClientForAsync("vn-focal-point", "admin");
        var created = await CreateAsync(owner, new ClientRequest("Phnom Penh intake", ["referrals.read"]));

        using var get = await other.GetAsync($"/api/v1/clients/{created.ClientId}");
        using var rotate = await other.PostAsync($"/api/v1/clients/{created.ClientId}/rotate-secret", null);
        using var revoke = await other.DeleteAsync($"/api/v1/clients/{created.ClientId}");
        using var revokeDemo = await other.DeleteAsync("/api/v1/clients/kh-focal-point");
        using var self = await owner.DeleteAsync("/api/v1/clients/kh-focal-point");
        var listedByOther = (await other.GetFromJsonAsync<List<ClientView>>("/api/v1/clients", Json.Options))!;
        using var stillWorks = await Factory.Tokens.RequestAsync(created.ClientId, created.Secret!);

        await Problem.AssertAsync(get, HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(rotate, HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(revoke, HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(revokeDemo, HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(self, HttpStatusCode.Conflict, "transition-not-allowed");
        Assert.DoesNotContain(listedByOther, c => c.ClientId.StartsWith("kh-", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        Assert.Null((await owner.GetFromJsonAsync<ClientView>($"/api/v1/clients/{created.ClientId}", Json.Options))!.PreviousSecretValidUntil);
    }

    [Fact]
    public async Task An_officer_cannot_manage_clients_and_an_organization_admin_can()
    {
        using var officer = Bearer(await PersonLogin.AccessTokenAsync(Factory, "officer@la-focal-point", DemoPeople.DemoPassword));
        using var admin = Bearer(await PersonLogin.AccessTokenAsync(Factory, "admin@la-focal-point", DemoPeople.DemoPassword));
        var request = new ClientRequest("Vientiane case system", ["referrals.read", "referrals.write"]);

        using var byOfficer = await officer.PostAsJsonAsync("/api/v1/clients", request, Json.Options);
        using var listByOfficer = await officer.GetAsync("/api/v1/clients");
        var byAdmin = await CreateAsync(admin, request);

        await Problem.AssertAsync(byOfficer, HttpStatusCode.Forbidden, "forbidden");
        await Problem.AssertAsync(listByOfficer, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(["referrals.read", "referrals.write"], byAdmin.Scopes);
        Assert.DoesNotContain(
            (await admin.GetFromJsonAsync<List<ClientView>>("/api/v1/clients", Json.Options))!,
            c => c.Name == "Vientiane case system" && c.ClientId != byAdmin.ClientId);
    }

    [Fact]
    public async Task A_revoked_client_gets_invalid_client_at_once_and_401_on_the_api_of_every_silo_within_the_reload_period()
    {
        // Two platforms on one data folder: what one silo revokes, the other learns only from the database.
        using var data = new TempFolder();
        var settings = new Dictionary<string, string> { ["Identity:RevocationRefreshInterval"] = "00:00:01", ["Identity:ClientSecretGracePeriod"] = "00:00:00" };
        await using var siloA = new PlatformFactory(data.Path) { Settings = settings };
        _ = siloA.Server;
        await using var siloB = new PlatformFactory(data.Path) { Settings = settings };
        _ = siloB.Server;
        using var admin = await siloA.ClientForAsync("mm-focal-point", "admin");
        var created = await CreateAsync(admin, new ClientRequest("Yangon case system", ["referrals.read"]));
        using var rotation = await admin.PostAsync($"/api/v1/clients/{created.ClientId}/rotate-secret", null);
        var secret = (await PartnerApi.ReadAsync<ClientView>(rotation)).Secret!;
        using var oldSecret = await siloB.Tokens.RequestAsync(created.ClientId, created.Secret!);
        var token = await siloB.Tokens.AccessTokenAsync(created.ClientId, secret);
        using var onA = Bearer(token, siloA);
        using var onB = Bearer(token, siloB);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/v1/referrals")).StatusCode);
        Assert.Equal("invalid_client", await ErrorOfAsync(oldSecret)); // no grace configured: the old secret ended with the rotation

        using var revoked = await admin.DeleteAsync($"/api/v1/clients/{created.ClientId}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        using var tokenFromA = await siloA.Tokens.RequestAsync(created.ClientId, secret);
        using var tokenFromB = await siloB.Tokens.RequestAsync(created.ClientId, secret);
        using var apiOnA = await onA.GetAsync("/api/v1/referrals");
        var apiOnB = await Eventually.Until(
            async () => (await onB.GetAsync("/api/v1/referrals")).StatusCode, status => status == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(60));

        Assert.Equal("invalid_client", await ErrorOfAsync(tokenFromA));
        Assert.Equal("invalid_client", await ErrorOfAsync(tokenFromB));
        Assert.Equal(HttpStatusCode.Unauthorized, apiOnA.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, apiOnB);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<List<ClientView>>("/api/v1/clients", Json.Options))!, c => c.ClientId == created.ClientId);
    }

    [Fact]
    public async Task Revoking_a_sign_in_client_refuses_the_tokens_people_got_through_it()
    {
        var clientId = $"la-case-web-{Guid.NewGuid():N}";
        Organization laos;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            laos = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Organizations.AsNoTracking().SingleAsync(o => o.Id == "la-focal-point");
        }

        using var officer = Bearer(await PersonLogin.AccessTokenAsync(Factory, "officer@la-focal-point", DemoPeople.DemoPassword, clientId, laos));
        using var admin = Bearer(await PersonLogin.AccessTokenAsync(Factory, "admin@la-focal-point", DemoPeople.DemoPassword));
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/v1/referrals")).StatusCode);
        var listed = Assert.Single((await admin.GetFromJsonAsync<List<ClientView>>("/api/v1/clients", Json.Options))!, c => c.ClientId == clientId);
        using var rotate = await admin.PostAsync($"/api/v1/clients/{clientId}/rotate-secret", null);

        using var revoked = await admin.DeleteAsync($"/api/v1/clients/{clientId}");
        using var refused = await officer.GetAsync("/api/v1/referrals");

        Assert.Equal(ClientKind.SignIn, listed.Kind);
        await Problem.AssertAsync(rotate, HttpStatusCode.Conflict, "transition-not-allowed");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static async Task<ClientView> CreateAsync(HttpClient admin, ClientRequest request)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/clients", request, Json.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await PartnerApi.ReadAsync<ClientView>(response);
        Assert.Equal($"/api/v1/clients/{view.ClientId}", response.Headers.Location?.OriginalString);
        return view;
    }

    private HttpClient Bearer(string token, PlatformFactory? on = null)
    {
        var client = (on ?? Factory).CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string?> ErrorOfAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out var error) ? error.GetString() : null;

    private static string[] ScopesOf(string token)
    {
        var payload = token.Split('.')[1];
        var json = Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight(payload.Length + (4 - payload.Length % 4) % 4, '='));
        return JsonSerializer.Deserialize<JsonElement>(json).GetProperty("scope").GetString()!.Split(' ');
    }
}
