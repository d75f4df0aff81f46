using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Matching;

/// <summary>A platform of one matching test class, with its logs captured: what one class matches never meets another's referrals.</summary>
public sealed class MatchingPlatform : IAsyncLifetime
{
    private readonly TempFolder _data = new();

    public LogCapture Logs { get; } = new();

    public PlatformFactory Factory { get; private set; } = null!;

    public string DataPath => _data.Path;

    public ValueTask InitializeAsync()
    {
        Factory = new PlatformFactory(_data.Path) { Logs = Logs };
        _ = Factory.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _data.Dispose();
    }
}
