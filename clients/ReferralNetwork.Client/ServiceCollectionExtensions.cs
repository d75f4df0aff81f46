using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace ReferralNetwork.Client;

public static class ReferralNetworkServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ReferralNetworkClient"/> as a typed HttpClient: safe retries outermost, then the token, then
    /// the transport (which the returned builder can replace, e.g. with a proxy's handler). The transport renews its
    /// connections itself (so that DNS changes are seen), which lets a singleton service keep the client it was given.
    /// </summary>
    public static IHttpClientBuilder AddReferralNetworkClient(this IServiceCollection services, Action<ReferralNetworkClientOptions> configure)
    {
        var options = new ReferralNetworkClientOptions();
        configure(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(new AccessTokens(options));
        var builder = services.AddHttpClient<ReferralNetworkClient>(http =>
        {
            http.BaseAddress = options.Root;
            http.Timeout = Timeout.InfiniteTimeSpan; // each attempt has AttemptTimeout; the caller's token bounds the whole
        });
        builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        builder.AddResilienceHandler("referral-network", pipeline => SafeRetries.Configure(pipeline, options));
        builder.AddHttpMessageHandler(provider => new AccessTokenHandler(provider.GetRequiredService<AccessTokens>()));
        return builder;
    }
}
