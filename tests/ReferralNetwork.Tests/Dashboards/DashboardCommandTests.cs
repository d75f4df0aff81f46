using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>The commands of the executable the dashboards own: parsed like the others; the synthetic seed never runs in production (only into a throwaway database, in Development).</summary>
public sealed class DashboardCommandTests
{
    [Fact]
    public void Rebuild_and_seed_parse_with_their_configuration_and_a_seed_without_a_number_gets_the_usage()
    {
        var rebuild = PlatformCommand.Parse(["rebuild-dashboards", "--ReferralNetwork:DataPath=/tmp/x"]);
        Assert.Equal((PlatformCommand.RebuildDashboards, null), (rebuild.Name, rebuild.Usage));
        Assert.Equal(["--ReferralNetwork:DataPath=/tmp/x"], rebuild.HostArguments);

        var seed = PlatformCommand.Parse(["seed-synthetic", "100000", "--ReferralNetwork:DataPath=/tmp/x"]);
        Assert.Equal((PlatformCommand.SeedSynthetic, "100000", null), (seed.Name, seed.Argument, seed.Usage));

        Assert.NotNull(PlatformCommand.Parse(["seed-synthetic"]).Usage);
        Assert.Contains("rebuild-dashboards", PlatformCommand.Parse(["help"]).Usage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_production_profile_refuses_the_synthetic_seed_before_touching_anything()
    {
        // No connection string at all: a refusal that touched the database would fail differently.
        await using var app = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production }).Build();
        var exit = await DashboardsFeature.RunCommandAsync(app, new PlatformOptions { Profile = PlatformProfile.Production }, PlatformCommand.Parse(["seed-synthetic", "10"]));
        Assert.Equal(3, exit);
    }

    [Theory]
    [InlineData(PlatformProfile.Production, "Production", true)]
    [InlineData(PlatformProfile.Production, "Staging", true)]
    [InlineData(PlatformProfile.Production, "Development", false)]
    [InlineData(PlatformProfile.Embedded, "Production", false)]
    [InlineData(PlatformProfile.Embedded, "Development", false)]
    public void The_synthetic_seed_reaches_PostgreSQL_only_in_the_Development_environment(PlatformProfile profile, string environment, bool refused)
    {
        var host = new HostingEnvironment { EnvironmentName = environment };
        Assert.Equal(refused, DashboardsFeature.SeedRefusal(new PlatformOptions { Profile = profile }, host) is not null);
    }
}
