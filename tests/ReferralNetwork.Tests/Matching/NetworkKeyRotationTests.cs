using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Matching;
using ReferralNetwork.Referrals;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Privacy;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Matching;

/// <summary>
/// The encoding pass (Matching/EncodingPass.cs): after an operator sets a new network key and key id, every compartment
/// is encoded again under it, page by page, resuming after a restart; matches keep their answers; encodings of two keys
/// are never compared; referrals stored without an encoding get one; nothing of the person is readable in the table or
/// the logs. Each test runs its own platform, stopped and started again on the same data folder.
/// </summary>
public sealed class NetworkKeyRotationTests
{
    // Names and a date that cannot occur by chance in anything the platform writes.
    private const string Given = "Quillavetha";
    private const string Family = "Zorbandiquex";
    private static readonly DateOnly BornOn = new(1983, 7, 29);

    private static readonly string FirstKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string SecondKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Rotation_re_encodes_every_compartment_under_the_new_key_keeps_the_answers_never_compares_two_keys_and_resumes_after_a_restart()
    {
        using var data = new TempFolder();
        var logs = new LogCapture();
        Guid confirmedTh, confirmedKh, dismissedTh, dismissedKh, alone, erased, aloneAgain;
        Dictionary<Guid, MatchEncodingRow> before;

        // Under the first key: a confirmed match, a dismissed one, a person found once, and a subject erased by retention.
        await using (var platform = Platform(data, logs, FirstKey, "k1"))
        {
            using var thailand = await platform.ClientForAsync("th-focal-point");
            using var cambodia = await platform.ClientForAsync("kh-focal-point");
            confirmedTh = (await ReferralRequests.CreateAsync(thailand, MatchingApiTests.Woman(Given, Family, BornOn, "TH"))).Id;
            confirmedKh = (await ReferralRequests.CreateAsync(cambodia, MatchingApiTests.Woman(Given, Family, BornOn, "KH"))).Id;
            dismissedTh = (await ReferralRequests.CreateAsync(thailand, MatchingApiTests.Woman("Sreyvornithe", "Phalkunary", new DateOnly(1991, 1, 17), "TH"))).Id;
            dismissedKh = (await ReferralRequests.CreateAsync(cambodia, MatchingApiTests.Woman("Sreyvornithe", "Phalkunary", new DateOnly(1991, 1, 17), "KH"))).Id;
            alone = (await ReferralRequests.CreateAsync(thailand, MatchingApiTests.Woman("Malivondrae", "Xaysombathu", new DateOnly(1994, 12, 3), "TH"))).Id;
            erased = (await ReferralRequests.CreateAsync(thailand, MatchingApiTests.Woman("Pornthirawe", "Kittiyaburan", new DateOnly(1979, 4, 8), "TH"))).Id;

            var confirmed = await MatchingApiTests.MatchOfAsync(thailand, confirmedTh);
            await DecideAsync(thailand, confirmed.Id, "confirm");
            await DecideAsync(cambodia, (await MatchingApiTests.MatchOfAsync(cambodia, confirmedKh)).Id, "confirm");
            await DecideAsync(cambodia, (await MatchingApiTests.MatchOfAsync(cambodia, dismissedKh)).Id, "dismiss");
            await platform.Services.GetRequiredService<IGrainFactory>().GetGrain<IReferralGrain>(erased).EraseSubject();

            before = await EncodingsAsync(platform);
            Assert.Equal([confirmedTh, confirmedKh, dismissedTh, dismissedKh, alone], before.Keys.Order());
            Assert.All(before.Values, row => Assert.Equal("k1", row.KeyId));
        }

        var matchesBefore = await MatchRowsAsync(data);

        // The operator sets a new key and key id; a pass of two referrals a page, paused an hour after each, is under way.
        await using (var platform = Platform(data, logs, SecondKey, "k2", ("Matching:PassPageSize", "2"), ("Matching:PassPause", "01:00:00")))
        {
            var pass = platform.Services.GetRequiredService<IGrainFactory>().GetGrain<IEncodingPassGrain>(0);
            var paused = await Eventually.Until(pass.Status, s => s.Running && s.Encoded + s.Skipped + s.Failed == 2, TimeSpan.FromSeconds(60));
            Assert.Equal((true, 6, 2, 0, 0), (paused.Running, paused.Total, paused.Encoded, paused.Skipped, paused.Failed));

            var midway = await EncodingsAsync(platform);
            Assert.Equal(["k1", "k1", "k1", "k2", "k2"], midway.Values.Select(r => r.KeyId).Order());

            // The same person as a referral still under the first key: the index compares it with the second key's only.
            using var thailand = await platform.ClientForAsync("th-focal-point");
            aloneAgain = (await ReferralRequests.CreateAsync(thailand, MatchingApiTests.Woman("Malivondrae", "Xaysombathu", new DateOnly(1994, 12, 3), "TH"))).Id;
            await using var scope = platform.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            Assert.Equal("k2", (await db.MatchEncodings.SingleAsync(r => r.ReferralId == aloneAgain)).KeyId);
            Assert.False(await db.PossibleMatches.AnyAsync(m => m.ReferralA == aloneAgain || m.ReferralB == aloneAgain));
        }

        // Stopped in the middle of the pass's pause: the pass stops with the host, and every grain deactivates in time
        // (the silo waits for a running timer callback before it cancels the callback's token).
        Assert.DoesNotContain(logs.Entries, e => e.Text.Contains("failed to deactivate promptly", StringComparison.Ordinal));

        // Started again (no pause now): the pass goes on after the page it had done, to the end.
        await using (var platform = Platform(data, logs, SecondKey, "k2", ("Matching:PassPageSize", "2")))
        {
            var pass = platform.Services.GetRequiredService<IGrainFactory>().GetGrain<IEncodingPassGrain>(0);
            var done = await Eventually.Until(pass.Status, s => !s.Running && s.CompletedFor == "k2/1", TimeSpan.FromSeconds(60));

            // Resumed, not started over: a new run would have counted only the four still under the first key.
            Assert.Equal((6, 5, 1, 0), (done.Total, done.Encoded, done.Skipped, done.Failed));

            var after = await EncodingsAsync(platform);
            Assert.Equal([confirmedTh, confirmedKh, dismissedTh, dismissedKh, alone, aloneAgain], after.Keys.Order());
            Assert.All(after.Values, row => Assert.Equal("k2", row.KeyId));
            foreach (var (id, old) in before)
            {
                Assert.NotEqual(old.Bits, after[id].Bits);
            }

            // The matches found under the first key are the same rows with the same answers, found once.
            var matchesAfter = await MatchRowsAsync(data);
            foreach (var (id, match) in matchesBefore)
            {
                Assert.Equal(match, matchesAfter[id]);
            }

            // Found when the earlier referral was encoded under the second key.
            var found = Assert.Single(matchesAfter.Values, m => m.Involves(aloneAgain));
            Assert.True(found.Involves(alone));
            Assert.All(matchesBefore.Values, m => Assert.Equal(1, m.Found));
            Assert.Equal(matchesBefore.Count + 1, matchesAfter.Count);

            using var thailand = await platform.ClientForAsync("th-focal-point");
            Assert.Equal(MatchStatus.Confirmed, (await MatchingApiTests.MatchOfAsync(thailand, confirmedTh)).Status);
            Assert.Equal(MatchStatus.Dismissed, (await MatchingApiTests.MatchOfAsync(thailand, dismissedTh)).Status);
            Assert.Equal(MatchStatus.Open, (await MatchingApiTests.MatchOfAsync(thailand, aloneAgain)).Status);
        }

        AssertNoPersonReadable(data, logs);
    }

