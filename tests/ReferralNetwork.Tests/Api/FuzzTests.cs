using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Api;

/// <summary>
/// Requests generated from the served OpenAPI document, well-formed and then mutated, sent with the token of every kind
/// of organization (and with none, and a forged one) through the real Kestrel server, which answers some requests
/// itself before any middleware. Every answer is below 500, every error is an RFC 9457 problem, and a refused request
/// changes nothing: the two referrals every request may aim at keep their version, and at the end each organization
/// holds exactly the referrals it was answered 201 for.
/// </summary>
/// <remarks>
/// The seed is fixed so that a run is repeatable; set <c>CsCheck_Seed</c> to another (CsCheck prints the seed of a
/// failing, shrunk request in that form) to replay it or to explore further.
/// </remarks>
public sealed class FuzzTests(OwnKestrelPlatform platform) : IClassFixture<OwnKestrelPlatform>
{
    private const string DefaultSeed = "0N0XIzNsQ0O2";
    private const int GeneratedRequests = 5_000;

    private static readonly (string Organization, string Country)[] Organizations =
    [
        ("th-focal-point", "TH"), ("vn-focal-point", "VN"), ("th-shelter-bangkok", "TH"), ("vn-ngo-reintegration", "VN"), ("regional-secretariat", "TH"),
    ];

    [Fact]
    public async Task Generated_requests_never_get_a_5xx_or_an_error_that_is_not_a_problem_and_refused_ones_change_nothing()
    {
        var seed = Environment.GetEnvironmentVariable("CsCheck_Seed") is { Length: > 0 } given ? given : DefaultSeed;
        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"Fuzz seed: {seed} (replay or change it with CsCheck_Seed={seed})");
        var clock = Stopwatch.StartNew();

        using var http = platform.Factory.CreateClient();

        // Two referrals of two focal points: the target of every referral route, and each other's "foreign" referral.
        var owners = new Dictionary<string, HttpClient>();
        var referralOf = new Dictionary<string, Guid>();
        foreach (var (organization, country) in Organizations.Take(2))
        {
            owners[organization] = await platform.Factory.ClientForAsync(organization);
            referralOf[organization] = (await ReferralRequests.CreateAsync(owners[organization], ReferralRequests.VietnameseWoman(country))).Id;
        }

        var before = new Dictionary<string, int>();
        foreach (var (organization, client) in owners)
        {
            before[organization] = (await Eventually.Until(() => ReferralRequests.ListAsync(client), l => l!.Total > 0))!.Total;
        }

        // Every organization with its ordinary scopes and with admin alone; then no token and a forged one.
        var callers = new List<OpenApiRequests.Caller>();
        var tokens = new List<string?>();
        foreach (var (organization, country) in Organizations)
        {
            callers.Add(new(organization, organization, country));
            tokens.Add(await platform.Factory.TokenAsync(organization));
            callers.Add(new($"{organization} (admin)", organization, country));
            tokens.Add(await platform.Factory.TokenAsync(organization, "admin"));
        }

        callers.Add(new("anonymous", null, "TH"));
        tokens.Add(null);
        callers.Add(new("forged token", null, "TH"));
        tokens.Add(tokens[0]![..^8] + "AAAAAAAA");

        var document = JsonNode.Parse(await http.GetStringAsync("/swagger/v1/swagger.json"))!;
        var requests = new OpenApiRequests(document, callers, referralOf);
        var sent = 0;
        var answered = new Dictionary<(string Operation, int Class), int>();
        var statuses = new SortedDictionary<int, int>();
        var created = Organizations.ToDictionary(o => o.Organization, _ => 0);

