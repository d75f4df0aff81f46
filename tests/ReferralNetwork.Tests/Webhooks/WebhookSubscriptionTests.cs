using System.Net;
using System.Net.Http.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;
using static ReferralNetwork.Tests.Webhooks.WebhookCalls;

namespace ReferralNetwork.Tests.Webhooks;

/// <summary>Subscriptions belong to one organization: another one finds none of them (404) and changes nothing; bad input is a problem naming each field.</summary>
public sealed class WebhookSubscriptionTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Another_organizations_subscription_does_not_exist_to_the_caller()
    {
        using var thai = await Factory.ClientForAsync("th-focal-point");
        using var cambodia = await Factory.ClientForAsync("kh-focal-point");
        var hook = await SubscribeAsync(thai, "http://127.0.0.1:9/never", "handoff-offered");
        var delivery = await SendTestAsync(thai, hook.Id);
        var path = $"/api/v1/webhooks/{hook.Id}";

        (HttpMethod Method, string Path)[] calls =
        [
            (HttpMethod.Get, path), (HttpMethod.Delete, path), (HttpMethod.Post, $"{path}/rotate-secret"), (HttpMethod.Post, $"{path}/enable"),
            (HttpMethod.Post, $"{path}/test"), (HttpMethod.Get, $"{path}/deliveries"), (HttpMethod.Post, $"{path}/deliveries/{delivery.Id}/replay"),
        ];
        foreach (var (method, route) in calls)
        {
            using var response = await cambodia.SendAsync(new HttpRequestMessage(method, route));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {route} as kh-focal-point: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.DoesNotContain(await cambodia.GetFromJsonAsync<List<WebhookView>>("/api/v1/webhooks", Json.Options) ?? [], w => w.Id == hook.Id);
        var still = await GetAsync(thai, hook.Id);
        Assert.Equal((WebhookStatus.Active, hook.Url), (still.Status, still.Url));
        Assert.Single(await DeliveriesAsync(thai, hook.Id), d => d.Id == delivery.Id);

        // A delivery of one subscription is not found under another of the same organization either.
        var other = await SubscribeAsync(thai, "http://127.0.0.1:9/other", "*");
        using var crossed = await PartnerApi.PostAsync(thai, $"/api/v1/webhooks/{other.Id}/deliveries/{delivery.Id}/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, crossed.StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_each_field_and_creates_nothing()
    {
        using var shelter = await Factory.ClientForAsync("kh-shelter-phnom-penh");
        var before = (await shelter.GetFromJsonAsync<List<WebhookView>>("/api/v1/webhooks", Json.Options))!.Count;

        (object Body, string Field)[] bad =
        [
            (new { url = "ftp://example.org/hook", events = new[] { "*" } }, "url"),
            (new { url = "not a url", events = new[] { "*" } }, "url"),
            (new { url = "https://user:pass@example.org/hook", events = new[] { "*" } }, "url"),
            (new { url = "https://example.org/" + new string('a', 2100), events = new[] { "*" } }, "url"),
            (new { url = "http://127.0.0.1:9/hook", events = Array.Empty<string>() }, "events"),
            (new { url = "http://127.0.0.1:9/hook", events = new[] { "*", "handoff-offered" } }, "events"),
            (new { url = "http://127.0.0.1:9/hook", events = new[] { "handoff-offered", "HandoffOffered!" } }, "events[1]"),
            (new { url = "http://127.0.0.1:9/hook", events = new[] { "*" }, description = new string('d', 300) }, "description"),
            (new { url = "http://10.1.2.3/hook", events = new[] { "*" } }, "url"),
            (new { url = "http://169.254.169.254/latest/meta-data", events = new[] { "*" } }, "url"),
        ];
        foreach (var (body, field) in bad)
        {
            using var response = await shelter.PostAsJsonAsync("/api/v1/webhooks", body, Json.Options);
            var fields = Problem.ErrorFields(await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "validation"));
            Assert.True(fields.Contains(field), $"{System.Text.Json.JsonSerializer.Serialize(body)} names {string.Join(", ", fields)}, not {field}");
        }

        Assert.Equal(before, (await shelter.GetFromJsonAsync<List<WebhookView>>("/api/v1/webhooks", Json.Options))!.Count);
    }

    [Fact]
    public async Task A_token_without_webhooks_manage_gets_403_and_the_secretariat_has_no_webhooks()
    {
        using var readOnly = await Factory.ClientForAsync("th-focal-point", "referrals.read");
        using var response = await readOnly.GetAsync("/api/v1/webhooks");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        using var secretariat = await Factory.ClientForAsync("regional-secretariat");
        using var refused = await secretariat.PostAsJsonAsync("/api/v1/webhooks", new WebhookRequest("http://127.0.0.1:9/hook", ["*"]), Json.Options);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_deleted_subscription_is_gone_with_its_log()
    {
        using var thai = await Factory.ClientForAsync("th-shelter-bangkok");
        var hook = await SubscribeAsync(thai, "http://127.0.0.1:9/deleted", "*");
        await SendTestAsync(thai, hook.Id);
        using (var deleted = await thai.DeleteAsync($"/api/v1/webhooks/{hook.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await thai.GetAsync($"/api/v1/webhooks/{hook.Id}/deliveries");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