    [Fact]
    public async Task Referrals_stored_without_an_encoding_are_encoded_at_the_next_start_and_matched()
    {
        using var data = new TempFolder();
        var logs = new LogCapture();
        Guid inThailand, inCambodia;
        await using (var platform = Platform(data, logs, FirstKey, "k1"))
        {
            using var thailand = await platform.ClientForAsync("th-focal-point");
            using var cambodia = await platform.ClientForAsync("kh-focal-point");
            inThailand = (await ReferralRequests.CreateAsync(thailand, MatchingApiTests.Woman(Given, Family, BornOn, "TH"))).Id;
            inCambodia = (await ReferralRequests.CreateAsync(cambodia, MatchingApiTests.Woman(Given, Family, BornOn, "KH"))).Id;
        }

        // As if both were recorded before matching existed: no encoding, no match.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, "platform.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM MatchAudit; DELETE FROM PossibleMatches; DELETE FROM MatchEncodings;";
            await command.ExecuteNonQueryAsync();
        }

        Assert.Empty(await MatchRowsAsync(data));

        await using (var platform = Platform(data, logs, FirstKey, "k1"))
        {
            var pass = platform.Services.GetRequiredService<IGrainFactory>().GetGrain<IEncodingPassGrain>(0);
            var done = await Eventually.Until(pass.Status, s => !s.Running && s.CompletedFor == "k1/1" && s.Encoded == 2, TimeSpan.FromSeconds(60));
            Assert.Equal((2, 2, 0, 0), (done.Total, done.Encoded, done.Skipped, done.Failed));

            var rows = await EncodingsAsync(platform);
            Assert.Equal([inThailand, inCambodia], rows.Keys.Order());
            Assert.All(rows.Values, row => Assert.Equal("k1", row.KeyId));

            using var thailand = await platform.ClientForAsync("th-focal-point");
            using var cambodia = await platform.ClientForAsync("kh-focal-point");
            var match = await MatchingApiTests.MatchOfAsync(thailand, inThailand);
            Assert.Equal(("KH", MatchStatus.Open), (match.CounterpartCountry, match.Status));
            Assert.Equal(match.Id, (await MatchingApiTests.MatchOfAsync(cambodia, inCambodia)).Id);
        }

