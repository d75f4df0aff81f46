using System.Text.Json;
using ReferralNetwork.Contracts;

namespace ReferralNetwork.Webhooks;

/// <summary>The event types a subscription may name: the kebab-case names of the contracts' events (<c>HandoffOffered</c> → <c>handoff-offered</c>).</summary>
public static class WebhookEventTypes
{
    public const string All = "*";

    /// <summary>Every event a subscription can receive; the test event goes to every subscription asked for it, whatever it names.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        .. typeof(IReferralEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IReferralEvent).IsAssignableFrom(t))
            .Select(t => Of(t)).Order(StringComparer.Ordinal),
        Of(typeof(WebhookDisabled)),
        Of(typeof(CapacityChanged)),
    ];

    public static readonly string Test = Of(typeof(WebhookTest));

    public static string Of(Type eventType) => JsonNamingPolicy.KebabCaseLower.ConvertName(eventType.Name);
}
