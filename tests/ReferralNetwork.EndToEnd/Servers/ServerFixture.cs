using ReferralNetwork.EndToEnd.Processes;

namespace ReferralNetwork.EndToEnd.Servers;

/// <summary>
/// One throwaway server for a test collection. Where its binaries are missing, tests that use it are
/// reported as skipped with the reason, except on CI (CI=true), where the collection fails.
/// </summary>
public abstract class ServerFixture<TServer> : IAsyncLifetime where TServer : class, IAsyncDisposable
{
    private TServer? _server;
    private string? _unavailableReason;

    public TServer Server
    {
        get
        {
            if (_server is null)
            {
                Assert.Skip(_unavailableReason ?? $"The {typeof(TServer).Name} fixture was not initialized.");
            }

            return _server;
        }
    }

    /// <summary>Wall time the fixture took to get its server ready (all of set-up, first start included).</summary>
    public TimeSpan StartupDuration { get; private set; }

    protected abstract Task<TServer> StartAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            _server = await StartAsync(TestContext.Current.CancellationToken);
            StartupDuration = started.Elapsed;
        }
        catch (ServerBinaryNotFoundException e) when (!LinuxProcesses.IsCi)
        {
            _unavailableReason = e.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class PostgresFixture : ServerFixture<PostgresServer>
{
    protected override Task<PostgresServer> StartAsync(CancellationToken cancellationToken) => PostgresServer.StartNewAsync(cancellationToken);
}

public sealed class RabbitMqFixture : ServerFixture<RabbitMqServer>
{
    protected override Task<RabbitMqServer> StartAsync(CancellationToken cancellationToken) => RabbitMqServer.StartNewAsync(cancellationToken);
}
