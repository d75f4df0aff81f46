using System.Net.Http.Json;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;
using static ReferralNetwork.Tests.Privacy.CanaryWalk;

namespace ReferralNetwork.Tests.Privacy;

/// <summary>
/// The person's identity and the free text about her must never be readable at rest, nor leak into events,
/// logs or read models. Canaries, values no platform output can contain by chance, go into every field of
/// the API that takes free text; one referral is walked through the whole workflow with them; then every byte
/// the platform wrote (its data folder, its logs at every level, every message on its bus) is searched.
/// Each feature that adds a free-text field adds a step to <see cref="Steps"/>; each new place the platform
/// writes to is fed to <see cref="CanarySearch"/>.
/// </summary>
public sealed class CanaryTests
{
    /// <summary>
    /// THE EXTENSION POINT. The walk, in order; every step puts its canaries through the API and asserts that the
    /// platform took them. A feature that adds a free-text field (documents, subject corrections, ...) adds a
    /// step here, before "close", making its canaries with <c>walk.Canaries.Add(field, label)</c>.
    /// </summary>
    public static readonly IReadOnlyList<CanaryStep> Steps =
    [
        new("create: names, date of birth, summary with a document number and a phone number", async walk =>
        {
            var c = walk.Canaries;
            await walk.CreateAsync(ThaiFocalPoint, new CreateReferralRequest(
                new SubjectInput(c.GivenName.Value, c.FamilyName.Value, Sex.Female, c.DateOfBirth, "VN", ["vi"]),
                "TH",
                DateTimeOffset.UtcNow.AddHours(-2),
                [ExploitationForm.ForcedCriminality],
                c.Summary.Value));
        }),

        new("screen", async walk =>
            await walk.PostAsync(ThaiFocalPoint, "/screening",
                new ScreeningRequest(["recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"]), HttpStatusCode.OK)),

        new("consents: services, return, sharing with Viet Nam's focal point and the reintegration NGO", async walk =>
        {
            // No consent to share with the Bangkok shelter: offers to it need the override, with its reason.
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Services, null, true, ConsentMethod.Written));
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Share, VietFocalPoint, true, ConsentMethod.Written));
            await walk.ChangeAsync(ThaiFocalPoint, "/consents", new ConsentRequest(ConsentPurpose.Share, VietNgo, true, ConsentMethod.Written));
        }),

        new("service offer to a Thai shelter, with message and consent override, declined with a reason", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(
                ThaiShelter, HandoffKind.Service, [ServiceKind.Shelter], c.HandoffMessage.Value, null, c.ConsentOverrideReason.Value));
            await walk.PostAsync(ThaiShelter, $"/handoffs/{offer.Id}/decline", new ReasonRequest(c.DeclineReason.Value), HttpStatusCode.NoContent);
        }),

        new("service offer to a Thai shelter withdrawn with a reason", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(
                ThaiShelter, HandoffKind.Service, [ServiceKind.Shelter], c.HandoffMessage.Value, null, c.ConsentOverrideReason.Value));
            var r = await walk.ChangeAsync(ThaiFocalPoint, $"/handoffs/{offer.Id}/withdraw", new ReasonRequest(c.WithdrawReason.Value));
            Assert.Equal(HandoffStatus.Withdrawn, r.Handoffs.Single(h => h.Id == offer.Id).Status);
        }),

        new("repatriation offer with a message, accepted; nationality rejected with a reason", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(VietFocalPoint, HandoffKind.Custody, null, c.HandoffMessage.Value, null, null));
            await walk.ChangeAsync(VietFocalPoint, $"/handoffs/{offer.Id}/accept", null);
            var r = await walk.ChangeAsync(VietFocalPoint, "/nationality-verification",
                new NationalityVerificationRequest(NationalityOutcome.Rejected, c.NationalityRejectionReason.Value));
            Assert.Equal((Stage.InProtection, c.NationalityRejectionReason.Value), (r.Stage, r.NationalityRejectionReason));
        }),

        new("second repatriation offer accepted; nationality confirmed", async walk =>
        {
            var offer = await walk.OfferAsync(ThaiFocalPoint, new HandoffRequest(VietFocalPoint, HandoffKind.Custody, null, walk.Canaries.HandoffMessage.Value, null, null));
            await walk.ChangeAsync(VietFocalPoint, $"/handoffs/{offer.Id}/accept", null);
            var r = await walk.ChangeAsync(VietFocalPoint, "/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null));
            Assert.Equal(Stage.NationalityVerified, r.Stage);
        }),

        new("return planned with an escort, confirmed by both sides", async walk =>
        {
            // The crossing point is free text too, but the design publishes it in ReturnPlanned: no canary there.
            await walk.ChangeAsync(ThaiFocalPoint, "/return-plan", new ReturnPlanRequest(
                TravelDocument.EmergencyTravelDocument, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14), "Moc Bai", walk.Canaries.Escort.Value));
            await walk.ChangeAsync(ThaiFocalPoint, "/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow));
            var r = await walk.ChangeAsync(VietFocalPoint, "/return-confirmation", new ReturnConfirmationRequest(DateTimeOffset.UtcNow));
            Assert.Equal((Stage.Returned, VietFocalPoint), (r.Stage, r.Holder));
        }),

        new("reintegration handoff accepted; service recorded with a note", async walk =>
        {
            var c = walk.Canaries;
            var offer = await walk.OfferAsync(VietFocalPoint, new HandoffRequest(VietNgo, HandoffKind.Service, [ServiceKind.Reintegration], c.HandoffMessage.Value, null, null));
            await walk.ChangeAsync(VietNgo, $"/handoffs/{offer.Id}/accept", null);
            var r = await walk.ChangeAsync(VietNgo, "/services", new ServiceRequest(ServiceKind.Reintegration, ServiceStatus.Delivered, c.ServiceNote.Value));
            Assert.Equal(Stage.Reintegration, r.Stage);
        }),

        new("break the glass: Thailand's focal point, a participant without share consent, opens the subject with a reason", async walk =>
        {
            await walk.ChangeAsync(ThaiFocalPoint, "/subject/emergency-access", new EmergencyAccessRequest(walk.Canaries.EmergencyAccessReason.Value));
            var (_, subject) = await walk.ReadSubjectAsync(ThaiFocalPoint);
            Assert.Equal(walk.Canaries.GivenName.Value, subject.GivenName);
        }),

        new("subject read by the holder, with a reason", async walk =>
        {
            var c = walk.Canaries;
            var (body, subject) = await walk.ReadSubjectAsync(VietFocalPoint, c.SubjectReadReason.Value);
            Assert.Equal((c.GivenName.Value, c.FamilyName.Value, c.DateOfBirth, c.Summary.Value), (subject.GivenName, subject.FamilyName, subject.DateOfBirth, subject.Summary));

            // A control in place: what the platform itself answers is found by the search, in the platform's own
            // JSON, so the spellings searched for are the ones it produces.
            var control = new CanarySearch(c.All);
            control.AddText("control", "GET subject", body);
            var found = control.Hits.Select(h => h.Canary).ToHashSet();
            foreach (var expected in new[] { c.GivenName, c.FamilyName, c.Summary, c.DocumentNumber, c.PhoneNumber })
            {
                Assert.True(found.Contains(expected.Name), $"the search does not find {expected.Name} in the platform's answer: {body}");
            }

            Assert.Contains(control.Hits, h => h.Canary == "subject.dateOfBirth" && h.Needle == "1953-07-29");
        }),

        new("the holder corrects the subject: a new family name and a summary that quotes her", async walk =>
        {
            var c = walk.Canaries;
            var familyName = c.Add("subject.correctedFamilyName", "correctedfamily");
            var summary = c.Add("subject.correctedSummary", "correctedsummary", "she gave her mother's village as");
            using var response = await (await walk.AsAsync(VietFocalPoint)).PutAsJsonAsync($"{walk.Path}/subject", new SubjectCorrectionRequest(
                c.GivenName.Value, familyName.Value, Sex.Female, c.DateOfBirth, "VN", ["vi"], summary.Value), PlatformFactory.JsonOptions);
            Assert.True(response.IsSuccessStatusCode, $"PUT subject answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var (_, subject) = await walk.ReadSubjectAsync(VietFocalPoint);
            Assert.Equal((familyName.Value, summary.Value), (subject.FamilyName, subject.Summary));
        }),

        new("a passport scan whose bytes carry a document number is added and read back", async walk =>
        {
            var number = walk.Canaries.Add("documents.passportNumber", "passportnumber");
            byte[] scan = [0xFF, 0xD8, 0xFF, 0xE0, .. System.Text.Encoding.UTF8.GetBytes($"JFIF passport {number.Value}")];
            var client = await walk.AsAsync(VietFocalPoint);
            using var added = await client.PostAsync($"{walk.Path}/subject/documents?kind=passport-scan", new ByteArrayContent(scan));
            var document = await PartnerApi.ReadAsync<DocumentView>(added);
            using var read = await client.GetAsync($"{walk.Path}/subject/documents/{document.Id}?purpose=nationality-verification");
            Assert.Equal(scan, await read.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/jpeg", read.Content.Headers.ContentType?.MediaType);
        }),

        // Later features add their steps here.

        new("close", async walk =>
        {
            var r = await walk.ChangeAsync(VietFocalPoint, "/close", new CloseRequest(ClosureReason.Reintegrated));
            Assert.Equal(Stage.Closed, r.Stage);
        }),
    ];

    [Fact]
    public async Task No_canary_is_readable_anywhere_the_platform_writes()
    {
        using var data = new TempFolder();
        var logs = new LogCapture();
        var bus = new BusCapture();
        var canaries = new CanarySet(Guid.NewGuid());
        var factory = new PlatformFactory(data.Path) { Logs = logs, TestServices = bus.Register };
        CanarySearch search;
        int version;
        try
        {
            using var walk = new CanaryWalk(factory, canaries);
            foreach (var step in Steps)
            {
                try
                {
                    await step.Run(walk);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException($"Canary walk, step '{step.Name}' failed: {ex.Message}", ex);
                }
            }

            await walk.SettledAsync();
            version = walk.Referral.Version;

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

        // The search searched something: both databases, logs below Information, every event on the bus.
        Assert.Contains(search.Searched, s => s.Source == "stopped/grains.db" && s.Length > 0);
        Assert.Contains(search.Searched, s => s.Source == "stopped/platform.db" && s.Length > 0);
        Assert.True(files >= 2 && cells > 0, $"{files} files, {cells} cells searched");
        Assert.Contains(logs.Entries, l => l.Level == LogLevel.Trace);
        Assert.Contains(logs.Entries, l => l.Level == LogLevel.Debug);
        Assert.True(bus.Messages.Count(m => m.Seen == "published") >= version, $"{bus.Messages.Count(m => m.Seen == "published")} messages published for {version} events");
        Assert.Contains(bus.Messages, m => m.Seen == "received");

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
            ["dob.bin"] = ("subject.dateOfBirth", "Orleans DateOnly (day number, int32 LE)"),
            ["dob.txt"] = ("subject.dateOfBirth", "utf-8"),
            ["phone.json"] = (canaries.PhoneNumber.Name, "utf-8"),
        };
        File.WriteAllBytes(Path.Combine(data.Path, "utf8.bin"), Embedded(Encoding.UTF8.GetBytes(name)));
        File.WriteAllBytes(Path.Combine(data.Path, "upper.bin"), Embedded(Encoding.UTF8.GetBytes(name.ToUpperInvariant())));
        File.WriteAllBytes(Path.Combine(data.Path, "utf16le.bin"), Embedded(Encoding.Unicode.GetBytes(canaries.FamilyName.Value)));
        File.WriteAllBytes(Path.Combine(nested, "utf16be.bin"), Embedded(Encoding.BigEndianUnicode.GetBytes(canaries.FamilyName.Value)));
        File.WriteAllBytes(Path.Combine(data.Path, "dob.bin"), Embedded(BitConverter.GetBytes(canaries.DateOfBirth.DayNumber)));
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

        var search = new CanarySearch(canaries.All);
        Assert.Equal(13, search.AddFolder(data.Path, "data"));
        var cells = search.AddSqliteRows(Path.Combine(data.Path, "control.db"), "control.db");
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

        // The report says which canary, where, how encoded and at which offset.
        var utf16 = search.Hits.First(h => h.Encoding == "utf-16le" && h.Source == "data/utf16le.bin");
        Assert.Equal(100, utf16.Offset);
        Assert.Contains($"data/utf16le.bin [utf-16le '{canaries.FamilyName.Value}'] at 100", search.Report(), StringComparison.Ordinal);
    }
}
