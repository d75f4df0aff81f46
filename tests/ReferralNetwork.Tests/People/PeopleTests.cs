using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.People;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.People;

/// <summary>Accounts of people: lockout, disabling, invitations, and admins confined to their own organization.</summary>
public sealed class PeopleTests(SharedPlatform platform)
{
    private const string Password = "a long passphrase of words";

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused()
    {
        var name = await CreatePersonAsync("th-shelter-bangkok", PersonRoles.Officer);
        using var login = await PersonLogin.ForAsync(Factory);
        var (page, _) = await login.StartAsync();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            page = await login.PasswordAsync(page, name, $"wrong password number {attempt}");
            Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        }

        var refused = await login.PasswordAsync(page, name, Password);

        Assert.Equal("/account/login", refused.Url.AbsolutePath);
        Assert.Contains("locked", refused.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", refused.Url.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_person_is_refused_at_the_next_request_and_cannot_sign_in_again()
    {
        var name = await CreatePersonAsync("th-focal-point", PersonRoles.Officer);
        using var officer = await ClientWithTokenAsync(await PersonLogin.AccessTokenAsync(Factory, name, Password));
        using var admin = await ClientWithTokenAsync(await PersonLogin.AccessTokenAsync(Factory, "admin@th-focal-point", DemoPeople.DemoPassword));
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/v1/referrals")).StatusCode);

        using var disabled = await admin.PostAsync($"/api/v1/people/{await IdOfAsync(name)}/disable", null);
        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);

        using var refused = await officer.GetAsync("/api/v1/referrals");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var login = await PersonLogin.ForAsync(Factory);
        var (page, _) = await login.StartAsync();
        var again = await login.PasswordAsync(page, name, Password);
        Assert.Equal("/account/login", again.Url.AbsolutePath);
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
    }

    [Fact]
    public async Task An_invitation_link_sets_a_password_once_and_then_the_person_signs_in()
    {
        using var admin = await ClientWithTokenAsync(await PersonLogin.AccessTokenAsync(Factory, "admin@th-focal-point", DemoPeople.DemoPassword));
        var email = $"new-officer-{Guid.NewGuid():N}@example.org";

        using var invited = await admin.PostAsJsonAsync("/api/v1/people/invitations", new InvitePersonRequest(email, ["officer"], "th"), Json.Options);
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var invitation = (await invited.Content.ReadFromJsonAsync<InvitationView>(Json.Options))!;
        Assert.False(invitation.SentByEmail);
        using var login = await PersonLogin.ForAsync(Factory);
        var form = await login.Browser.GetAsync(invitation.Link!);
        Assert.Equal(HttpStatusCode.OK, form.Status);

        var set = await login.Browser.SubmitAsync(form, new Dictionary<string, string> { ["password"] = Password, ["confirmation"] = Password });
        var reused = await login.Browser.SubmitAsync(form, new Dictionary<string, string> { ["password"] = "another long passphrase", ["confirmation"] = "another long passphrase" });

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(HttpStatusCode.NotFound, reused.Status);
        var (page, verifier) = await login.StartAsync();
        var tokens = await login.RedeemAsync(await login.PasswordAsync(page, email, Password), verifier);
        Assert.True(tokens.TryGetProperty("access_token", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await login.Browser.GetAsync(invitation.Link!)).Status);
    }

    [Fact]
    public async Task An_invitation_past_its_expiry_opens_nothing()
    {
        using var admin = await ClientWithTokenAsync(await PersonLogin.AccessTokenAsync(Factory, "admin@vn-focal-point", DemoPeople.DemoPassword));
        using var invited = await admin.PostAsJsonAsync(
            "/api/v1/people/invitations", new InvitePersonRequest($"late-{Guid.NewGuid():N}@example.org", ["officer"]), Json.Options);
        var invitation = (await invited.Content.ReadFromJsonAsync<InvitationView>(Json.Options))!;

        // Time passes: the expiry is moved into the past, as 72 hours would.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            var expired = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.Set<Invitation>().Where(i => i.PersonId == invitation.PersonId).ExecuteUpdateAsync(i => i.SetProperty(x => x.ExpiresAt, expired));
        }

        using var login = await PersonLogin.ForAsync(Factory);
        Assert.Equal(HttpStatusCode.NotFound, (await login.Browser.GetAsync(invitation.Link!)).Status);
    }

    [Fact]
    public async Task An_admin_sees_and_manages_only_their_own_organization_and_an_officer_manages_nobody()
    {
        var thai = await IdOfAsync(await CreatePersonAsync("th-focal-point", PersonRoles.Officer));
        using var vietnamAdmin = await ClientWithTokenAsync(await PersonLogin.AccessTokenAsync(Factory, "admin@vn-focal-point", DemoPeople.DemoPassword));
        using var thaiOfficer = await ClientWithTokenAsync(await PersonLogin.AccessTokenAsync(Factory, "officer@th-focal-point", DemoPeople.DemoPassword));

        var listed = (await vietnamAdmin.GetFromJsonAsync<List<PersonView>>("/api/v1/people", Json.Options))!;
        using var disable = await vietnamAdmin.PostAsync($"/api/v1/people/{thai}/disable", null);
        using var roles = await vietnamAdmin.PutAsJsonAsync($"/api/v1/people/{thai}/roles", new PersonRolesRequest(["supervisor"]), Json.Options);
        using var invite = await thaiOfficer.PostAsJsonAsync("/api/v1/people/invitations", new InvitePersonRequest($"x-{Guid.NewGuid():N}@example.org", ["officer"]), Json.Options);

        Assert.Contains(listed, p => p.Name == "admin@vn-focal-point");
        Assert.DoesNotContain(listed, p => p.Id == thai || p.Name.EndsWith("@th-focal-point", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, disable.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, roles.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, invite.StatusCode);
        await using var scope = Factory.Services.CreateAsyncScope();
        var person = await scope.ServiceProvider.GetRequiredService<UserManager<Person>>().FindByIdAsync(thai);
        Assert.False(person!.IsDisabled);
        Assert.Equal(PersonRoles.Officer, person.Roles);
    }

    private async Task<string> CreatePersonAsync(string organizationId, PersonRoles roles)
    {
        var name = $"person-{Guid.NewGuid():N}@{organizationId}";
        await using var scope = Factory.Services.CreateAsyncScope();
        var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var created = await people.CreateAsync(new Person { OrganizationId = organizationId, UserName = name, Email = name, Roles = roles }, Password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        return name;
    }

    private async Task<string> IdOfAsync(string name)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<Person>>().FindByNameAsync(name))!.Id;
    }

    private Task<HttpClient> ClientWithTokenAsync(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Task.FromResult(client);
    }
}
