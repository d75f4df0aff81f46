using ReferralNetwork.Dashboards;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>The commands of the executable the dashboards own: parsed like the others; the synthetic seed never runs in production.</summary>
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
        var exit = await DashboardsFeature.RunCommandAsync(null!, new PlatformOptions { Profile = PlatformProfile.Production }, PlatformCommand.Parse(["seed-synthetic", "10"]));
        Assert.Equal(3, exit);
    }
}