        async Task SendAsync(FuzzRequest request)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Target);
            if (tokens[request.Caller] is { } token)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            if (request.Body is not null)
            {
                message.Content = new ByteArrayContent(OpenApiRequests.EncodingOf(request.MediaType).GetBytes(request.Body));
                if (request.MediaType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.MediaType);
                }
            }

            // Every change aimed at a known referral, and a sample of the others, is checked for its effect on both.
            var changing = request.Method != "GET" && (referralOf.Values.Any(id => request.Target.Contains(id.ToString(), StringComparison.Ordinal)) || sent % 8 == 0);
            var versions = changing ? await VersionsAsync(owners, referralOf) : null;
            using var answer = await http.SendAsync(message);
            Interlocked.Increment(ref sent);
            var status = (int)answer.StatusCode;
            lock (answered)
            {
                answered[(request.Operation, status / 100)] = answered.GetValueOrDefault((request.Operation, status / 100)) + 1;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }

            var text = await answer.Content.ReadAsStringAsync();
            var said = $"{status} {answer.Content.Headers.ContentType} {(text.Length > 800 ? text[..800] + "…" : text)}";
            Assert.True(status < 500, $"A server error: {said}");
            if (status >= 400)
            {
                AssertProblem(answer, status, text, said);
                if (changing)
                {
                    var after = await VersionsAsync(owners, referralOf);
                    Assert.True(versions!.SequenceEqual(after), $"A refused request changed a referral (versions {string.Join(',', versions!)} then {string.Join(',', after)}): {said}");
                }
            }
            else if (status == 201 && request.Operation == "CreateReferral" && callers[request.Caller].Organization is { } creator)
            {
                created[creator]++;
            }
            else if (status == 200 && request.Operation == "CreateReferralBatch" && callers[request.Caller].Organization is { } batchCreator)
            {
                // A batch answers 200 whatever became of its items: those it created count as 201s would.
                created[batchCreator] += JsonNode.Parse(text)!["items"]!.AsArray().Count(i => (string?)i!["status"] == "created");
            }
        }

        // Well-formed requests first: every operation, by every caller.
        for (var operation = 0; operation < requests.OperationCount; operation++)
        {
            for (var caller = 0; caller < callers.Count; caller++)
            {
                await SendAsync(requests.Build(operation, caller, Mutation.Valid, operation * 31 + caller));
            }
        }

        // Then generated ones, one at a time so that a refusal's effect (or its absence) is its own, all from the run's
        // seed. CsCheck's own sampling takes a seed for its first iteration only; here every request follows from it.
        var pcg = PCG.Parse(seed);
        for (var i = 0; i < GeneratedRequests; i++)
        {
            var requestSeed = pcg.ToString();
            var request = requests.Any.Generate(pcg, null, out _);
            try
            {
                await SendAsync(request);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // Replayed from this request's own seed, CsCheck shrinks it towards a smaller request that fails too.
                string? shrunk = null;
                try
                {
                    await requests.Any.SampleAsync(SendAsync, writeLine: _ => { }, seed: requestSeed, iter: 300, threads: 1);
                }
                catch (CsCheckException smaller)
                {
                    shrunk = smaller.Message;
                }

                Assert.Fail($"Request {i} of the run with seed {seed} (CsCheck_Seed={seed}) failed: {request}\n{failure.Message}\n"
                    + (shrunk is null ? "Not failing again when replayed alone." : $"Shrunk by CsCheck: {shrunk}"));
            }
        }

        // Nothing refused was created: each organization holds the referrals it had and those it was answered 201 for.
        foreach (var (organization, client) in owners)
        {
            var expected = before[organization] + created[organization];
            var list = await Eventually.Until(() => ReferralRequests.ListAsync(client), l => l!.Total >= expected);
            Assert.Equal(expected, list!.Total);
        }

        foreach (var client in owners.Values)
        {
            client.Dispose();
        }

        output.WriteLine($"{sent} requests through Kestrel in {clock.Elapsed.TotalSeconds:F0} s; answers: {string.Join(", ", statuses.Select(s => $"{s.Key} × {s.Value}"))}");
        var accepted = answered.Where(a => a.Key.Class == 2).Select(a => a.Key.Operation).ToHashSet();
        output.WriteLine($"Operations answered 2xx at least once: {accepted.Count} of {requests.OperationCount}; never: {string.Join(", ", answered.Keys.Select(k => k.Operation).Distinct().Where(o => !accepted.Contains(o)).Order())}");
        Assert.True(sent >= GeneratedRequests, $"only {sent} requests sent");
    }

    [Fact]
    public async Task A_20000_character_address_and_a_40_kilobyte_header_get_problem_answers()
    {
        using var client = await platform.Factory.ClientForAsync("vn-ngo-reintegration");
        using var header = new HttpRequestMessage(HttpMethod.Get, "/api/v1/referrals");
        header.Headers.Add("X-Fuzz", new string('h', 40 * 1024));

        using var longAddress = await client.GetAsync("/api/v1/referrals/" + new string('a', 20_000 - "/api/v1/referrals/".Length));
        using var laoAddress = await client.GetAsync("/api/v1/referrals/" + new string('ສ', 2_000)); // 18,000 characters once percent-encoded
        using var longQuery = await client.GetAsync("/api/v1/referrals?q=" + new string('x', 20_000));
        using var largeHeader = await client.SendAsync(header);

        await Problem.AssertAsync(longAddress, HttpStatusCode.RequestUriTooLong, "uri-too-long");
        await Problem.AssertAsync(laoAddress, HttpStatusCode.RequestUriTooLong, "uri-too-long");
        await Problem.AssertAsync(longQuery, HttpStatusCode.RequestUriTooLong, "uri-too-long");
        await Problem.AssertAsync(largeHeader, HttpStatusCode.RequestHeaderFieldsTooLarge, "headers-too-large");
    }

    /// <summary>
    /// Found by the fuzzer (seed 7f9uj_Brtfd3, its first request): with no bearer header, the token validation reads a
    /// form body for a token, and a value that decodes to NUL made the form reader throw, answered 500.
    /// </summary>
    [Fact]
    public async Task A_form_body_with_a_nul_and_no_token_is_a_400_problem_not_a_500()
    {
        using var client = platform.Factory.CreateClient();
        using var form = new StringContent("reason=%00", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");

        using var answer = await client.PostAsync($"/api/v1/referrals/{Guid.NewGuid()}/subject/emergency-access", form);

        await Problem.AssertAsync(answer, HttpStatusCode.BadRequest, "malformed-body");
    }

    /// <summary>
    /// KNOWN FAILURE, asserted as it is so that it cannot go unseen: Kestrel answers a path that decodes to NUL with an
    /// empty 400 before any middleware runs, so the platform cannot make it a problem without a change in Kestrel (or a
    /// proxy in front that refuses it). When this starts failing, the platform answers it as a problem: assert that
    /// instead, and put <c>%00</c> back among the fuzzer's odd ids.
    /// </summary>
    [Fact]
    public async Task A_nul_in_the_path_is_refused_by_kestrel_itself_without_a_problem_a_known_failure()
    {
        using var client = await platform.Factory.ClientForAsync("th-focal-point");

        using var answer = await client.GetAsync("/api/v1/referrals/%00");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Content.Headers.ContentType);
        Assert.Equal("", await answer.Content.ReadAsStringAsync());
    }

    /// <summary>An RFC 9457 problem whatever refused the request: the platform, its token scheme or Kestrel.</summary>
    private static void AssertProblem(HttpResponseMessage answer, int status, string text, string said)
    {
        Assert.True(answer.Content.Headers.ContentType?.MediaType == "application/problem+json", $"An error that is not a problem: {said}");
        JsonElement body;
        try
        {
            body = JsonSerializer.Deserialize<JsonElement>(text);
        }
        catch (JsonException)
        {
            Assert.Fail($"A problem that is not JSON: {said}");
            return;
        }

        Assert.True(body.ValueKind == JsonValueKind.Object && body.TryGetProperty("status", out var value) && value.GetInt32() == status, $"A problem whose status is not the answer's: {said}");
        Assert.True(body.TryGetProperty("type", out var type) && type.GetString()!.StartsWith("urn:referral-network:problem:", StringComparison.Ordinal), $"A problem with no stable type: {said}");
    }

    /// <summary>The version of each known referral, read by its owner (from the grain: not eventually consistent).</summary>
    private static async Task<int[]> VersionsAsync(Dictionary<string, HttpClient> owners, Dictionary<string, Guid> referralOf)
    {
        var versions = new int[referralOf.Count];
        var i = 0;
        foreach (var (organization, id) in referralOf)
        {
            versions[i++] = (await owners[organization].GetFromJsonAsync<ReferralView>($"/api/v1/referrals/{id}", PlatformFactory.JsonOptions))!.Version;
        }

        return versions;
    }
}
