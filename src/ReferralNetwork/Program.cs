using ReferralNetwork.Dashboards;
using ReferralNetwork.Groups;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Matching;
using ReferralNetwork.Notifications;
using ReferralNetwork.Organizations;
using ReferralNetwork.People;
using ReferralNetwork.Referrals;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Subjects;
using ReferralNetwork.Webhooks;
using ReferralNetwork.WebConsole;

// One executable, three uses: the platform (no command), `migrate` (the schema step, then exit) and
// `import-directory <file>` (organizations and OAuth clients, then exit). Commands build the same host
// with the same configuration and checks as the platform, but never start it.
var command = PlatformCommand.Parse(args);
if (command.Usage is { } usage)
{
    var help = command.Name == PlatformCommand.Help;
    (help ? Console.Out : Console.Error).WriteLine(usage);
    return help ? 0 : 2;
}

var builder = WebApplication.CreateBuilder(command.HostArguments);
var platform = PlatformOptions.From(builder.Configuration);
try
{
    // Shared conventions first, then the features (each records what the silo and the bus need of it),
    // then telemetry, the bus and the silo, built from what the features recorded. Demo seeds run in this order: the
    // directory before the OAuth clients of its organizations.
    builder.AddPlatformDatabase(platform)
        .AddStorageProtection(platform)
        .AddPlatformApi(platform)
        .AddOrganizations()
        .AddPlatformIdentity(platform)
        .AddPeople(platform)
        .AddReferrals()
        .AddGroups()
        .AddSubjects()
        .AddMatching()
        .AddWebhooks()
        .AddDashboards()
        .AddConsole()
        .AddNotifications()
        .AddPlatformTelemetry()
        .AddPlatformMessaging(platform)
        .AddPlatformSilo(platform);
    ProductionChecks.ThrowIfUnfit(builder.Configuration, platform, builder.PlatformFeatures());

    var app = builder.Build();
    app.UsePlatformApi(platform);
    app.UsePlatformRateLimits();
    app.UseConsole();
    app.MapPlatformIdentity();
    app.MapPeople();
    app.MapOrganizations();
    app.MapReferrals();
    app.MapGroups();
    app.MapSubjects();
    app.MapMatching();
    app.MapWebhooks();
    app.MapDashboards();
    app.MapConsole();

    switch (command.Name)
    {
        case PlatformCommand.Migrate:
            await app.MigrateAsync(platform);
            Console.WriteLine($"ReferralNetwork: the {platform.Profile} storage is up to date.");
            return 0;
        case PlatformCommand.RotateKeys:
            var ring = KeyRing.RotateFile(StorageProtection.RingPath(app.Configuration, platform), command.Argument);
            Console.WriteLine($"ReferralNetwork: the {ring} has new current keys; old keys still open old data. Restart every silo with this file: each reseals every referral under the new keys.");
            return 0;
        case PlatformCommand.CreateAdmin:
            await CreateAdmin.RunAsync(app.Services, command.Argument!, command.SecondArgument!, Console.Out);
            return 0;
        case PlatformCommand.RebuildDashboards or PlatformCommand.SeedSynthetic:
            return await DashboardsFeature.RunCommandAsync(app, platform, command);
        case PlatformCommand.Backup:
            return await EmbeddedBackup.RunAsync(platform, command.Argument!, Console.Out);
        case PlatformCommand.ImportDirectory:
            await DirectoryImport.RunAsync(app.Services, command.Argument!, Console.Out);
            return 0;
    }

    await app.PrepareStorageAsync(platform);
    app.Lifetime.ApplicationStarted.Register(() => Welcome.Print(app, platform));
    await app.RunAsync();
    return 0;
}
catch (StartupRefusedException refused)
{
    refused.WriteTo(Console.Error);
    return 3;
}

/// <summary>The entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
