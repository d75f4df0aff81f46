using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// The canary walk of the unit tests (tests/Shared) on the production profile: one referral through the whole
/// workflow on two silos, with a canary in every free-text field of the API; then both PostgreSQL databases, dumped
/// by pg_dump as a backup holds them, and everything both silos wrote to their output are searched. A row the test
/// plants in plain text after the walk is the control: the same search must find it, and nothing else.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class ProductionCanaryTests(ProductionCluster cluster, ITestOutputHelper output) : IClassFixture<ProductionCluster>, IAsyncLifetime
{
    private const string ControlTable = "canary_control";
    private const string ControlPrefix = "control.";

    public async ValueTask InitializeAsync() => await cluster.EnsureRunningAsync();

    // The test stops the silos to search what they wrote last; the next test of the class starts them again.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task No_canary_is_readable_in_the_production_databases_nor_in_the_silos_output()
    {
        output.WriteLine(string.Join("\n", cluster.Timings));
        var canaries = new CanarySet(Guid.NewGuid());
        Guid referral;
        using (var walk = new CanaryWalk(ClientForAsync, canaries))
        {
            await walk.RunAsync();
            await walk.SettledAsync();
            referral = walk.Referral.Id;
        }

        // Stopped, the silos have written all they will: grain state on deactivation, their last log lines.
        foreach (var silo in cluster.Silos)
        {
            await silo.StopAsync();
        }

        // Built after the walk, whose steps add canaries; the control's two are made last and planted in the platform's database.
        var plain = canaries.Add(ControlPrefix + "text", "controltext", "stored in plain text by the test");
        var bytea = canaries.Add(ControlPrefix + "bytea", "controlbytea", "stored as plain UTF-8 bytes by the test");
        await PlantControlAsync(plain.Value, bytea.Value);

        var search = new CanarySearch(canaries.All);
        var dumps = new Dictionary<string, byte[]>
        {
            ["orleans.sql"] = await cluster.Postgres.DumpAsync(DatabaseOf(cluster.OrleansConnectionString)),
            ["platform.sql"] = await cluster.Postgres.DumpAsync(DatabaseOf(cluster.PlatformConnectionString)),
        };
        var cells = dumps.ToDictionary(d => d.Key, d => search.AddPostgresDump(d.Value, d.Key));
        foreach (var silo in cluster.Silos)
        {
            search.AddFile(silo.LogPath, $"{silo.Name}.log");
        }

        var report = search.Report();
        output.WriteLine(report);

        // The search searched something: the referral's grain state and read-model rows, and both silos' output.
        var states = search.Searched.Count(s => s.Source.StartsWith("orleans.sql » orleansstorage.payloadbinary", StringComparison.Ordinal));
        Assert.True(states >= 3, $"{states} grain states in the Orleans dump ({cells["orleans.sql"]} cells)");
        Assert.Contains(referral.ToString(), Encoding.UTF8.GetString(dumps["platform.sql"]), StringComparison.Ordinal);
        Assert.All(cluster.Silos, silo => Assert.Contains(search.Searched, s => s.Source == $"{silo.Name}.log" && s.Length > 0));

        // The control: found where it was planted, the bytea only once decoded (the dump writes it as hex).
        Assert.Contains(search.Hits, h => h is { Canary: "control.text", Encoding: "utf-8", Source: "platform.sql" });
        Assert.Contains(search.Hits, h => h.Canary == "control.text" && h.Source.StartsWith($"platform.sql » {ControlTable}.note", StringComparison.Ordinal));
        Assert.Contains(search.Hits, h => h.Canary == "control.bytea" && h.Encoding == "utf-8" && h.Source.StartsWith($"platform.sql » {ControlTable}.payload", StringComparison.Ordinal));
        Assert.DoesNotContain(search.Hits, h => h is { Canary: "control.bytea", Source: "platform.sql" });

        var leaks = search.Hits.Where(h => !h.Canary.StartsWith(ControlPrefix, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, report);
    }

    /// <summary>Thailand's organizations call silo A, Viet Nam's silo B: every handoff of the walk crosses silos.</summary>
    private async Task<HttpClient> ClientForAsync(string organization)
    {
        var silo = organization.StartsWith("th-", StringComparison.Ordinal) ? cluster.A : cluster.B;
        var client = new HttpClient { BaseAddress = silo.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await cluster.TokenAsync(organization));
        return client;
    }

    /// <summary>What a leak would look like: a value in a text column, another as the bytes of a bytea, in a table of the test's own.</summary>
    private async Task PlantControlAsync(string text, string bytes)
    {
        await using var connection = await cluster.OpenAsync(cluster.PlatformConnectionString);
        await using var command = new NpgsqlCommand(
            $"CREATE TABLE {ControlTable} (id integer PRIMARY KEY, note text, payload bytea); INSERT INTO {ControlTable} VALUES (1, @note, @payload)", connection);
        command.Parameters.AddWithValue("note", text);
        command.Parameters.AddWithValue("payload", Encoding.UTF8.GetBytes(bytes));
        await command.ExecuteNonQueryAsync();
    }

    private static string DatabaseOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;
}
