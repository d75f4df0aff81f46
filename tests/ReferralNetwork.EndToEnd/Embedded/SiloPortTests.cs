using System.Net;
using System.Net.Sockets;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Production;

namespace ReferralNetwork.EndToEnd.Embedded;

/// <summary>
/// A silo's ports are chosen free a moment before it binds them; another process (a connection's own port, a server
/// of another test) may take one in between. The first start then moves to fresh ports instead of failing the test.
/// </summary>
public sealed class SiloPortTests : IAsyncDisposable
{
    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-silo-port");
    private SiloProcess? _platform;

    [Fact]
    public async Task A_first_start_whose_silo_port_was_taken_meanwhile_starts_on_fresh_ports()
    {
        var platform = _platform = new SiloProcess("embedded", EmbeddedPlatform.Settings(Path.Combine(_folder.Path, "data"), "silo-port"), _folder.Path);
        var chosen = platform.SiloPort;
        using var squatter = new TcpListener(IPAddress.Loopback, chosen);
        squatter.Start();

        await platform.StartAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(chosen, platform.SiloPort);
        Assert.Equal("Healthy", await platform.ReadinessAsync());
        Assert.Contains("address already in use", await File.ReadAllTextAsync(platform.OutputPath, TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
    }

    public async ValueTask DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        _folder.Dispose();
    }
}
