using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Servers;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// The production profile as an operator meets it: the executable refuses a configuration that is not fit
/// for production and says why, and `migrate` is the explicit, repeatable schema step the chart runs.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class ProductionProfileTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-profile");

    [Fact]
    public async Task Started_with_demo_settings_it_refuses_to_run_and_says_why()
    {
        var (exitCode, said) = await PlatformExecutable.RunAsync(new Dictionary<string, string?>
        {
            ["ReferralNetwork__Profile"] = "production",
            ["ReferralNetwork__SeedDemoData"] = "true",
        });

        output.WriteLine(said);
        Assert.Equal(3, exitCode);
        Assert.Contains("refuses to start", said, StringComparison.Ordinal);
        Assert.Contains("ReferralNetwork:SeedDemoData is true", said, StringComparison.Ordinal);
        Assert.Contains("demo-secret", said, StringComparison.Ordinal);
        Assert.Contains("Identity:Issuer is not set", said, StringComparison.Ordinal);
        Assert.Contains("Identity:SigningCertificate:Path is not set", said, StringComparison.Ordinal);
        Assert.Contains("Identity:EncryptionCertificate:Path is not set", said, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Orleans is not set", said, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Platform is not set", said, StringComparison.Ordinal);
        Assert.Contains("Protection:KeyRingPath is not set", said, StringComparison.Ordinal);
        Assert.Contains("Matching:NetworkKey is not set", said, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal); // reasons, not a stack trace
    }

    [Fact]
    public async Task It_refuses_the_development_certificates_the_embedded_profile_generates()
    {
        var keys = Path.Combine(_folder.Path, "keys");
        KeyRing.GenerateDevelopment(Path.Combine(keys, "key-ring.json"));
        using (Certificates.Load(null, keys, "signing", X509KeyUsageFlags.DigitalSignature))
        using (Certificates.Load(null, keys, "encryption", X509KeyUsageFlags.KeyEncipherment))
        {
        }

        var (exitCode, said) = await PlatformExecutable.RunAsync(new Dictionary<string, string?>
        {
            ["ReferralNetwork__Profile"] = "production",
            ["ConnectionStrings__Orleans"] = "Host=127.0.0.1;Database=unused",
            ["ConnectionStrings__Platform"] = "Host=127.0.0.1;Database=unused",
            ["Identity__Issuer"] = ProductionCluster.Issuer,
            ["Identity__SigningCertificate__Path"] = Path.Combine(keys, "development-signing.pfx"),
            ["Identity__EncryptionCertificate__Path"] = Path.Combine(keys, "development-encryption.pfx"),
            ["Protection__KeyRingPath"] = Path.Combine(keys, "key-ring.json"),
        }, "migrate");

        output.WriteLine(said);
        Assert.Equal(3, exitCode);
        Assert.Contains("Identity:SigningCertificate:Path names a development certificate", said, StringComparison.Ordinal);
        Assert.Contains("Identity:EncryptionCertificate:Path names a development certificate", said, StringComparison.Ordinal);
        Assert.Contains("Protection:KeyRingPath names a development key ring", said, StringComparison.Ordinal);
        Assert.DoesNotContain("SeedDemoData", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_creates_the_Orleans_and_platform_tables_seeds_nothing_and_can_run_again()
    {
        var settings = await FreshDatabasesAsync();

        // Twice at once (a migration job retried while its first pod still runs), then once more.
        var concurrent = await Task.WhenAll(PlatformExecutable.RunAsync(settings, "migrate"), PlatformExecutable.RunAsync(settings, "migrate"));
        var again = await PlatformExecutable.RunAsync(settings, "migrate");

        foreach (var (exitCode, said) in concurrent.Append(again))
        {
            Assert.True(exitCode == 0, said);
            Assert.Contains("storage is up to date", said, StringComparison.Ordinal);
        }

        var orleans = settings["ConnectionStrings__Orleans"]!;
        var platform = settings["ConnectionStrings__Platform"]!;
        Assert.Equal(
            ["orleansmembershiptable", "orleansmembershipversiontable", "orleansquery", "orleansreminderstable", "orleansstorage"],
            await TablesAsync(orleans));
        // Queries of each provider, the 10.4 clustering provider's cleanup query included.
        Assert.Equal(
            ["CleanupDefunctSiloEntriesKey", "ReadFromStorageKey", "UpsertReminderRowKey", "WriteToStorageKey"],
            await ScalarsAsync<string>(orleans, "SELECT querykey FROM orleansquery WHERE querykey IN ('CleanupDefunctSiloEntriesKey', 'ReadFromStorageKey', 'UpsertReminderRowKey', 'WriteToStorageKey') ORDER BY 1"));
        var tables = await TablesAsync(platform);
        Assert.Superset(
            new HashSet<string> { "__EFMigrationsHistory", "Countries", "Inbox", "OpenIddictApplications", "Organizations", "ProcessedEvents", "ReferralAccess", "ReferralIndex", "ReferralList",
                "WebhookAttempts", "WebhookDeliveries", "WebhookParties", "WebhookSubscriptions", "ServiceCapacities", "CapacityChanges", "NoticesSent", "DashboardCases", "DashboardHandoffs" },
            new HashSet<string>(tables));
        // Every migration the platform has for PostgreSQL, in order: what `migrate` must have applied.
        var migrations = typeof(ReferralNetwork.Storage.PlatformDbContext).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>()?.ContextType == typeof(ReferralNetwork.Storage.PlatformDbContext))
            .Select(t => t.GetCustomAttribute<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>()?.Id)
            .OfType<string>().Order(StringComparer.Ordinal).ToList();
        Assert.Contains(migrations, m => m.EndsWith("_Initial", StringComparison.Ordinal));
        Assert.Equal(migrations, await ScalarsAsync<string>(platform, """SELECT "MigrationId" FROM "__EFMigrationsHistory" ORDER BY 1"""));
        Assert.Equal([0L], await ScalarsAsync<long>(platform, """SELECT (SELECT count(*) FROM "Organizations") + (SELECT count(*) FROM "Countries") + (SELECT count(*) FROM "OpenIddictApplications") + (SELECT count(*) FROM "People") + (SELECT count(*) FROM "WebhookSubscriptions")"""));
    }

    [Fact]
    public async Task Import_directory_adds_what_is_missing_and_a_faulty_file_changes_nothing()
    {
        var settings = await FreshDatabasesAsync();
        Assert.Equal(0, (await PlatformExecutable.RunAsync(settings, "migrate")).ExitCode);
        var directory = Path.Combine(_folder.Path, "directory.json");
        await File.WriteAllTextAsync(directory, """
            {
              "countries": [{"code": "KH", "name": "Cambodia"}],
              "organizations": [{"id": "kh-focal-point", "name": "Cambodia national focal point", "country": "KH", "kind": "focal-point"}],
              "clients": [{"clientId": "kh-case-system", "organizationId": "kh-focal-point"}]
            }
            """);
        var faulty = Path.Combine(_folder.Path, "faulty.json");
        await File.WriteAllTextAsync(faulty, """
            {
              "countries": [{"code": "LA", "name": "Lao PDR"}],
              "organizations": [{"id": "mm-focal-point", "name": "Myanmar national focal point", "country": "MM", "kind": "focal-point"}]
            }
            """);

        var first = await PlatformExecutable.RunAsync(settings, "import-directory", directory);
        var second = await PlatformExecutable.RunAsync(settings, "import-directory", directory);
        var refused = await PlatformExecutable.RunAsync(settings, "import-directory", faulty);

        output.WriteLine(first.Output + second.Output + refused.Output);
        Assert.Equal((0, 0, 3), (first.ExitCode, second.ExitCode, refused.ExitCode));
        Assert.Contains("organization kh-focal-point: added", first.Output, StringComparison.Ordinal);
        Assert.Matches("client kh-case-system: added for kh-focal-point, secret \\S+ \\(shown once\\)", first.Output);
        Assert.Contains("organization kh-focal-point: exists", second.Output, StringComparison.Ordinal);
        Assert.Contains("client kh-case-system: exists (secret unchanged)", second.Output, StringComparison.Ordinal);
        Assert.Contains("Organization mm-focal-point names country MM, which is neither in the database nor in the file.", refused.Output, StringComparison.Ordinal);
        var platform = settings["ConnectionStrings__Platform"]!;
        Assert.Equal(["KH"], await ScalarsAsync<string>(platform, """SELECT "Code" FROM "Countries" """));
        Assert.Equal([1L], await ScalarsAsync<long>(platform, """SELECT count(*) FROM "OpenIddictApplications" """));
    }

    [Fact]
    public async Task It_refuses_to_start_on_a_database_that_migrate_has_not_prepared()
    {
        var settings = await FreshDatabasesAsync();

        var (exitCode, said) = await PlatformExecutable.RunAsync(settings);

        output.WriteLine(said);
        Assert.Equal(3, exitCode);
        Assert.Contains("The Orleans tables do not exist", said, StringComparison.Ordinal);
        Assert.Contains("lacks the migrations", said, StringComparison.Ordinal);
        Assert.Contains("dotnet ReferralNetwork.dll migrate", said, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Production settings on two empty databases, with test certificates: fit for production, not yet migrated.</summary>
    private async Task<Dictionary<string, string?>> FreshDatabasesAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var certificates = TestCertificates.CreateIn(_folder.Path);
        return ProductionSettings.For(
            await postgres.Server.CreateDatabaseAsync($"orleans_{suffix}"), await postgres.Server.CreateDatabaseAsync($"platform_{suffix}"),
            broker: null, certificates, ProductionSettings.NewNetworkKey());
    }

    private static async Task<List<string>> TablesAsync(string connectionString) =>
        await ScalarsAsync<string>(connectionString, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1");

    private static async Task<List<T>> ScalarsAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
