using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Api;

public sealed class HostingTests(SharedPlatform platform)
{
    [Fact]
    public async Task Ready_reports_silo_database_and_bus()
    {
        using var client = platform.Factory.CreateClient();

        using var live = await client.GetAsync("/health/live");
        var ready = await client.GetFromJsonAsync<JsonElement>("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();
        Assert.Contains("silo", checks);
        Assert.Contains("database", checks);
        Assert.Contains(checks, c => c.Contains("masstransit", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_openapi_document_is_3_1_with_client_credentials_and_documented_errors()
    {
        using var client = platform.Factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        using var ui = await client.GetAsync("/swagger/index.html");

        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var oauth = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2");
        Assert.Equal("/connect/token", oauth.GetProperty("flows").GetProperty("clientCredentials").GetProperty("tokenUrl").GetString());
        var create = document.GetProperty("paths").GetProperty("/api/v1/referrals").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "201", "400", "401", "403", "413", "415", "422" })
        {
            Assert.True(create.TryGetProperty(status, out _), $"POST /api/v1/referrals does not document {status}");
        }

        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/referrals/{id}/subject", out _));
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);

        // What partners generate clients from: enums as the API writes them, both flows, every tag described.
        Assert.Equal(["female", "male", "other", "unknown"], document.GetProperty("components").GetProperty("schemas").GetProperty("Sex").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        var code = oauth.GetProperty("flows").GetProperty("authorizationCode");
        Assert.Equal(("/connect/authorize", "/connect/token"), (code.GetProperty("authorizationUrl").GetString(), code.GetProperty("refreshUrl").GetString()));
        Assert.All(document.GetProperty("tags").EnumerateArray(), t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString())));
        Assert.Equal("/", Assert.Single(document.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString());
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("Problem").GetProperty("properties");
        Assert.True(problem.TryGetProperty("code", out _) && problem.TryGetProperty("errors", out _));
    }

    [Fact]
    public async Task The_directory_lists_organizations_by_country_and_service()
    {
        using var client = await platform.Factory.ClientForAsync("kh-shelter-phnom-penh");

        var vietnam = await client.GetFromJsonAsync<List<OrganizationView>>("/api/v1/organizations?country=vn", PlatformFactory.JsonOptions);
        var reintegration = await client.GetFromJsonAsync<List<OrganizationView>>("/api/v1/organizations?service=reintegration", PlatformFactory.JsonOptions);

        Assert.Equal(["vn-focal-point", "vn-ngo-reintegration", "vn-shelter-hanoi"], vietnam!.Select(o => o.Id).Order());
        Assert.Equal("vn-ngo-reintegration", Assert.Single(reintegration!).Id);
    }
}
