using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.EndToEnd.Processes;
using ReferralNetwork.EndToEnd.Servers;
using ReferralNetwork.Http;

namespace ReferralNetwork.EndToEnd.Production;

/// <summary>
/// Residency on the production profile: a silo with <c>Residency:TH</c> naming a database of its own beside the shared
/// one, on the collection's PostgreSQL server. Thailand's compartments are in Thailand's store only; when that store
/// refuses connections, Thailand's subjects answer 503 and everything else goes on.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class ResidencyTests(ResidencyPlatform platform, ITestOutputHelper output) : IClassFixture<ResidencyPlatform>
{
    [Fact]
    public async Task A_Thai_subject_is_stored_only_in_the_Thai_store_and_a_Vietnamese_one_only_in_the_shared_store_never_in_plain_text()
    {
        var canaries = new CanarySet(Guid.NewGuid());
        var thCanary = canaries.Add("th.givenName", "residencyth");
        var vnCanary = canaries.Add("vn.givenName", "residencyvn");
        var (thName, vnName) = (thCanary.Value, vnCanary.Value);
        var th = await platform.CreateAsync("th-focal-point", "TH", thName);
        var vn = await platform.CreateAsync("vn-focal-point", "VN", vnName);

        using var thRead = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{th}/subject?purpose=case-work", "th-focal-point");
        using var vnRead = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{vn}/subject?purpose=case-work", "vn-focal-point");
        var thText = await thRead.Content.ReadAsStringAsync();
        Assert.True(thRead.IsSuccessStatusCode, thText);
        Assert.True(vnRead.IsSuccessStatusCode, await vnRead.Content.ReadAsStringAsync());
        Assert.Equal(thName, JsonSerializer.Deserialize<SubjectView>(thText, Json.Options)!.GivenName);

        // Each compartment has its row in one database, and the other database has none of it.
        Assert.Equal([("TH", th)], await CompartmentsAsync(platform.ThaiConnectionString, th, vn));
        Assert.Equal([("VN", vn)], await CompartmentsAsync(platform.OrleansConnectionString, th, vn));

        // The workflow is shared: both referrals in the shared store, nothing but compartments in Thailand's.
        Assert.Equal(2, await ScalarAsync<long>(platform.OrleansConnectionString, $"SELECT count(*) FROM orleansstorage WHERE graintypestring = 'referral' AND {KeyIn(th, vn)}"));
        Assert.Equal(0, await ScalarAsync<long>(platform.ThaiConnectionString, "SELECT count(*) FROM orleansstorage WHERE graintypestring NOT LIKE 'subject%'"));

        // Neither name is readable in either database as a backup holds it; the control is the API's own answer, where it is.
        var search = new CanarySearch([thCanary, vnCanary]);
        search.AddPostgresDump(await platform.Postgres.DumpAsync(DatabaseOf(platform.ThaiConnectionString)), "th.sql");
        search.AddPostgresDump(await platform.Postgres.DumpAsync(DatabaseOf(platform.OrleansConnectionString)), "orleans.sql");
        search.AddPostgresDump(await platform.Postgres.DumpAsync(DatabaseOf(platform.PlatformConnectionString)), "platform.sql");
        search.AddFile(platform.Silo.LogPath, "silo.log");
        search.AddText("answer", "control: the subject as the API answered it", thText);
        var report = search.Report();
        output.WriteLine(report);
        Assert.Contains(search.Searched, s => s.Source.StartsWith("th.sql » orleansstorage.payloadbinary", StringComparison.Ordinal));
        Assert.Contains(search.Searched, s => s.Source == "silo.log" && s.Length > 0);
        Assert.Contains(search.Hits, h => h.Canary == "th.givenName" && h.Source.StartsWith("control", StringComparison.Ordinal));
        Assert.True(search.Hits.All(h => h.Source.StartsWith("control", StringComparison.Ordinal)), report);
    }

    [Fact]
    public async Task With_the_Thai_store_down_Thai_subjects_answer_a_503_problem_and_everything_else_works()
    {
        var th = await platform.CreateAsync("th-focal-point", "TH", "Somchai");
        var vn = await platform.CreateAsync("vn-focal-point", "VN", "Lan");
        var referralsBefore = await ScalarAsync<long>(platform.OrleansConnectionString, "SELECT count(*) FROM orleansstorage WHERE graintypestring = 'referral'");

        await platform.TakeThaiStoreDownAsync();
        try
        {
            // A silo (re)started meanwhile starts and becomes ready: Thailand's store is only needed by Thailand's subjects.
            await platform.Silo.StopAsync();
            await platform.Silo.StartAsync();

            using (var thSubject = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{th}/subject?purpose=case-work", "th-focal-point"))
            {
                await AssertStoreUnavailableAsync(thSubject, "Somchai");
            }

            using (var thAccessLog = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{th}/access-log", "th-focal-point"))
            {
                await AssertStoreUnavailableAsync(thAccessLog, "Somchai");
            }

            // A Thai creation fails whole: nothing of the referral is written, and the same Idempotency-Key can be retried.
            using (var thCreate = await platform.SendAsync(HttpMethod.Post, "/api/v1/referrals", "th-focal-point", Request("TH", "Kanya"), idempotencyKey: "residency-down-1"))
            {
                await AssertStoreUnavailableAsync(thCreate, "Kanya");
            }

            Assert.Equal(referralsBefore, await ScalarAsync<long>(platform.OrleansConnectionString, "SELECT count(*) FROM orleansstorage WHERE graintypestring = 'referral'"));

            // Everything else: the Thai referral's workflow, Viet Nam's subjects, new Vietnamese referrals.
            using (var thReferral = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{th}", "th-focal-point"))
            {
                Assert.Equal(HttpStatusCode.OK, thReferral.StatusCode);
            }

            using (var vnSubject = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{vn}/subject?purpose=case-work", "vn-focal-point"))
            {
                Assert.Equal(HttpStatusCode.OK, vnSubject.StatusCode);
            }

            await platform.CreateAsync("vn-focal-point", "VN", "Hoa");
        }
        finally
        {
            await platform.BringThaiStoreBackAsync();
        }

        // Back: the subject reads again (a failed activation is kept a few seconds), and the retried creation succeeds once.
        Assert.Equal(HttpStatusCode.OK, await Eventually.Until(
            async () =>
            {
                using var read = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{th}/subject?purpose=case-work", "th-focal-point");
                return read.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30)));
        using var retried = await platform.SendAsync(HttpMethod.Post, "/api/v1/referrals", "th-focal-point", Request("TH", "Kanya"), idempotencyKey: "residency-down-1");
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        var created = (await retried.Content.ReadFromJsonAsync<ReferralView>(Json.Options))!;
        Assert.Equal(1, created.Version);
        Assert.Equal([("TH", created.Id)], await CompartmentsAsync(platform.ThaiConnectionString, created.Id));
    }

    [Fact]
    public async Task With_the_Thai_store_down_retention_erases_the_subjects_of_other_countries_and_Thailands_once_it_is_back()
    {
        var th = await platform.CreateAsync("th-focal-point", "TH", "Ratana");
        var vn = await platform.CreateAsync("vn-focal-point", "VN", "Mai");
        await platform.TakeThaiStoreDownAsync();
        try
        {
            // Closing is workflow: it works with Thailand's store down. Both countries erase subjects at once after closing.
            // The Thai referral is closed, and listed as closed, first: from then on every round of the job meets it (Thailand
            // comes first in a round) before Viet Nam's.
            foreach (var (id, organization) in new[] { (th, "th-focal-point"), (vn, "vn-focal-point") })
            {
                using var close = await platform.SendAsync(HttpMethod.Post, $"/api/v1/referrals/{id}/close", organization, new CloseRequest(ClosureReason.LostContact));
                Assert.True(close.IsSuccessStatusCode, await close.Content.ReadAsStringAsync());
                Assert.True(await Eventually.Until(() => platform.ListedAsClosedAsync(id), closed => closed, TimeSpan.FromSeconds(30)), $"{id} not listed as closed");
            }

            // Thailand's erasure fails, round after round: Viet Nam's subject is erased all the same.
            Assert.True(await Eventually.Until(() => platform.ErasedAsync(vn), erased => erased, TimeSpan.FromSeconds(60)), $"Viet Nam's subject was not erased while Thailand's store was down:\n{platform.RetentionLog()}");
            Assert.False(await platform.ErasedAsync(th));
        }
        finally
        {
            await platform.BringThaiStoreBackAsync();
        }

        Assert.True(await Eventually.Until(() => platform.ErasedAsync(th), erased => erased, TimeSpan.FromSeconds(60)), $"Thailand's subject was not erased once its store was back:\n{platform.RetentionLog()}");
    }

    [Fact]
    public async Task A_silo_refuses_to_start_on_a_country_store_that_migrate_has_not_prepared()
    {
        var unprepared = await platform.Postgres.CreateDatabaseAsync($"subjects_kh_{Guid.NewGuid().ToString("N")[..8]}");
        var settings = new Dictionary<string, string?>(platform.Settings) { ["Residency__KH"] = unprepared };

        var (exitCode, said) = await PlatformExecutable.RunAsync(settings);

        output.WriteLine(said);
        Assert.Equal(3, exitCode);
        Assert.Contains("The Orleans persistence tables do not exist in the Residency:KH database.", said, StringComparison.Ordinal);
        Assert.Contains("migrate", said, StringComparison.Ordinal);
    }

    private static async Task AssertStoreUnavailableAsync(HttpResponseMessage response, string name)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(Problems.TypeOf(ProblemKind.ServiceUnavailable), problem.GetProperty("type").GetString());
        Assert.Equal("The subject's store is unavailable.", problem.GetProperty("title").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.DoesNotContain(name, text, StringComparison.Ordinal);
    }

    private static CreateReferralRequest Request(string country, string givenName) =>
        ReferralRequests.VietnameseWoman(country) with { Subject = ReferralRequests.VietnameseWoman(country).Subject! with { GivenName = givenName } };

    /// <summary>The compartments of these referrals that hold something in a database: (country, referral).</summary>
    internal static async Task<List<(string Country, Guid Referral)>> CompartmentsAsync(string connectionString, params Guid[] referrals)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT grainidextensionstring, grainidn0, grainidn1 FROM orleansstorage WHERE graintypestring = 'subject' AND payloadbinary IS NOT NULL AND {KeyIn(referrals)} ORDER BY 1",
            connection);
        var rows = new List<(string, Guid)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var bytes = new byte[16];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), reader.GetInt64(1));
            BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), reader.GetInt64(2));
            rows.Add((reader.GetString(0), new Guid(bytes)));
        }

        return rows;
    }

    /// <summary>Rows keyed by one of these ids (Orleans' ADO.NET key: the Guid's two halves).</summary>
    private static string KeyIn(params Guid[] ids) =>
        "(" + string.Join(" OR ", ids.Select(id =>
        {
            var bytes = id.ToByteArray();
            return string.Create(CultureInfo.InvariantCulture, $"(grainidn0 = {BitConverter.ToInt64(bytes, 0)} AND grainidn1 = {BitConverter.ToInt64(bytes, 8)})");
        })) + ")";

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static string DatabaseOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;
}

