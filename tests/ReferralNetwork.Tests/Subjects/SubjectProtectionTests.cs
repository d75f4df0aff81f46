using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Subjects;

/// <summary>The subject compartment at rest: sealed, bound to its referral, readable across key rotation, erasable, and upgraded from plain text.</summary>
public sealed class SubjectProtectionTests
{
    private static readonly string[] LegacyCanaries = ["Legacygivenf3a9c1", "Legacyfamily7d20be", "Legacysummary5e81aa", "Legacymessage42c7d0"];
    private static readonly Guid LegacyReferral = Guid.Parse("01a23528-1b28-7fd2-b895-78c64718d33e");

    [Fact]
    public async Task A_data_folder_made_before_encryption_is_migrated_holds_no_plain_text_and_still_reads()
    {
        using var data = new TempFolder();
        await using (var archive = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "data-folder-before-encryption.tar.gz")), CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(archive, data.Path, overwriteFiles: false);
        }

        Assert.NotEmpty(Hits(data.Path, LegacyCanaries)); // the fixture really holds them in plain text

        await using (var platform = new PlatformFactory(data.Path))
        {
            using var thailand = await platform.ClientForAsync("th-focal-point");
            var subject = await thailand.GetFromJsonAsync<SubjectView>($"/api/v1/referrals/{LegacyReferral}/subject?purpose=case-work", PlatformFactory.JsonOptions);
            var referral = await PartnerApi.GetReferralAsync(thailand, LegacyReferral);
            var list = await ReferralRequests.ListAsync(thailand);

            Assert.Equal(("Legacygivenf3a9c1", "Legacyfamily7d20be"), (subject!.GivenName, subject.FamilyName));
            Assert.Equal("Legacymessage42c7d0 bed is free", Assert.Single(referral!.Handoffs).Message);
            Assert.Contains(list!.Items, r => r.Id == LegacyReferral);

            // The start-up reseal seals every referral the index lists, then compacts the SQLite files.
            await Eventually.Until(() => Task.FromResult(Hits(data.Path, LegacyCanaries)), hits => hits.Count == 0, TimeSpan.FromSeconds(60));
        }

        Assert.Empty(Hits(data.Path, LegacyCanaries));

        // The compartment was keyed by the referral's id alone then; now by its country too, and the old row keeps nothing.
        Assert.Equal([("", false), ("TH", true)], await SubjectRowsAsync(Path.Combine(data.Path, "grains.db")));
    }

    private static async Task<List<(string Country, bool HoldsState)>> SubjectRowsAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainIdExtensionString, PayloadBinary IS NOT NULL FROM OrleansStorage WHERE GrainTypeString = 'subject' ORDER BY 1";
        var rows = new List<(string, bool)>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetBoolean(1)));
        }

        return rows;
    }

    [Fact]
    public async Task The_subject_and_its_documents_read_back_after_a_key_rotation_and_every_row_moves_to_the_new_keys()
    {
        using var data = new TempFolder();
        Guid id;
        Guid documentId;
        byte[] scan = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Encoding.UTF8.GetBytes("photo of the person")];
        await using (var platform = new PlatformFactory(data.Path))
        {
            using var thailand = await platform.ClientForAsync("th-focal-point");
            id = (await ReferralRequests.CreateAsync(thailand)).Id;
            using var added = await thailand.PostAsync($"/api/v1/referrals/{id}/subject/documents?kind=photo", new ByteArrayContent(scan));
            documentId = (await PartnerApi.ReadAsync<DocumentView>(added)).Id;
        }

        var ringPath = Path.Combine(data.Path, "keys", StorageProtection.DevelopmentRingFile);
        var before = KeyRing.Load(ringPath).CurrentKeyId(KeyRing.Regional);
        var rotated = KeyRing.RotateFile(ringPath);
        var after = rotated.CurrentKeyId(KeyRing.Regional);
        Assert.NotEqual(before, after);

        await using (var platform = new PlatformFactory(data.Path))
        {
            using var thailand = await platform.ClientForAsync("th-focal-point");
            var subject = await thailand.GetFromJsonAsync<SubjectView>($"/api/v1/referrals/{id}/subject?purpose=case-work", PlatformFactory.JsonOptions);
            var document = await thailand.GetByteArrayAsync($"/api/v1/referrals/{id}/subject/documents/{documentId}?purpose=nationality-verification");

            Assert.Equal(ReferralRequests.GivenName, subject!.GivenName);
            Assert.Equal(scan, document);
            await Eventually.Until(() => Task.FromResult(SealedRows.KeyIds(data.Path)), keys => keys.Count > 0 && keys.All(k => k == after), TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task A_compartment_moved_to_another_referrals_row_does_not_open()
    {
        using var data = new TempFolder();
        Guid first;
        Guid second;
        await using (var platform = new PlatformFactory(data.Path))
        {
            using var thailand = await platform.ClientForAsync("th-focal-point");
            first = (await ReferralRequests.CreateAsync(thailand)).Id;
            second = (await ReferralRequests.CreateAsync(thailand, ReferralRequests.VietnameseWoman() with { Subject = new SubjectInput("Mai", "Tran", Sex.Female, null, "VN", ["vi"]) })).Id;
        }

        // An operator with database access swaps the two compartments' rows.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, "grains.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            var rows = new List<(long RowId, byte[] Payload)>();
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT rowid, PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'subject'";
                await using var reader = await read.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    rows.Add((reader.GetInt64(0), (byte[])reader[1]));
                }
            }

            Assert.Equal(2, rows.Count);
            foreach (var (row, payload) in new[] { (rows[0].RowId, rows[1].Payload), (rows[1].RowId, rows[0].Payload) })
            {
                await using var write = connection.CreateCommand();
                write.CommandText = "UPDATE OrleansStorage SET PayloadBinary = $payload WHERE rowid = $row";
                write.Parameters.AddWithValue("$payload", payload);
                write.Parameters.AddWithValue("$row", row);
                Assert.Equal(1, await write.ExecuteNonQueryAsync());
            }
        }

        await using (var platform = new PlatformFactory(data.Path))
        {
            using var thailand = await platform.ClientForAsync("th-focal-point");
            foreach (var id in new[] { first, second })
            {
                using var response = await thailand.GetAsync($"/api/v1/referrals/{id}/subject?purpose=case-work");
                var body = await response.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
                Assert.DoesNotContain("Lan", body, StringComparison.Ordinal);
                Assert.DoesNotContain("Mai", body, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Correcting_the_subject_records_which_fields_changed_and_nothing_of_their_values()
    {
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path);
        using var thailand = await platform.ClientForAsync("th-focal-point");
        using var shelter = await platform.ClientForAsync("th-shelter-bangkok");
        var created = await ReferralRequests.CreateAsync(thailand);
        var path = $"/api/v1/referrals/{created.Id}";
        var correction = new SubjectCorrectionRequest("Lanh", ReferralRequests.FamilyName, Sex.Female, new DateOnly(2010, 3, 14), "KH", ["km"], "Corrected after interview");

        using var byOther = await shelter.PutAsJsonAsync($"{path}/subject", correction, PlatformFactory.JsonOptions);
        using var invalid = await thailand.PutAsJsonAsync($"{path}/subject", correction with { Nationality = "Cambodia" }, PlatformFactory.JsonOptions);
        using var corrected = await thailand.PutAsJsonAsync($"{path}/subject", correction, PlatformFactory.JsonOptions);
        var view = await PartnerApi.ReadAsync<ReferralView>(corrected);
        var subject = await thailand.GetFromJsonAsync<SubjectView>($"{path}/subject?purpose=case-work", PlatformFactory.JsonOptions);
        var history = await thailand.GetStringAsync($"{path}/history");

        await Problem.AssertAsync(byOther, HttpStatusCode.NotFound, "not-found");
        Assert.Contains("nationality", Problem.ErrorFields(await Problem.AssertAsync(invalid, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(("KH", AgeBand.From12To17, 2), (view.Nationality, view.AgeBand, view.Version));
        Assert.Equal(("Lanh", "KH"), (subject!.GivenName, subject.Nationality));
        Assert.Contains("SubjectCorrected", history, StringComparison.Ordinal);
        Assert.Contains("\"givenName\"", history, StringComparison.Ordinal);
        Assert.DoesNotContain("Lanh", history, StringComparison.Ordinal);
        Assert.DoesNotContain("Corrected after interview", history, StringComparison.Ordinal);
        await Eventually.Until(() => ReferralRequests.ListAsync(thailand), l => l!.Items.Any(r => r.Id == created.Id && r.Nationality == "KH"));
    }

    [Fact]
    public async Task A_document_is_judged_by_its_content_and_read_only_under_the_subjects_rules()
    {
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path);
        using var thailand = await platform.ClientForAsync("th-focal-point");
        using var shelter = await platform.ClientForAsync("th-shelter-bangkok");
        var created = await ReferralRequests.CreateAsync(thailand);
        var path = $"/api/v1/referrals/{created.Id}";
        byte[] pdf = [.. "%PDF-1.7 passport"u8];

        using var disguised = new ByteArrayContent([.. "<script>alert(1)</script>"u8]);
        disguised.Headers.ContentType = new("image/jpeg");
        using var refused = await thailand.PostAsync($"{path}/subject/documents?kind=passport-scan", disguised);
        using var byShelter = await shelter.PostAsync($"{path}/subject/documents?kind=passport-scan", new ByteArrayContent(pdf));
        using var added = await thailand.PostAsync($"{path}/subject/documents?kind=passport-scan", new ByteArrayContent(pdf));
        var document = await PartnerApi.ReadAsync<DocumentView>(added);
        using var read = await thailand.GetAsync($"{path}/subject/documents/{document.Id}?purpose=nationality-verification");
        using var readByShelter = await shelter.GetAsync($"{path}/subject/documents/{document.Id}?purpose=case-work");
        var log = await thailand.GetFromJsonAsync<List<AccessLogEntry>>($"{path}/access-log", PlatformFactory.JsonOptions);

        Assert.Contains("body", Problem.ErrorFields(await Problem.AssertAsync(refused, HttpStatusCode.BadRequest, "validation")));
        await Problem.AssertAsync(byShelter, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(("application/pdf", (long)pdf.Length), (document.ContentType, document.Length));
        Assert.Equal(pdf, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", read.Headers.CacheControl?.ToString());
        await Problem.AssertAsync(readByShelter, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(document.Id, Assert.Single(log!).DocumentId);
    }

    /// <summary>Where in the data folder's files the values appear, in any encoding the shared canary search knows.</summary>
    private static IReadOnlyList<CanaryHit> Hits(string folder, IEnumerable<string> values)
    {
        var search = new CanarySearch(values.Select(value => Canary.Token(value, value)));
        search.AddFolder(folder, "data");
        return search.Hits;
    }
}

/// <summary>Crypto-shredding for retention: destroying the compartment's data key erases the person and keeps the workflow.</summary>
public sealed class SubjectErasureTests
{
    private static readonly ReferralNetwork.Identity.Caller Thailand =
        new("th-focal-point", "TH", OrganizationKind.FocalPoint, [ReferralNetwork.Identity.Scopes.ReferralsRead, ReferralNetwork.Identity.Scopes.ReferralsWrite, ReferralNetwork.Identity.Scopes.SubjectRead]);

    [Fact]
    public async Task An_erased_subject_is_gone_while_its_referral_and_history_remain()
    {
        using var data = new TempFolder();
        var id = Guid.NewGuid();
        await using (var cluster = await GrainCluster.StartAsync(data.Path))
        {
            var referral = cluster.Grains.GetGrain<ReferralNetwork.Referrals.IReferralGrain>(id);
            await referral.Create(Thailand, ReferralRequests.Command(Thailand));
            Assert.Equal(ReferralRequests.GivenName, (await referral.ReadSubject(Thailand, AccessPurpose.CaseWork, null)).GivenName);

            await referral.EraseSubject();
        }

        await using var next = await GrainCluster.StartAsync(data.Path);
        var again = next.Grains.GetGrain<ReferralNetwork.Referrals.IReferralGrain>(id);
        var refused = await Assert.ThrowsAsync<ReferralNetwork.Http.ProblemException>(() => again.ReadSubject(Thailand, AccessPurpose.CaseWork, null));
        Assert.Equal(ReferralNetwork.Http.ProblemKind.NotFound, refused.Kind);
        Assert.Equal(Stage.Identified, (await again.Get(Thailand)).Stage);
        Assert.Single(await again.GetHistory(Thailand));
    }
}
