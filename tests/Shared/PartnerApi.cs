using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;

namespace ReferralNetwork.Testing;

/// <summary>Calls to the partner API as an organization would make them, with If-Match where the caller knows the version.</summary>
public static class PartnerApi
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object? body, int? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body ?? new { }, body?.GetType() ?? typeof(object), options: Json.Options),
        };
        if (ifMatch is { } version)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        }

        return await client.SendAsync(request);
    }

    /// <summary>Posts and expects success; answers the referral as the response shows it.</summary>
    public static async Task<ReferralView> ChangeAsync(HttpClient client, string path, object? body, int? ifMatch = null)
    {
        using var response = await PostAsync(client, path, body, ifMatch);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<ReferralView>(text, Json.Options)!;
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, Json.Options)!;
    }

    public static Task<ReferralView?> GetReferralAsync(HttpClient client, Guid id) =>
        client.GetFromJsonAsync<ReferralView>($"/api/v1/referrals/{id}", Json.Options);

    public static async Task<List<InboxItem>> InboxAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<InboxItem>>("/api/v1/inbox", Json.Options))!;
}
