using ReferralNetwork.Identity;
using ReferralNetwork.Infrastructure;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals;

var builder = WebApplication.CreateBuilder(args);
var platform = PlatformOptions.From(builder.Configuration);

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

await app.PrepareEmbeddedStorageAsync(platform);
app.Lifetime.ApplicationStarted.Register(() => Welcome.Print(app, platform));
await app.RunAsync();

/// <summary>The entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
