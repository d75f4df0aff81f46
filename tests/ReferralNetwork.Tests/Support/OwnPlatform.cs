namespace ReferralNetwork.Tests.Support;

/// <summary>A platform for one test class alone (a class fixture): what its tests count or list holds nothing of any other class's tests.</summary>
public class OwnPlatform : IAsyncLifetime
{
    private readonly TempFolder _data = new();

    public PlatformFactory Factory { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Factory = await CreateAsync(_data.Path);
        Start(Factory);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>The platform on its own data folder: the demo settings unless a class needs others.</summary>
    protected virtual ValueTask<PlatformFactory> CreateAsync(string data) => ValueTask.FromResult(new PlatformFactory(data));

    /// <summary>On the in-memory test server.</summary>
    protected virtual void Start(PlatformFactory factory) => _ = factory.Server;
}

/// <summary>
/// A platform of one test class on the real Kestrel server (a free port), for what the in-memory test server hides:
/// Kestrel's own answers to over-long addresses, over-large headers, malformed requests.
/// </summary>
public sealed class OwnKestrelPlatform : OwnPlatform
{
    protected override void Start(PlatformFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
    }
}
