using ReferralNetwork.Hosting;
using ReferralNetwork.Http;

namespace ReferralNetwork.Webhooks;

/// <summary>Webhooks to partner systems (Standard Webhooks): subscriptions, the projection that stores deliveries, the sender, the routes.</summary>
public static class WebhooksFeature
{
    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Webhooks", "Subscriptions of the caller's organization to signed event deliveries (Standard Webhooks), their delivery log and replays. Scope webhooks.manage.");
        var options = builder.Configuration.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions();
        _ = options.Schedule(); // a schedule that does not parse stops the start, naming the setting
        var targets = new WebhookTargets(options, PlatformOptions.From(builder.Configuration).Profile);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(targets);
        builder.Services.AddSingleton(new WebhookClock(TimeProvider.System));
        builder.Services.AddSingleton<WebhookSignal>();
        builder.Services.AddScoped<OrganizationWebhooks>();
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, client =>
            {
                client.Timeout = options.Timeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("ReferralNetwork-Webhooks/1");
            })
            // The URL is sealed at rest and may carry a partner's token: HttpClient's own logging, which writes it, is off.
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = targets.ConnectAsync,
                // A redirect could lead anywhere, past the target check of the subscription: a 3xx is a failure.
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        builder.Services.AddHostedService<WebhookSender>();
        builder.PlatformFeatures()
            .AddProjection<WebhookProjection>()
            .AddConsumer<WebhookDisabledConsumer, WebhookDisabledConsumerDefinition>()
            .AddConsumer<CapacityChangedConsumer, CapacityChangedConsumerDefinition>();
        return builder;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app) => app.MapWebhooksApi();
}
