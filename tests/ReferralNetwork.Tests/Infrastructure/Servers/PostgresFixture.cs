using Xunit;

namespace ReferralNetwork.Tests.Infrastructure.Servers;

/// <summary>
/// One throwaway PostgreSQL server for a test collection. Where the binaries are missing, tests
/// that use it are reported as skipped with the reason, except on CI (CI=true), where the
/// collection fails.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private string? _unavailableReason;

    public PostgresServer Server
    {
        get
        {
            if (_server is null)
            {
                Assert.Skip(_unavailableReason ?? "The PostgreSQL fixture was not initialized.");
            }

            return _server;
        }
    }

    /// <summary>Wall time the fixture took to get its server ready (all of set-up, first start included).</summary>
    public TimeSpan StartupDuration { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            _server = await PostgresServer.StartNewAsync(TestContext.Current.CancellationToken);
            StartupDuration = started.Elapsed;
        }
        catch (ServerBinaryNotFoundException e) when (!ServerProcesses.IsCi)
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
    }
}
