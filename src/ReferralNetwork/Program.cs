using ReferralNetwork.Identity;
using ReferralNetwork.Infrastructure;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals;

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
    ProductionChecks.ThrowIfUnfit(builder.Configuration, platform);
    builder.AddPlatformDatabase(platform)
        .AddPlatformIdentity(platform)
        .AddPlatformMessaging(platform)
        .AddPlatformSilo(platform)
        .AddPlatformApi(platform);
    builder.Services.Configure<WorkflowOptions>(builder.Configuration.GetSection(WorkflowOptions.Section));
    builder.Services.Configure<EventRecoveryOptions>(builder.Configuration.GetSection(EventRecoveryOptions.Section));

    var app = builder.Build();
    app.UsePlatformApi(platform);
    app.MapIdentityEndpoints();
    app.MapOrganizationsApi();
    app.MapReferralsApi();
    app.MapWorkflowApi();
    app.MapInboxApi();

    switch (command.Name)
    {
        case PlatformCommand.Migrate:
            await app.MigrateAsync(platform);
            Console.WriteLine($"ReferralNetwork: the {platform.Profile} storage is up to date.");
            return 0;
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
