using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using ReferralNetwork.Contracts;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Storage.OrleansTables;
using ReferralNetwork.Subjects;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Subjects;

/// <summary>
/// Residency on the grain cluster, with SQLite files for stores (the router does not care which engine is behind it; the
/// end-to-end test runs the same on two PostgreSQL databases): where compartments are kept, how compartments stored
/// before move, and what a country's store being down breaks.
/// </summary>
public sealed class ResidencyTests
{
    private static readonly string[] CaseScopes = [Scopes.ReferralsWrite, Scopes.ReferralsRead, Scopes.SubjectRead];
    private static readonly Caller Thailand = new("th-focal-point", "TH", OrganizationKind.FocalPoint, CaseScopes);
    private static readonly Caller Vietnam = new("vn-focal-point", "VN", OrganizationKind.FocalPoint, CaseScopes);

    [Fact]
    public async Task A_compartment_is_kept_in_the_store_of_its_country_and_the_others_in_the_shared_store()
    {
        using var data = new TempFolder();
        var thStore = await StoreAsync(data, "th.db");
        var th = Guid.NewGuid();
        var vn = Guid.NewGuid();
        await using (var cluster = await GrainCluster.StartAsync(data.Path, residency: new Dictionary<string, string> { ["TH"] = thStore }))
        {
            await cluster.Grains.GetGrain<IReferralGrain>(th).Create(Thailand, ReferralRequests.Command(Thailand));
            await cluster.Grains.GetGrain<IReferralGrain>(vn).Create(Vietnam, ReferralRequests.Command(Vietnam));
            await cluster.Grains.GetGrain<IReferralGrain>(th).AddDocument(Thailand, null, new ReferralCommand.AddDocument(DocumentKind.Photo, "image/png", Png));

            Assert.Equal(ReferralRequests.GivenName, (await cluster.Grains.GetGrain<IReferralGrain>(th).ReadSubject(Thailand, AccessPurpose.CaseWork, null)).GivenName);
            Assert.Equal(ReferralRequests.GivenName, (await cluster.Grains.GetGrain<IReferralGrain>(vn).ReadSubject(Vietnam, AccessPurpose.CaseWork, null)).GivenName);
        }

        var shared = Shared(data);
        Assert.Equal([("subject", "TH", th), ("subject-document", "TH", Guid.Empty)], await CompartmentRowsAsync(thStore, documentsAsEmpty: true));
        Assert.Equal([("subject", "VN", vn)], await CompartmentRowsAsync(shared, documentsAsEmpty: true));

        // The workflow stays shared: both referrals are in the shared store, none in Thailand's.
        Assert.Equal(2, await CountAsync(shared, "GrainTypeString = 'referral'"));
        Assert.Equal(0, await CountAsync(thStore, "GrainTypeString <> 'subject' AND GrainTypeString <> 'subject-document'"));
    }

    [Fact]
    public async Task A_compartment_stored_before_it_was_keyed_by_country_moves_to_its_store_when_first_read()
    {
        using var data = new TempFolder();
        var thStore = await StoreAsync(data, "th.db");
        var id = Guid.NewGuid();
        await using var cluster = await GrainCluster.StartAsync(data.Path, residency: new Dictionary<string, string> { ["TH"] = thStore });

        // The row as the platform wrote it before the upgrade: keyed by the referral's id alone, in the shared store
        // (and, older still, in plain text, which the compartment still reads).
        var legacy = new SubjectState { GivenName = "Legacygiven", FamilyName = "Legacyfamily", Nationality = "VN", Languages = ["vi"] };
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(SubjectsFeature.SharedGrainStorage);
        await storage.WriteStateAsync("subject", GrainId.Create(GrainType.Create("subject"), GrainIdKeyExtensions.CreateGuidKey(id)), new GrainState<SubjectState>(legacy));
        Assert.Equal([("subject", "", id)], await CompartmentRowsAsync(Shared(data)));

        var subject = await cluster.Grains.Subject(id, "TH").Read(new SubjectReader("th-focal-point", null, AccessPurpose.CaseWork, null, false));

        Assert.Equal(("Legacygiven", "Legacyfamily"), (subject.GivenName, subject.FamilyName));
        Assert.Equal([("subject", "TH", id)], await CompartmentRowsAsync(thStore));
        Assert.Equal(1, await CountAsync(Shared(data), "GrainTypeString = 'subject' AND PayloadBinary IS NULL")); // the old row keeps nothing
        Assert.Equal(0, await CountAsync(Shared(data), "GrainTypeString = 'subject' AND PayloadBinary IS NOT NULL"));

        // Read again: from its store, where the read was also recorded.
        var log = await cluster.Grains.Subject(id, "TH").AccessLog();
        Assert.Single(log);
    }

