using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Identity;

/// <summary>
/// The cache of validated access tokens: a token seen in the last minute skips its signature check, and nothing else
/// (the revocation list, expiry, audience still apply on every request); a token changed by a single character is a
/// stranger to it. On a platform of its own, since a client is revoked here.
/// </summary>
public sealed class ValidatedTokensTests(OwnPlatform platform) : IClassFixture<OwnPlatform>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_token_is_trusted_for_a_minute_at_most_and_never_past_its_expiry_and_callers_get_copies()
    {
        var time = new FakeTimeProvider(Start);
        var tokens = new ValidatedTokens(time);
        tokens.Keep("token-a", Principal("th-focal-point"), Start.AddHours(1));
        tokens.Keep("token-b", Principal("vn-focal-point"), Start.AddSeconds(10));
        tokens.Keep("token-c", Principal("la-focal-point"), Start.AddSeconds(-1));

        var first = tokens.Find("token-a")!;
        ((ClaimsIdentity)first.Identity!).AddClaim(new Claim("org", "someone-else"));
        var second = tokens.Find("token-a")!;
        time.Advance(TimeSpan.FromSeconds(10));
        var afterTenSeconds = (A: tokens.Find("token-a"), B: tokens.Find("token-b"));
        time.Advance(TimeSpan.FromSeconds(50));
        var afterAMinute = tokens.Find("token-a");

        Assert.Equal(["th-focal-point"], second.FindAll("org").Select(c => c.Value));
        Assert.NotNull(afterTenSeconds.A);
        Assert.Null(afterTenSeconds.B); // its own expiry came first
        Assert.Null(tokens.Find("token-c")); // already expired: never kept
        Assert.Null(afterAMinute);
        Assert.Null(tokens.Find("token-a" + " "));
    }

    [Fact]
    public async Task A_cached_token_is_still_refused_once_its_client_is_revoked_and_a_changed_token_is_not_taken_from_the_cache()
    {
        var cache = platform.Factory.Services.GetRequiredService<ValidatedTokens>();
        using var admin = await platform.Factory.ClientForAsync("th-focal-point", "admin");
        using var made = await admin.PostAsJsonAsync("/api/v1/clients", new ClientRequest("Case system of the cache test", ["referrals.read"]), Json.Options);
        var created = await PartnerApi.ReadAsync<ClientView>(made);
        var token = await platform.Factory.Tokens.AccessTokenAsync(created.ClientId, created.Secret!);
        using var caseSystem = platform.Factory.CreateClient();
        caseSystem.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var first = await caseSystem.GetAsync("/api/v1/referrals");
        var hitsBefore = cache.Hits;
        using var second = await caseSystem.GetAsync("/api/v1/referrals");
        var hitsAfter = cache.Hits;
        using var forged = platform.Factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tamper(token));
        using var forgedAnswer = await forged.GetAsync("/api/v1/referrals");
        var hitsAfterForged = cache.Hits;
        using var revoked = await admin.DeleteAsync($"/api/v1/clients/{created.ClientId}");
        using var afterRevocation = await caseSystem.GetAsync("/api/v1/referrals");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.True(hitsAfter > hitsBefore, "the second call with the same token was not answered from the cache");
        Assert.Equal(HttpStatusCode.Unauthorized, forgedAnswer.StatusCode);
        Assert.Equal(hitsAfter, hitsAfterForged);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevocation.StatusCode);
    }

    /// <summary>
    /// The same token with one character inside its signature changed (not the last one, whose low bits may be padding
    /// that a decoder ignores).
    /// </summary>
    private static string Tamper(string token)
    {
        var at = token.LastIndexOf('.') + 20;
        return string.Concat(token.AsSpan(0, at), token[at] == 'A' ? "B" : "A", token.AsSpan(at + 1));
    }

    private static ClaimsPrincipal Principal(string organization) => new(new ClaimsIdentity([new Claim("org", organization)], "test"));
}
