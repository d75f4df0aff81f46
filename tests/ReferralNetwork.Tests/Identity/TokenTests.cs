using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Identity;

public sealed class TokenTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Demo_client_gets_a_signed_jwt_naming_its_organization_country_and_scopes()
    {
        var token = await Factory.TokenAsync("th-focal-point");

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length); // a JWS, not an encrypted JWE
        var header = Decode(parts[0]);
        var payload = Decode(parts[1]);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal("th-focal-point", payload.GetProperty("org").GetString());
        Assert.Equal("TH", payload.GetProperty("country").GetString());
        Assert.Equal(PlatformFactory.Issuer, payload.GetProperty("iss").GetString());
        var scopes = payload.GetProperty("scope").GetString()!.Split(' ');
        Assert.Contains("referrals.write", scopes);
        Assert.Contains("subject.read", scopes);
    }

    [Fact]
    public async Task Wrong_secret_is_invalid_client()
    {
        using var response = await Factory.Tokens.RequestAsync("th-focal-point", "not-the-secret");

        Assert.False(response.IsSuccessStatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_client_gets_only_the_scopes_it_is_permitted()
    {
        using var response = await Factory.Tokens.RequestAsync("regional-secretariat", PlatformFactory.DemoSecret, scope: "referrals.read");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_request", body.GetProperty("error").GetString()); // OpenIddict's answer to a scope the client may not use
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task No_token_is_a_401_problem()
    {
        using var client = Factory.CreateClient();
        using var response = await client.GetAsync("/api/v1/referrals");

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Tampered_token_is_a_401_problem()
    {
        var token = await Factory.TokenAsync("kh-focal-point");
        var parts = token.Split('.');
        var payload = Decode(parts[1]).GetRawText().Replace("\"kh-focal-point\"", "\"th-focal-point\"", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64Url(payload)}.{parts[2]}";
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);

        using var response = await client.GetAsync("/api/v1/referrals");

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_token_without_the_scope_is_a_403_problem()
    {
        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        using var readOnly = await Factory.ClientForAsync("th-shelter-bangkok", scope: "referrals.read");

        using var list = await secretariat.GetAsync("/api/v1/referrals");
        using var create = await readOnly.PostAsJsonAsync("/api/v1/referrals", ReferralRequests.VietnameseWoman(), PlatformFactory.JsonOptions);

        await Problem.AssertAsync(list, HttpStatusCode.Forbidden, "forbidden");
        await Problem.AssertAsync(create, HttpStatusCode.Forbidden, "forbidden");
    }

    /// <summary>A partner validates our tokens with the stock JwtBearer handler, through discovery and JWKS only.</summary>
    [Fact]
    public async Task A_stock_jwt_bearer_validator_accepts_our_tokens_through_discovery()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.Authority = PlatformFactory.Issuer;
            o.Audience = "referral-network-api";
            o.RequireHttpsMetadata = false;
            o.BackchannelHttpHandler = Factory.Server.CreateHandler();
            o.MapInboundClaims = false;
        });
        builder.Services.AddAuthorization();
        await using var partner = builder.Build();
        partner.UseAuthentication();
        partner.UseAuthorization();
        partner.MapGet("/whoami", (HttpContext http) => http.User.FindFirst("org")!.Value).RequireAuthorization();
        await partner.StartAsync(TestContext.Current.CancellationToken);
        using var client = partner.GetTestClient();

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Factory.TokenAsync("vn-focal-point"));
        var organization = await client.GetStringAsync("/whoami", TestContext.Current.CancellationToken);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJSUzI1NiJ9.eyJvcmciOiJ4In0.c2ln");
        using var refused = await client.GetAsync("/whoami", TestContext.Current.CancellationToken);

        Assert.Equal("vn-focal-point", organization);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static JsonElement Decode(string part)
    {
        var padded = part.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return JsonSerializer.Deserialize<JsonElement>(Convert.FromBase64String(padded));
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
