using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Identity;

/// <summary>
/// Each system and each person has its own token bucket: past it, a 429 problem with Retry-After and the draft-07
/// RateLimit fields, while everyone else carries on; the token endpoint limits each address before it hashes a secret.
/// </summary>
public sealed class RateLimitTests(SharedPlatform platform) : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private PlatformFactory _tiny = null!;

    public ValueTask InitializeAsync()
    {
        // Three requests an hour per caller: the fourth is refused, and nothing refills during the test.
        _tiny = new PlatformFactory(_data.Path)
        {
            Settings = new Dictionary<string, string> { ["RateLimits:PermitLimit"] = "3", ["RateLimits:Window"] = "01:00:00" },
        };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _tiny.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_client_sending_past_its_limit_gets_a_429_problem_with_Retry_After_and_others_are_unaffected()
    {
        using var eager = await _tiny.ClientForAsync("th-focal-point");
        using var other = await _tiny.ClientForAsync("vn-focal-point");

        var allowed = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            allowed.Add(await eager.GetAsync("/api/v1/referrals"));
        }

        using var refused = await eager.GetAsync("/api/v1/referrals");
        using var otherClient = await other.GetAsync("/api/v1/referrals");

        Assert.All(allowed, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(["limit=3, remaining=2, reset=3600", "limit=3, remaining=1, reset=3600", "limit=3, remaining=0, reset=3600"], allowed.Select(r => Header(r, "RateLimit")));
        var problem = await Problem.AssertAsync(refused, (HttpStatusCode)429, "too-many-requests");
        Assert.Contains("retry after", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = int.Parse(Header(refused, "Retry-After"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        Assert.Equal("3;w=3600", Header(refused, "RateLimit-Policy"));
        Assert.Equal($"limit=3, remaining=0, reset={retryAfter}", Header(refused, "RateLimit"));
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        Assert.Equal("limit=3, remaining=2, reset=3600", Header(otherClient, "RateLimit"));
        allowed.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Each_person_has_a_limit_of_their_own_apart_from_their_organizations_systems()
    {
        using var officer = Bearer(_tiny, await PersonLogin.AccessTokenAsync(_tiny, "officer@kh-focal-point", DemoPeople.DemoPassword));
        using var supervisor = Bearer(_tiny, await PersonLogin.AccessTokenAsync(_tiny, "supervisor@kh-focal-point", DemoPeople.DemoPassword));
        using var system = await _tiny.ClientForAsync("kh-focal-point");

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await officer.GetAsync("/api/v1/referrals");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await officer.GetAsync("/api/v1/referrals");
        using var colleague = await supervisor.GetAsync("/api/v1/referrals");
        using var organization = await system.GetAsync("/api/v1/referrals");

        await Problem.AssertAsync(refused, (HttpStatusCode)429, "too-many-requests");
        Assert.Equal(HttpStatusCode.OK, colleague.StatusCode);
        Assert.Equal(HttpStatusCode.OK, organization.StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_limits_each_address_before_the_client_is_checked()
    {
        using var data = new TempFolder();
        await using var factory = new PlatformFactory(data.Path)
        {
            Settings = new Dictionary<string, string> { ["RateLimits:TokenEndpoint:PermitLimit"] = "2", ["RateLimits:TokenEndpoint:Window"] = "01:00:00" },
        };

        using var wrong = await factory.Tokens.RequestAsync("th-focal-point", "not-the-secret");
        using var right = await factory.Tokens.RequestAsync("th-focal-point", PlatformFactory.DemoSecret);
        using var refused = await factory.Tokens.RequestAsync("th-focal-point", PlatformFactory.DemoSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode); // invalid_client: the attempt counted all the same
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        await Problem.AssertAsync(refused, (HttpStatusCode)429, "too-many-requests");
        Assert.Equal("2;w=3600", Header(refused, "RateLimit-Policy"));
        Assert.True(refused.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task By_default_the_limit_is_generous_announced_on_every_response_and_documented()
    {
        using var client = await platform.Factory.ClientForAsync("la-focal-point");

        using var response = await client.GetAsync("/api/v1/organizations");
        var document = await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("20000;w=1", Header(response, "RateLimit-Policy"));
        var limited = document.GetProperty("paths").GetProperty("/api/v1/referrals").GetProperty("get").GetProperty("responses").GetProperty("429");
        Assert.Equal(["RateLimit", "RateLimit-Policy", "Retry-After"], limited.GetProperty("headers").EnumerateObject().Select(h => h.Name).Order(StringComparer.Ordinal));
        Assert.True(limited.GetProperty("content").TryGetProperty("application/problem+json", out _));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "";

    private static HttpClient Bearer(PlatformFactory factory, string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
