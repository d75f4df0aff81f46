using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Tests.Support;
using ReferralNetwork.Webhooks;

namespace ReferralNetwork.Tests.Webhooks;

/// <summary>The webhook routes as a partner calls them, and a platform whose webhook clock the test moves.</summary>
internal static class WebhookCalls
{
    public static async Task<WebhookView> SubscribeAsync(HttpClient client, string url, params string[] events)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/webhooks", new WebhookRequest(url, events), Json.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await PartnerApi.ReadAsync<WebhookView>(response);
    }

    public static async Task<WebhookView> GetAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<WebhookView>($"/api/v1/webhooks/{id}", Json.Options))!;

    public static async Task<List<WebhookDeliveryView>> DeliveriesAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<List<WebhookDeliveryView>>($"/api/v1/webhooks/{id}/deliveries", Json.Options))!;

    public static async Task<WebhookDeliveryView> SendTestAsync(HttpClient client, Guid id)
    {
        using var response = await PartnerApi.PostAsync(client, $"/api/v1/webhooks/{id}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await PartnerApi.ReadAsync<WebhookDeliveryView>(response);
    }

    /// <summary>The delivery as the log shows it once <paramref name="done"/> holds (the sender works in the background).</summary>
    public static async Task<WebhookDeliveryView> DeliveryWhenAsync(HttpClient client, Guid subscription, Guid delivery, Func<WebhookDeliveryView, bool> done)
    {
        var seen = await Eventually.Until(async () => (await DeliveriesAsync(client, subscription)).Single(d => d.Id == delivery), done);
        Assert.True(done(seen), $"Delivery {delivery}: {System.Text.Json.JsonSerializer.Serialize(seen, Json.Options)}");
        return seen;
    }

    /// <summary>An embedded platform whose webhook clock is <paramref name="clock"/>, polling often (tests move the clock, never sleep for it).</summary>
    public static PlatformFactory Platform(string dataPath, FakeTimeProvider? clock, Dictionary<string, string>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string> { ["Webhooks:PollInterval"] = "00:00:00.050", ["Webhooks:Jitter"] = "0" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return new PlatformFactory(dataPath)
        {
            Settings = all,
            TestServices = registered =>
            {
                if (clock is not null)
                {
                    registered.AddSingleton(new WebhookClock(clock));
                }

                services?.Invoke(registered);
            },
        };
    }
}
