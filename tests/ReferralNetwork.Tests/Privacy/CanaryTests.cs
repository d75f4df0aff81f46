using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using ReferralNetwork.Hosting;
using ReferralNetwork.Subjects;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Privacy;

/// <summary>
/// The person's identity and the free text about her must never be readable at rest, nor leak into events,
/// logs or read models. Canaries, values no platform output can contain by chance, go into every field of
/// the API that takes free text; one referral is walked through the whole workflow with them; then every byte
/// the platform wrote (its data folder, its logs at every level and as JSON lines, every message on its bus, every span
/// and the operators' metrics) is searched.
/// Each feature that adds a free-text field adds a step to <see cref="CanarySteps.All"/> (tests/Shared, walked
/// on a production cluster too); each new place the platform writes to is fed to <see cref="CanarySearch"/>.
/// </summary>
public sealed class CanaryTests
{
    [Fact]
    public async Task No_canary_is_readable_anywhere_the_platform_writes()
    {
        using var data = new TempFolder();
        var logs = new LogCapture();
        var bus = new BusCapture();
        var spans = new SpanCapture();
        FormattedLogs? jsonLogs = null;
        var canaries = new CanarySet(Guid.NewGuid());
        var factory = new PlatformFactory(data.Path)
        {
            Logs = logs,
            // Telemetry on, as production runs it: spans of every source, the operators' metrics, JSON log lines.
            Settings = new Dictionary<string, string>
            {
                ["Telemetry:Tracing"] = "true",
                ["Telemetry:MetricsPort"] = FreePorts.OnLoopback(1)[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Telemetry:MetricsAddress"] = "127.0.0.1",
                ["Telemetry:LogFormat"] = "json",
            },
            TestServices = services =>
            {
                bus.Register(services);
                spans.Register(services);
                FormattedLogs.Register(services, created => jsonLogs = created);
            },
        };
        CanarySearch search;
        int version;
        string scrape;
        try
        {
            using var walk = new CanaryWalk(organization => factory.ClientForAsync(organization), canaries);
            await walk.RunAsync();
            await walk.SettledAsync();
            version = walk.Referral.Version;
            using (var operators = new HttpClient { BaseAddress = factory.Services.GetRequiredService<OperatorsPort>().Address })
            {
                scrape = await operators.GetStringAsync(TelemetryOptions.ScrapePath);
            }

            // Built after the walk: steps may have added canaries. The folder is searched while the platform
            // runs (the WAL still holds pages the final checkpoint will fold in) and again once it has stopped.
            search = new CanarySearch(canaries.All);
            search.AddFolder(data.Path, "running");
        }
        finally
        {
            await factory.DisposeAsync();
        }

        // Pooled connections keep the databases open; closing them lets SQLite checkpoint and remove the WAL.
        foreach (var database in new[] { "grains.db", "platform.db" })
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, database)};Default Timeout=30");
            SqliteConnection.ClearPool(connection);
        }

        var files = search.AddFolder(data.Path, "stopped");
        var cells = search.AddSqliteRows(Path.Combine(data.Path, "grains.db"), "grains.db") + search.AddSqliteRows(Path.Combine(data.Path, "platform.db"), "platform.db");
        search.AddLogs(logs.Entries);
        search.AddMessages(bus.Messages);
        search.AddSpans(spans.Spans);
        search.AddText("metrics", "the operators' scrape", scrape);
        var jsonLines = jsonLogs!.Lines.ToList();
        search.AddText("log", "the JSON log lines", string.Join('\n', jsonLines));

        // The search searched something: both databases, logs below Information, every event on the bus.
        Assert.Contains(search.Searched, s => s.Source == "stopped/grains.db" && s.Length > 0);
        Assert.Contains(search.Searched, s => s.Source == "stopped/platform.db" && s.Length > 0);
        Assert.True(files >= 2 && cells > 0, $"{files} files, {cells} cells searched");
        Assert.Contains(logs.Entries, l => l.Level == LogLevel.Trace);
        Assert.Contains(logs.Entries, l => l.Level == LogLevel.Debug);
        Assert.True(bus.Messages.Count(m => m.Seen == "published") >= version, $"{bus.Messages.Count(m => m.Seen == "published")} messages published for {version} events");
        Assert.Contains(bus.Messages, m => m.Seen == "received");
        Assert.Contains(spans.Spans, s => s.Kind == System.Diagnostics.ActivityKind.Server);
        Assert.Contains(spans.Spans, s => s.Kind == System.Diagnostics.ActivityKind.Client && Equals(s.GetTagItem("server.port"), 9)); // the webhooks' attempts
        Assert.Contains(spans.Spans, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        Assert.Contains(spans.Spans, s => s.Source.Name == "MassTransit");
        Assert.Contains("referralnetwork_handoffs_offered_total", scrape, StringComparison.Ordinal);
        Assert.True(jsonLines.Count > 0 && jsonLines.All(l => l.StartsWith('{')), "JSON log lines");

        var report = search.Report();
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(search.Hits.Count == 0, report);
    }

    /// <summary>
    /// The positive control: the searcher finds a canary in each encoding and place it claims to search, and
    /// nothing where there is none. Without it the test above could pass by searching nothing.
    /// </summary>
    [Fact]
    public void The_search_finds_a_canary_in_every_encoding_and_place_it_searches()
    {
        var canaries = new CanarySet(Guid.NewGuid());
        var name = canaries.GivenName.Value;
        using var data = new TempFolder();
        var nested = Directory.CreateDirectory(Path.Combine(data.Path, "keys", "deeper")).FullName;
        var random = new Random(7);
        byte[] Noise(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }

        byte[] Embedded(byte[] value) => [.. Noise(100), .. value, .. Noise(100)];

        var expected = new Dictionary<string, (string Canary, string Encoding)>
        {
            ["utf8.bin"] = (canaries.GivenName.Name, "utf-8"),
            ["upper.bin"] = (canaries.GivenName.Name, "utf-8"),
            ["utf16le.bin"] = (canaries.FamilyName.Name, "utf-16le"),
            ["utf16be.bin"] = (canaries.FamilyName.Name, "utf-16be"),
            ["dob.bin"] = ("subject.dateOfBirth", "Orleans DateOnly field (Fixed32 header, day number int32 LE)"),
            ["dob.txt"] = ("subject.dateOfBirth", "utf-8"),
            ["phone.json"] = (canaries.PhoneNumber.Name, "utf-8"),
        };
        File.WriteAllBytes(Path.Combine(data.Path, "utf8.bin"), Embedded(Encoding.UTF8.GetBytes(name)));
        File.WriteAllBytes(Path.Combine(data.Path, "upper.bin"), Embedded(Encoding.UTF8.GetBytes(name.ToUpperInvariant())));
        File.WriteAllBytes(Path.Combine(data.Path, "utf16le.bin"), Embedded(Encoding.Unicode.GetBytes(canaries.FamilyName.Value)));
        File.WriteAllBytes(Path.Combine(nested, "utf16be.bin"), Embedded(Encoding.BigEndianUnicode.GetBytes(canaries.FamilyName.Value)));
        // The identity as Orleans' serializer writes it, unsealed.
        using (var services = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(SubjectIdentity).Assembly)).BuildServiceProvider())
        {
            var identity = new SubjectIdentity("Lan", "Nguyen", ReferralNetwork.Contracts.Sex.Female, canaries.DateOfBirth, "VN", ["vi"], null);
            File.WriteAllBytes(Path.Combine(data.Path, "dob.bin"), services.GetRequiredService<Serializer>().SerializeToArray(identity));
        }

        File.WriteAllText(Path.Combine(data.Path, "dob.txt"), "born 29/07/1953 in Nghe An");
        File.WriteAllText(Path.Combine(data.Path, "phone.json"), JsonSerializer.Serialize(new { phone = canaries.PhoneNumber.Value }));
        for (var alignment = 0; alignment < 3; alignment++)
        {
            // The value inside a blob that is base64-encoded as a whole, starting 0, 1 or 2 bytes into a group.
            byte[] blob = [.. Noise(30 + alignment), .. Encoding.UTF8.GetBytes(canaries.HandoffMessage.Value), .. Noise(7)];
            File.WriteAllText(Path.Combine(data.Path, $"base64-{alignment}.txt"), Convert.ToBase64String(blob));
            expected[$"base64-{alignment}.txt"] = (canaries.HandoffMessage.Name, $"base64@{alignment}");
        }

        File.WriteAllBytes(Path.Combine(data.Path, "nothing.bin"), Noise(256 * 1024));
        File.WriteAllText(Path.Combine(data.Path, "nothing.txt"), $"Canary{canaries.Hex[..8]} Canarygiven 1953 {canaries.Hex}");

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, "control.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, body TEXT, payload BLOB); INSERT INTO notes (owner, body, payload) VALUES ('th-shelter-bangkok', $body, $payload)";
            command.Parameters.AddWithValue("$body", canaries.ServiceNote.Value);
            command.Parameters.AddWithValue("$payload", Encoding.Unicode.GetBytes(canaries.DeclineReason.Value));
            command.ExecuteNonQuery();
        }

        // A plain pg_dump: text as COPY escapes it, and a bytea as the hex the dump writes, where only decoding finds it.
        var dump = Encoding.UTF8.GetBytes(
            "CREATE TABLE public.notes (id integer, owner text, body text, payload bytea);\n" +
            "COPY public.notes (id, owner, body, payload) FROM stdin;\n" +
            $"1\tth-shelter-bangkok\tfirst line\\n{canaries.EmergencyAccessReason.Value}\t\\\\x{Convert.ToHexStringLower(Encoding.Unicode.GetBytes(canaries.NationalityRejectionReason.Value))}\n" +
            "2\tvn-ngo-reintegration\t\\N\t\\N\n" +
            "\\.\n");

        var search = new CanarySearch(canaries.All);
        Assert.Equal(13, search.AddFolder(data.Path, "data"));
        var cells = search.AddSqliteRows(Path.Combine(data.Path, "control.db"), "control.db");
        var dumpCells = search.AddPostgresDump(dump, "platform.sql");
        search.AddLogs([new CapturedLog(1, LogLevel.Trace, "Some.Category", default, $"state written: {canaries.Escort.Value}")]);
        search.AddMessages([new CapturedMessage(1, "received", "application/json", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { note = canaries.WithdrawReason.Value })))]);

        foreach (var (file, (canary, encoding)) in expected)
        {
            var source = search.Searched.Single(s => s.Source.EndsWith("/" + file, StringComparison.Ordinal)).Source;
            var hits = search.Hits.Where(h => h.Source == source).ToList();
            Assert.True(hits.Any(h => h.Canary == canary && h.Encoding == encoding), $"{file}: expected {canary} as {encoding}, found: {search.Report()}");
            Assert.All(hits, h => Assert.Equal(canary, h.Canary));
        }

        Assert.DoesNotContain(search.Hits, h => h.Source.Contains("nothing", StringComparison.Ordinal));
        Assert.Equal(4, cells);
        Assert.Contains(search.Hits, h => h is { Canary: "service.note", Encoding: "utf-8", Source: "control.db » notes.body (row 1: id=1, owner=th-shelter-bangkok)" });
        Assert.Contains(search.Hits, h => h.Canary == "handoff.declineReason" && h.Encoding == "utf-16le" && h.Source.StartsWith("control.db » notes.payload", StringComparison.Ordinal));
        Assert.Contains(search.Hits, h => h.Canary == "returnPlan.escort" && h.Source == "log #1 [Trace Some.Category]");
        Assert.Contains(search.Hits, h => h.Canary == "handoff.withdrawReason" && h.Source == "bus #1 received application/json");
        Assert.Equal(6, dumpCells);
        Assert.Contains(search.Hits, h => h is { Canary: "emergencyAccess.reason", Encoding: "utf-8", Source: "platform.sql" });
        Assert.Contains(search.Hits, h => h is { Canary: "emergencyAccess.reason", Source: "platform.sql » notes.body (row 1: id=1, owner=th-shelter-bangkok)" });
        Assert.Contains(search.Hits, h => h is { Canary: "nationality.rejectionReason", Encoding: "utf-16le", Source: "platform.sql » notes.payload (row 1: id=1, owner=th-shelter-bangkok)" });
        Assert.DoesNotContain(search.Hits, h => h is { Canary: "nationality.rejectionReason", Source: "platform.sql" });

        // The report says which canary, where, how encoded and at which offset.
        var utf16 = search.Hits.First(h => h.Encoding == "utf-16le" && h.Source == "data/utf16le.bin");
        Assert.Equal(100, utf16.Offset);
        Assert.Contains($"data/utf16le.bin [utf-16le '{canaries.FamilyName.Value}'] at 100", search.Report(), StringComparison.Ordinal);
    }
}
