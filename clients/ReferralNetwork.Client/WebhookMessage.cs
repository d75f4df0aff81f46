using System.Text.Json;
using System.Text.Json.Serialization;
using ReferralNetwork.Contracts;

namespace ReferralNetwork.Client;

/// <summary>
/// A verified delivery: <c>{"type", "timestamp", "data"}</c>. <see cref="Event"/> is the event as a contract record when
/// this client knows its type, and null for a type the platform added later, whose <see cref="Data"/> is still there to
/// read (or to ignore, which is what a receiver that does not need it should do: answer 2xx all the same).
/// </summary>
public sealed record WebhookMessage(string WebhookId, string Type, DateTimeOffset Timestamp, JsonElement Data)
{
    /// <summary>Each event type this client knows (<c>handoff-offered</c>, …) and the contract record it reads as.</summary>
    public static IReadOnlyDictionary<string, Type> KnownTypes { get; } = typeof(IReferralEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false, Namespace: "ReferralNetwork.Contracts" }
            && (typeof(IReferralEvent).IsAssignableFrom(t) || t == typeof(WebhookDisabled) || t == typeof(WebhookTest) || t == typeof(CapacityChanged)))
        .ToDictionary(t => JsonNamingPolicy.KebabCaseLower.ConvertName(t.Name));

    /// <summary>The event, or null when its type is one this client does not know.</summary>
    public object? Event => KnownTypes.TryGetValue(Type, out var type) ? Data.Deserialize(type, ClientJson.Options) : null;

    /// <summary>The event when it is a <typeparamref name="T"/>.</summary>
    public bool TryGetEvent<T>(out T? @event) where T : class
    {
        @event = Event as T;
        return @event is not null;
    }

    /// <summary>Reads a delivery's body. Verify it first (<see cref="WebhookVerifier.Verify"/> does both).</summary>
    public static WebhookMessage Parse(string webhookId, ReadOnlySpan<byte> body)
    {
        Envelope envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(body, ClientJson.Options)
                ?? throw new WebhookVerificationException("The delivery's body is empty.");
        }
        catch (JsonException e)
        {
            throw new WebhookVerificationException($"The delivery's body is not a webhook message: {e.Message}");
        }

        return new WebhookMessage(webhookId, envelope.Type ?? "", envelope.Timestamp ?? default, envelope.Data.Clone());
    }

    private sealed record Envelope(
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("timestamp")] DateTimeOffset? Timestamp,
        [property: JsonPropertyName("data")] JsonElement Data);
}
