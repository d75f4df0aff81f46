using System.Net;
using OpenTelemetry.Metrics;

namespace ReferralNetwork.Hosting;

/// <summary>
/// The port reserved to the platform's operators (<c>Telemetry:MetricsPort</c>): a Kestrel server of its own that answers
/// Prometheus at <see cref="TelemetryOptions.ScrapePath"/> and 404 to anything else. It shares nothing with the public
/// pipeline: no route, no authentication, no console, so no token of any scope reaches it, and the public port has no
/// scrape path to find. Who may reach it is decided by the network (the chart's metrics Service, a NetworkPolicy).
/// </summary>
public sealed class OperatorsPort(MeterProvider meters, TelemetryOptions options, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    /// <summary>Where the port listens once started, e.g. <c>http://0.0.0.0:9464</c>.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // An empty builder reads no configuration and no environment: the public port's settings (ASPNETCORE_URLS,
        // HTTP_PORTS, Kestrel:Endpoints) cannot open the operators' endpoint on it, nor the other way round.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(OperatorsPort).Assembly.GetName().Name });
        builder.Services.AddSingleton(loggers);
        // The platform's host owns the process's lifetime (Ctrl+C, SIGTERM) and says where it runs.
        builder.Services.AddSingleton<IHostLifetime, HostedByThePlatform>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var address = options.MetricsAddress is { Length: > 0 } configured ? IPAddress.Parse(configured) : IPAddress.Any;
            kestrel.Listen(address, options.MetricsPort!.Value);
        });

        var server = builder.Build();
        server.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: null, path: TelemetryOptions.ScrapePath, configureBranchedPipeline: null, optionsName: null);
        await server.StartAsync(cancellationToken);
        _server = server;
        Address = new Uri(server.Urls.First());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }

    private sealed class HostedByThePlatform : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