/// <summary>Residency given to a country whose compartments are already kept in the shared database, as an operator would.</summary>
[Collection(ProductionCollection.Name)]
public sealed class ResidencyConfiguredLaterTests(PostgresFixture postgres, RabbitMqFixture rabbitMq)
{
    [Fact]
    public async Task A_countrys_compartments_move_to_its_store_at_the_next_start_and_still_read()
    {
        await using var platform = new ResidencyPlatform(postgres, rabbitMq) { StartWithResidency = false };
        await platform.InitializeAsync();
        var th = await platform.CreateAsync("th-focal-point", "TH", "Malee");
        var vn = await platform.CreateAsync("vn-focal-point", "VN", "Thu");
        Assert.Equal([("TH", th), ("VN", vn)], await ResidencyTests.CompartmentsAsync(platform.OrleansConnectionString, th, vn));

        await platform.ConfigureThaiResidencyAsync();

        // Nothing reads the Thai subject: the start-up pass moves it (written to Thailand's store, then cleared in the shared one).
        var (thai, shared) = await Eventually.Until(
            async () => (await ResidencyTests.CompartmentsAsync(platform.ThaiConnectionString, th, vn), await ResidencyTests.CompartmentsAsync(platform.OrleansConnectionString, th, vn)),
            stores => stores.Item1.Count > 0 && stores.Item2.Count < 2,
            TimeSpan.FromSeconds(60));
        Assert.Equal([("TH", th)], thai);
        Assert.Equal([("VN", vn)], shared);

        using var read = await platform.SendAsync(HttpMethod.Get, $"/api/v1/referrals/{th}/subject?purpose=case-work", "th-focal-point");
        var text = await read.Content.ReadAsStringAsync();
        Assert.True(read.IsSuccessStatusCode, text);
        Assert.Equal("Malee", JsonSerializer.Deserialize<SubjectView>(text, Json.Options)!.GivenName);
    }
}

