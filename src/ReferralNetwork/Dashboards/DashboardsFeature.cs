using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Hosting;
using ReferralNetwork.Storage;
using ReferralNetwork.Http;

namespace ReferralNetwork.Dashboards;

/// <summary>Dashboards and exports (DESIGN §8): the projection into fact tables, protected aggregates, the case export, the commands.</summary>
public static class DashboardsFeature
{
    public const string RebuildCommand = "rebuild-dashboards";
    public const string SeedCommand = "seed-synthetic";

    public static WebApplicationBuilder AddDashboards(this WebApplicationBuilder builder)
    {
        builder.DescribeApiTag("Dashboards", "Aggregates for the secretariat and the focal points, with small counts suppressed, and the k-anonymous case export. Scope dashboard.read.");
        var options = builder.Configuration.GetSection(DashboardOptions.Section).Get<DashboardOptions>() ?? new DashboardOptions();
        options.Validate();
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DashboardService>();
        builder.Services.AddScoped<CaseExportService>();
        builder.Services.AddScoped<SurgeDays>();
        builder.PlatformFeatures().AddProjection<DashboardProjection>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDashboards(this IEndpointRouteBuilder app) => app.MapDashboardsApi();

    /// <summary>
    /// Why <c>seed-synthetic</c> may not run here, or null. Made-up referrals must never mix with real ones: the production
    /// profile refuses it unless the host environment is explicitly <c>Development</c> (which no deployment sets; the
    /// benchmark does, to seed a throwaway PostgreSQL).
    /// </summary>
    public static string? SeedRefusal(PlatformOptions platform, IHostEnvironment environment) =>
        platform.Profile == PlatformProfile.Production && !environment.IsDevelopment()
            ? "seed-synthetic writes made-up referrals and is refused in the production profile (unless ASPNETCORE_ENVIRONMENT=Development, for a throwaway database)."
            : null;

    /// <summary>
    /// The commands of the executable this feature owns. <c>rebuild-dashboards</c> starts the host (it reads every
    /// referral's history from its grain): in the embedded profile, stop the platform first. <c>seed-synthetic N</c>
    /// writes N synthetic referrals into the dashboards' tables; the production profile refuses it outside Development.
    /// </summary>
    public static async Task<int> RunCommandAsync(WebApplication app, PlatformOptions platform, PlatformCommand command)
    {
        switch (command.Name)
        {
            case RebuildCommand:
                await app.PrepareStorageAsync(platform);
                await app.StartAsync();
                try
                {
                    await DashboardRebuild.RunAsync(app.Services, Console.Out);
                }
                finally
                {
                    await app.StopAsync();
                }

                return 0;
            case SeedCommand:
                if (SeedRefusal(platform, app.Environment) is { } refusal)
                {
                    await Console.Error.WriteLineAsync($"ReferralNetwork: {refusal}");
                    return 3;
                }

                if (!int.TryParse(command.Argument, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
                {
                    await Console.Error.WriteLineAsync("ReferralNetwork: seed-synthetic needs a number of referrals (seed-synthetic 100000).");
                    return 2;
                }

                await app.PrepareStorageAsync(platform);
                await SyntheticReferrals.SeedAsync(app.Services, count, Console.Out);
                return 0;
            default:
                throw new ArgumentException($"Not a dashboards command: {command.Name}.", nameof(command));
        }
    }
}
