using Xunit;

namespace ReferralNetwork.Tests.Infrastructure.Servers;

/// <summary>
/// One throwaway RabbitMQ node for a test collection. Where rabbitmq-server is missing, tests
/// that use it are reported as skipped with the reason, except on CI (CI=true), where the
/// collection fails.
/// </summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private RabbitMqServer? _server;
    private string? _unavailableReason;

    public RabbitMqServer Server
    {
        get
        {
            if (_server is null)
            {
                Assert.Skip(_unavailableReason ?? "The RabbitMQ fixture was not initialized.");
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
            _server = await RabbitMqServer.StartNewAsync(TestContext.Current.CancellationToken);
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