/// <summary>An unusable Residency entry stops the platform (and its commands) before anything starts, naming the setting.</summary>
[Collection(ProductionCollection.Name)]
public sealed class ResidencySettingsTests(ITestOutputHelper output) : IDisposable
{
    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-residency-settings");

    [Fact]
    public async Task Production_refuses_a_key_that_is_no_country_and_an_empty_or_unusable_connection_string()
    {
        var (exitCode, said) = await PlatformExecutable.RunAsync(new Dictionary<string, string?>
        {
            ["ReferralNetwork__Profile"] = "production",
            ["Residency__THA"] = "Host=127.0.0.1;Database=subjects_th",
            ["Residency__KH"] = "",
            ["Residency__LA"] = "Host=127.0.0.1;Database=subjects_la;Colour=blue;Password=do-not-print",
        }, "migrate");

        output.WriteLine(said);
        Assert.Equal(3, exitCode);
        Assert.Contains("Residency:THA does not name a country", said, StringComparison.Ordinal);
        Assert.Contains("Residency:KH is empty", said, StringComparison.Ordinal);
        Assert.Contains("Residency:LA is not a usable PostgreSQL connection string", said, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-print", said, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Orleans is not set", said, StringComparison.Ordinal); // with every other problem, at once
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_profile_refuses_residency_naming_the_setting()
    {
        var (exitCode, said) = await PlatformExecutable.RunAsync(new Dictionary<string, string?>
        {
            ["ReferralNetwork__DataPath"] = _folder.Path,
            ["Residency__TH"] = $"Data Source={Path.Combine(_folder.Path, "th.db")}",
        });

        output.WriteLine(said);
        Assert.Equal(3, exitCode);
        Assert.Contains("Residency:TH is set, but the embedded profile", said, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "grains.db"))); // refused before anything was created
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>
/// One silo of the production profile whose Thai compartments have a database of their own (<c>Residency__TH</c>), set up
/// as an operator does it: <c>migrate</c> (which prepares that database too), <c>import-directory</c>, then the silo.
/// </summary>
public sealed class ResidencyPlatform(PostgresFixture postgres, RabbitMqFixture rabbitMq) : IAsyncLifetime
{
    private const string ClientSecret = "residency-test-secret";
    private static readonly string[] Organizations = ["th-focal-point", "vn-focal-point"];

