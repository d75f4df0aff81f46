namespace ReferralNetwork.Tests.Support;

/// <summary>A platform for one test class alone (a class fixture): what its tests count or list holds nothing of any other class's tests.</summary>
public sealed class OwnPlatform : IAsyncLifetime
{
    private readonly TempFolder _data = new();

    public PlatformFactory Factory { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Factory = new PlatformFactory(_data.Path);
        _ = Factory.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _data.Dispose();
    }
}
