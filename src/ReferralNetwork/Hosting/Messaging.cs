using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ReferralNetwork.Http;

namespace ReferralNetwork.Hosting;

/// <summary>The <c>RabbitMq</c> configuration section (production profile).</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    public string Host { get; set; } = "localhost";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";
}

public static class Messaging
{
    public static WebApplicationBuilder AddPlatformMessaging(this WebApplicationBuilder builder, PlatformOptions platform)
    {
        var features = builder.PlatformFeatures();
        builder.Services.AddSingleton<EventDelivery>();
        builder.Services.AddSingleton(new EventDeliveryOptions
        {
            AwaitLocalProjections = platform.Profile == PlatformProfile.Embedded,
            LocalProjections = features.Projections,
        });
        builder.Services.AddMassTransit(bus =>
        {
            features.ConfigureConsumers(bus);

            // A broker outage costs no acknowledged change (grains keep unpublished events and retry), so it
            // shows in /health/ready as Degraded, which still answers 200: taking every silo out of the load
            // balancer because RabbitMQ restarts would turn a delay of read models into an outage of the API.
            bus.ConfigureHealthCheckOptions(o => o.MinimalFailureStatus = HealthStatus.Degraded);
            if (platform.Profile == PlatformProfile.Embedded)
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.ConfigureJsonSerializerOptions(Json.Configure);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                var rabbit = builder.Configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                    {
                        h.Username(rabbit.Username);
                        h.Password(rabbit.Password);
                        h.PublisherConfirmation = true;
                    });
                    cfg.ConfigureJsonSerializerOptions(Json.Configure);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return builder;
    }
}
