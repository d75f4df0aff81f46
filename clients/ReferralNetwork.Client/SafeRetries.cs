using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace ReferralNetwork.Client;

/// <summary>
/// Which requests the client sends again after a transient failure (a lost connection, a timeout, 408, 429, 5xx), and
/// which it never does. Sending again is safe only where the platform cannot apply the request twice:
/// <list type="bullet">
/// <item>reads (<c>GET</c>), and <c>PUT</c> / <c>DELETE</c>, which set or remove a whole state;</item>
/// <item>a create with an <c>Idempotency-Key</c>: a repeat answers the referral the first attempt made;</item>
/// <item>a batch of creates, each item with its key: a repeat answers <c>already-exists</c> for what the first attempt made;</item>
/// <item>a change with <c>If-Match</c>: a repeat after the first was applied is refused with <c>412</c>, never applied twice;</item>
/// <item>an answer to an offer (accept, decline, withdraw): an offer is answered once, a repeat is refused with <c>409</c>.</item>
/// </list>
/// Any other <c>POST</c> (a change without If-Match, a webhook subscription, a secret rotation) fails on the first error.
/// </summary>
public static class SafeRetries
{
    /// <summary>Marks a request the workflow can only apply once whatever is sent (answers to offers, batches of keyed creates).</summary>
    public static readonly HttpRequestOptionsKey<bool> AppliedAtMostOnce = new("ReferralNetwork.AppliedAtMostOnce");

    public static bool IsSafeToRepeat(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
        || request.Headers.Contains("Idempotency-Key")
        || request.Headers.IfMatch.Count > 0
        || request.Options.TryGetValue(AppliedAtMostOnce, out var once) && once;

    /// <summary>Retries of safe requests with exponential back-off and jitter (or the platform's Retry-After), each attempt under a timeout.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ReferralNetworkClientOptions options)
    {
        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = arguments => ValueTask.FromResult(
                    arguments.Context.GetRequestMessage() is { } request && IsSafeToRepeat(request) && HttpClientResiliencePredicates.IsTransient(arguments.Outcome)),
            });
        }

        pipeline.AddTimeout(options.AttemptTimeout);
    }

    internal static ResiliencePipeline<HttpResponseMessage> Pipeline(ReferralNetworkClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        Configure(builder, options);
        return builder.Build();
    }
}