        AssertNoPersonReadable(data, logs);
    }

    private static PlatformFactory Platform(TempFolder data, LogCapture logs, string networkKey, string keyId, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string> { ["Matching:NetworkKey"] = networkKey, ["Matching:NetworkKeyId"] = keyId };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new PlatformFactory(data.Path) { Logs = logs, Settings = all };
    }

    private static async Task<Dictionary<Guid, MatchEncodingRow>> EncodingsAsync(PlatformFactory platform)
    {
        await using var scope = platform.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        return await db.MatchEncodings.AsNoTracking().ToDictionaryAsync(r => r.ReferralId);
    }

    private sealed record MatchRow(Guid A, Guid B, string StatusA, string StatusB, long Found, string? LinkedAt)
    {
        public bool Involves(Guid referralId) => A == referralId || B == referralId;
    }

    /// <summary>The possible matches as stored, with how often each was audited as found (read from the file, whichever platform runs).</summary>
    private static async Task<Dictionary<string, MatchRow>> MatchRowsAsync(TempFolder data)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, "platform.db")};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT m.Id, m.ReferralA, m.ReferralB, m.StatusA, m.StatusB, m.LinkedAt,
                   (SELECT COUNT(*) FROM MatchAudit a WHERE a.MatchId = m.Id AND a.Action = 'Found')
            FROM PossibleMatches m
            """;
        var rows = new Dictionary<string, MatchRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = new MatchRow(
                Guid.Parse(reader.GetString(1)), Guid.Parse(reader.GetString(2)), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(6), reader.IsDBNull(5) ? null : Convert.ToString(reader.GetValue(5), CultureInfo.InvariantCulture));
        }

        return rows;
    }

    private static async Task DecideAsync(HttpClient client, Guid matchId, string decision)
    {
        using var response = await PartnerApi.PostAsync(client, $"/api/v1/matches/{matchId}/{decision}", null);
        await PartnerApi.ReadAsync<MatchView>(response);
    }

    /// <summary>Neither database, nor the data folder, nor any log of the three runs holds the canary person's names or date of birth.</summary>
    private static void AssertNoPersonReadable(TempFolder data, LogCapture logs)
    {
        var canaries = new[]
        {
            new Canary("names", $"{Given} {Family}",
                [Given, Family, $"{Given}{Family}", $"{Family}{Given}", Given.ToLowerInvariant(), Family.ToLowerInvariant()],
                [new BinaryForm("utf-16le", System.Text.Encoding.Unicode.GetBytes(Family))]),
            new Canary("dateOfBirth", "1983-07-29",
                [.. new[] { "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "dd.MM.yyyy", "yyyyMMdd" }.Select(f => BornOn.ToString(f, CultureInfo.InvariantCulture))],
                BinaryForm.OrleansDate(BornOn)),
        };

        var search = new CanarySearch(canaries);
        foreach (var database in new[] { "grains.db", "platform.db" })
        {
            search.AddSqliteRows(Path.Combine(data.Path, database), database);
        }

        search.AddFolder(data.Path, "stopped");
        search.AddLogs(logs.Entries);
        Assert.Contains(search.Searched, s => s.Source.StartsWith("platform.db » MatchEncodings.Bits", StringComparison.Ordinal) && s.Length > 0);
        Assert.Contains(logs.Entries, e => e.Text.Contains("encoding pass", StringComparison.Ordinal));
        Assert.True(search.Hits.Count == 0, search.Report());
    }
}
