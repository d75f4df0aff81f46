using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReferralNetwork.Http;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Tests.Support;

/// <summary>
/// The real platform in its embedded profile, in process: its own data folder, its own silo ports and
/// cluster id, tokens from its own /connect/token.
/// </summary>
public sealed class PlatformFactory : WebApplicationFactory<Program>
{
    public const string Issuer = "http://localhost/";
    public const string DemoSecret = "demo-secret";

    public PlatformFactory(string dataPath)
    {
        DataPath = dataPath;
        Tokens = new TokenClient(CreateClient);
    }

    public string DataPath { get; }

    /// <summary>Tokens from this platform's /connect/token; the clients it makes are disposed with the factory.</summary>
    public TokenClient Tokens { get; }

    public static JsonSerializerOptions JsonOptions { get; } = Json.Options;

    /// <summary>When set, receives every log call of the platform at every level, Trace included, whatever the configured levels.</summary>
    public LogCapture? Logs { get; init; }

    /// <summary>Configuration on top of the embedded defaults (e.g. <c>Identity:RequireSecondFactorFor:0</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>When set, applied after the platform's own services (test doubles, observers).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ReferralNetwork:DataPath", DataPath);
        var ports = FreePorts.OnLoopback(2);
        builder.UseSetting("Cluster:SiloPort", ports[0].ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Cluster:GatewayPort", ports[1].ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Cluster:ClusterId", $"test-{Guid.NewGuid():N}");
        builder.UseSetting("Identity:Issuer", Issuer);

        // The console redeems its codes at the token server of this host: in process, through the test server (a test
        // that runs the platform on Kestrel instead signs no one in through the console).
        builder.UseSetting("Console:TokenServer", Issuer);
        builder.ConfigureServices(services => services.AddHttpClient(ConsoleTokenServer.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(TestServerHandler));
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        // Static files cached as in production (Development turns caching off so that edited files show at once).
        builder.UseSetting("EnableStaticAssetsDevelopmentCaching", "true");
        if (Logs is { } logs)
        {
            // A rule for this provider alone: it outranks the configured levels, which stay as they are for the console.
            builder.ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<LogCapture>(null, LogLevel.Trace));
        }

        if (TestServices is { } configure)
        {
            builder.ConfigureTestServices(configure);
        }
    }

    /// <summary>The in-process test server's handler; on Kestrel (<c>UseKestrel</c>) there is none, and an ordinary one serves.</summary>
    private HttpMessageHandler TestServerHandler()
    {
        try
        {
            return Server.CreateHandler();
        }
        catch (NotSupportedException)
        {
            return new SocketsHttpHandler();
        }
    }

    /// <summary>A token as a demo organization's system gets it: client credentials at /connect/token.</summary>
    public Task<string> TokenAsync(string clientId, string? scope = null) => Tokens.AccessTokenAsync(clientId, DemoSecret, scope);

    /// <summary>An HTTP client acting as the named demo organization.</summary>
    public async Task<HttpClient> ClientForAsync(string organizationId, string? scope = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(organizationId, scope));
        return client;
    }
}

/// <summary>One platform shared by the API tests of the whole assembly; tests isolate themselves by making their own referrals.</summary>
public sealed class SharedPlatform : IAsyncLifetime
{
    private readonly TempFolder _data = new();

    public PlatformFactory Factory { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Factory = new PlatformFactory(_data.Path);
        _ = Factory.Server; // start now, not inside the first test's timing
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _data.Dispose();
    }
}
