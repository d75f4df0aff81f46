using ReferralNetwork.Hosting;

namespace ReferralNetwork.Notifications;

/// <summary>E-mail notices of the work waiting in the console (docs/console.md, "Notifications").</summary>
public static class NotificationsFeature
{
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(builder.Configuration.GetSection(NotificationOptions.Section).Get<NotificationOptions>() ?? new NotificationOptions());
        builder.Services.AddSingleton<NoticeLinks>();
        builder.Services.AddScoped<NoticeSender>();
        builder.Services.AddSingleton<DueSoonNotices>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DueSoonNotices>());
        builder.PlatformFeatures().AddConsumer<NoticeConsumer, NoticeConsumerDefinition>();
        return builder;
    }
}