    private readonly ThrowawayFolder _folder = ThrowawayFolder.Create("rn-residency");
    private TokenClient _tokens = null!;

    public PostgresServer Postgres => postgres.Server;

    public SiloProcess Silo { get; private set; } = null!;

    public string OrleansConnectionString { get; private set; } = "";

    public string PlatformConnectionString { get; private set; } = "";

    public string ThaiConnectionString { get; private set; } = "";

    /// <summary>The environment of the silo and of its commands.</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>False: the silo starts without <c>Residency__TH</c>, which <see cref="ConfigureThaiResidencyAsync"/> adds later.</summary>
    public bool StartWithResidency { get; init; } = true;

    private Dictionary<string, string?> _settings = [];

    public async ValueTask InitializeAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        OrleansConnectionString = await Postgres.CreateDatabaseAsync($"orleans_{suffix}");
        PlatformConnectionString = await Postgres.CreateDatabaseAsync($"platform_{suffix}");
        ThaiConnectionString = await Postgres.CreateDatabaseAsync($"subjects_th_{suffix}");
        var certificates = TestCertificates.CreateIn(_folder.Path);
        var broker = await rabbitMq.Server.CreateVirtualHostAsync($"residency-{suffix}");
        var settings = ProductionSettings.For(OrleansConnectionString, PlatformConnectionString, broker, certificates, ProductionSettings.NewNetworkKey());
        settings["Cluster__ServiceId"] = "referral-network-residency";
        settings["Cluster__ClusterId"] = $"residency-{suffix}";