    [Fact]
    public async Task Compartments_kept_in_the_shared_store_move_at_start_up_to_a_store_configured_later_documents_too()
    {
        using var data = new TempFolder();
        var id = Guid.NewGuid();
        await using (var before = await GrainCluster.StartAsync(data.Path))
        {
            await before.Grains.GetGrain<IReferralGrain>(id).Create(Thailand, ReferralRequests.Command(Thailand));
            await before.Grains.GetGrain<IReferralGrain>(id).AddDocument(Thailand, null, new ReferralCommand.AddDocument(DocumentKind.Photo, "image/png", Png));
        }

        Assert.Equal([("subject", "TH", id), ("subject-document", "TH", Guid.Empty)], await CompartmentRowsAsync(Shared(data), documentsAsEmpty: true));

        var thStore = await StoreAsync(data, "th.db");
        await using var after = await GrainCluster.StartAsync(data.Path, residency: new Dictionary<string, string> { ["TH"] = thStore });

        // Nothing touches the referral: the start-up pass over every referral moves its compartment and document (each
        // written to Thailand's store, then cleared in the shared one).
        var (moved, left) = await Eventually.Until(
            async () => (await CompartmentRowsAsync(thStore, documentsAsEmpty: true), await CountAsync(Shared(data), "GrainTypeString LIKE 'subject%' AND PayloadBinary IS NOT NULL")),
            stores => stores.Item1.Count == 2 && stores.Item2 == 0,
            TimeSpan.FromSeconds(60));
        Assert.Equal([("subject", "TH", id), ("subject-document", "TH", Guid.Empty)], moved);
        Assert.Equal(0, left);
        var referral = after.Grains.GetGrain<IReferralGrain>(id);
        Assert.Equal(ReferralRequests.GivenName, (await referral.ReadSubject(Thailand, AccessPurpose.CaseWork, null)).GivenName);
        var document = Assert.Single((await referral.ReadSubject(Thailand, AccessPurpose.CaseWork, null)).Documents);
        Assert.Equal(Png, (await referral.ReadDocument(Thailand, document.Id, AccessPurpose.CaseWork, null)).Content);
    }

    [Fact]
    public async Task With_the_store_of_one_country_down_only_its_compartments_fail_and_a_referral_there_is_not_half_created()
    {
        using var data = new TempFolder();

        // A store that cannot be opened: its folder does not exist and the connection may not create the file.
        var down = new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "no-such-folder", "th.db"), Mode = SqliteOpenMode.ReadWrite }.ToString();
        await using var cluster = await GrainCluster.StartAsync(data.Path, residency: new Dictionary<string, string> { ["TH"] = down });

        // Everything of Viet Nam works: the silo started although Thailand's store is down.
        var vn = Guid.NewGuid();
        await cluster.Grains.GetGrain<IReferralGrain>(vn).Create(Vietnam, ReferralRequests.Command(Vietnam));
        Assert.Equal(ReferralRequests.GivenName, (await cluster.Grains.GetGrain<IReferralGrain>(vn).ReadSubject(Vietnam, AccessPurpose.CaseWork, null)).GivenName);

        var th = Guid.NewGuid();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Grains.GetGrain<IReferralGrain>(th).Create(Thailand, ReferralRequests.Command(Thailand)));
        Assert.Equal("TH", StoreUnavailable(failure).Country);

        // Nothing of the referral was written: it does not exist, in memory or in the shared store.
        var missing = await Assert.ThrowsAsync<ProblemException>(() => cluster.Grains.GetGrain<IReferralGrain>(th).Get(Thailand));
        Assert.Equal(ProblemKind.NotFound, missing.Kind);
        Assert.Equal(1, await CountAsync(Shared(data), "GrainTypeString = 'referral'"));

        // Viet Nam still works after Thailand's failures.
        await cluster.Grains.GetGrain<IReferralGrain>(vn).ReadSubject(Vietnam, AccessPurpose.CaseWork, null);
    }

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    private static SubjectStoreUnavailableException StoreUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SubjectStoreUnavailableException store)
            {
                return store;
            }
        }

        Assert.Fail($"Not a store failure: {exception}");
        return null!;
    }

    private static async Task<string> StoreAsync(TempFolder data, string file)
    {
        var connectionString = $"Data Source={Path.Combine(data.Path, file)}";
        await OrleansSchema.EnsureSqliteAsync(connectionString, TestContext.Current.CancellationToken);
        return connectionString;
    }

    private static string Shared(TempFolder data) => $"Data Source={Path.Combine(data.Path, "grains.db")}";

    /// <summary>The compartment's rows that hold something: (state, country, id), the id of a document's as empty when asked.</summary>
    private static async Task<List<(string Type, string Country, Guid Id)>> CompartmentRowsAsync(string connectionString, bool documentsAsEmpty = false)
    {
        await using var connection = new SqliteConnection(connectionString + ";Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainTypeString, GrainIdExtensionString, GrainIdN0, GrainIdN1 FROM OrleansStorage WHERE GrainTypeString LIKE 'subject%' AND PayloadBinary IS NOT NULL ORDER BY GrainTypeString";
        var rows = new List<(string, string, Guid)>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var type = reader.GetString(0);
            var id = type == "subject-document" && documentsAsEmpty ? Guid.Empty : GuidOf(reader.GetInt64(2), reader.GetInt64(3));
            rows.Add((type, reader.GetString(1), id));
        }

        return rows;
    }

    private static async Task<long> CountAsync(string connectionString, string where)
    {
        await using var connection = new SqliteConnection(connectionString + ";Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM OrleansStorage WHERE {where}";
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>The Guid whose two halves Orleans' ADO.NET key stores as N0 and N1.</summary>
    private static Guid GuidOf(long n0, long n1)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), n0);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), n1);
        return new Guid(bytes);
    }
}
