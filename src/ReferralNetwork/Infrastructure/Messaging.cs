using MassTransit;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Infrastructure;

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
        builder.Services.AddMassTransit(bus =>
        {
            AddConsumers(bus);
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

    /// <summary>The read-model consumers; each retries transient failures before a message goes to the error queue.</summary>
    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ReferralProjection>(c => c.UseMessageRetry(r => r.Intervals(100, 500, 1000, 5000)));
    }
}