        // Subjects of closed referrals are erased at once, in rounds a few seconds apart (only the retention test closes any).
        settings["Retention__After__TH"] = "00:00:00";
        settings["Retention__After__VN"] = "00:00:00";
        settings["Retention__CheckPeriod"] = "00:00:02";

        if (StartWithResidency)
        {
            settings["Residency__TH"] = ThaiConnectionString;
        }

        _settings = settings;
        (await PlatformExecutable.RunAsync(settings, "migrate")).EnsureSucceeded();
        var directory = Path.Combine(_folder.Path, "directory.json");
        await File.WriteAllTextAsync(directory, JsonSerializer.Serialize(new
        {
            countries = new[] { new { code = "TH", name = "Thailand" }, new { code = "VN", name = "Viet Nam" } },
            organizations = new[]
            {
                new { id = "th-focal-point", name = "Thailand national focal point", country = "TH", kind = "focal-point" },
                new { id = "vn-focal-point", name = "Viet Nam national focal point", country = "VN", kind = "focal-point" },
            },
            clients = Organizations.Select(o => new { clientId = o, organizationId = o, secret = ClientSecret }),
        }));
        (await PlatformExecutable.RunAsync(settings, "import-directory", directory)).EnsureSucceeded();

        Silo = new SiloProcess("silo-residency", settings, _folder.Path);
        _tokens = new TokenClient(() => Silo.Http);
        await Silo.StartAsync();
    }

    /// <summary>What an operator does to give Thailand its store: stop, set <c>Residency__TH</c>, <c>migrate</c>, start.</summary>
    public async Task ConfigureThaiResidencyAsync()
    {
        // Stopped (SIGTERM): it leaves the cluster, rather than waiting for the next silo to declare it dead.
        await Silo.StopAsync();
        await Silo.DisposeAsync();
        _settings["Residency__TH"] = ThaiConnectionString;
        (await PlatformExecutable.RunAsync(_settings, "migrate")).EnsureSucceeded();
        Silo = new SiloProcess("silo-residency-configured", _settings, _folder.Path);
        await Silo.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        _folder.Dispose();
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string organization, object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.AccessTokenAsync(organization, ClientSecret));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json.Options);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Silo.Http.SendAsync(request);
    }

    /// <summary>A referral of a Vietnamese woman identified in <paramref name="country"/> under <paramref name="givenName"/>; answers its id.</summary>
    public async Task<Guid> CreateAsync(string organization, string country, string givenName)
    {
        var request = ReferralRequests.VietnameseWoman(country);
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/referrals", organization, request with { Subject = request.Subject! with { GivenName = givenName } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<ReferralView>(text, Json.Options)!.Id;
    }

    /// <summary>What the silo said of retention, for a failure's message.</summary>
    public string RetentionLog() =>
        string.Join("\n", Silo.ReadLog().Split('\n').Where(l => l.Contains("Retention", StringComparison.OrdinalIgnoreCase) || l.Contains("retention", StringComparison.Ordinal)).TakeLast(20));

    /// <summary>Whether the referral list (what retention reads) shows the referral closed.</summary>
    public async Task<bool> ListedAsClosedAsync(Guid referral)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PlatformConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT count(*) FROM "ReferralList" WHERE "Id" = @id AND "Stage" = 'Closed'""", connection);
        command.Parameters.AddWithValue("id", referral);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>Whether retention has erased the referral's subject (the job's own record, written after the erasure).</summary>
    public async Task<bool> ErasedAsync(Guid referral)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PlatformConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT count(*) FROM "RetentionErasures" WHERE "ReferralId" = @id""", connection);
        command.Parameters.AddWithValue("id", referral);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>Thailand's database refuses connections, and those open are ended: the store is down as far as any client can tell.</summary>
    public Task TakeThaiStoreDownAsync() => AdministerAsync(
        $"ALTER DATABASE \"{Database}\" ALLOW_CONNECTIONS false",
        $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database}'");

    public Task BringThaiStoreBackAsync() => AdministerAsync($"ALTER DATABASE \"{Database}\" ALLOW_CONNECTIONS true");

    private string Database => new NpgsqlConnectionStringBuilder(ThaiConnectionString).Database!;

    private async Task AdministerAsync(params string[] statements)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres.ConnectionString()) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
