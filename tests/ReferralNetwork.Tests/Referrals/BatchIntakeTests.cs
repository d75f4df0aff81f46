using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Referrals;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

/// <summary>
/// Bulk intake: each item created as a single create with its key as Idempotency-Key would be, never twice. A platform
/// of its own, and an organization per test, so that the counts of the list are this test's alone.
/// </summary>
public sealed class BatchIntakeTests(OwnPlatform platform) : IClassFixture<OwnPlatform>
{
    private const string BatchPath = "/api/v1/referrals/batch";

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task A_batch_creates_the_good_items_refuses_the_bad_ones_with_a_single_creates_problem_and_a_retry_creates_nothing()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        var items = People("TH", 30);
        var bad = new Dictionary<int, CreateReferralRequest>
        {
            [5] = items[5].Referral! with { Subject = items[5].Referral!.Subject! with { GivenName = null } },
            [12] = items[12].Referral! with { IdentifiedIn = "VN" },
            [20] = items[20].Referral! with { Exploitation = [] },
        };
        foreach (var (index, referral) in bad)
        {
            items[index] = items[index] with { Referral = referral };
        }

        var first = await PostAsync(thailand, items);
        var retry = await PostAsync(thailand, items);

        Assert.Equal(items.Select(i => i.IdempotencyKey), first.Items.Select(r => r.IdempotencyKey));
        Assert.Equal(27, first.Items.Count(r => r.Status == BatchItemStatus.Created && r.Id is not null && r.Problem is null));
        Assert.Equal(27, retry.Items.Count(r => r.Status == BatchItemStatus.AlreadyExists));
        Assert.Equal(first.Items.Select(r => r.Id), retry.Items.Select(r => r.Id));
        foreach (var (index, referral) in bad)
        {
            using var single = await thailand.PostAsJsonAsync("/api/v1/referrals", referral, PlatformFactory.JsonOptions);
            var expected = await Problem.AssertAsync(single, HttpStatusCode.BadRequest, "validation");
            foreach (var answer in new[] { first.Items[index], retry.Items[index] })
            {
                Assert.Equal(BatchItemStatus.Refused, answer.Status);
                Assert.Null(answer.Id);
                AssertSameProblem(expected, answer.Problem!);
            }
        }

        var list = await Eventually.Until(() => ReferralRequests.ListAsync(thailand), l => l!.Total >= 27);
        Assert.Equal(27, list!.Total);
        Assert.Equal(
            first.Items.Where(r => r.Id is not null).Select(r => r.Id!.Value).Order(),
            (await AllIdsAsync(thailand)).Order());
    }

    [Fact]
    public async Task The_answer_is_written_as_the_contract_says()
    {
        using var laos = await Factory.ClientForAsync("la-focal-point");
        var items = People("LA", 2);
        items[1] = items[1] with { Referral = items[1].Referral! with { IdentifiedAt = null } };

        using var response = await laos.PostAsJsonAsync(BatchPath, new CreateReferralBatchRequest(items), PlatformFactory.JsonOptions);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        using var again = await laos.PostAsJsonAsync(BatchPath, new CreateReferralBatchRequest(items), PlatformFactory.JsonOptions);
        var second = await again.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = body.GetProperty("items")[0];
        var refused = body.GetProperty("items")[1];
        Assert.Equal("created", created.GetProperty("status").GetString());
        Assert.Equal("already-exists", second.GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Equal("refused", refused.GetProperty("status").GetString());
        Assert.Equal("urn:referral-network:problem:validation", refused.GetProperty("problem").GetProperty("type").GetString());
        Assert.Equal(400, refused.GetProperty("problem").GetProperty("status").GetInt32());
        Assert.True(refused.GetProperty("problem").GetProperty("errors").TryGetProperty("identifiedAt", out _));
    }

    [Fact]
    public async Task The_openapi_document_publishes_the_route_its_bounds_and_its_answer()
    {
        using var anonymous = Factory.CreateClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/swagger/v1/swagger.json"))!;
        var schemas = document["components"]!["schemas"]!;

        var operation = document["paths"]!["/api/v1/referrals/batch"]!["post"]!;
        Assert.Equal("CreateReferralBatch", (string?)operation["operationId"]);
        Assert.NotNull(operation["responses"]!["200"]!["content"]!["application/json"]);
        Assert.NotNull(operation["responses"]!["429"]);
        Assert.Equal(Limits.BatchItems, (int)schemas["CreateReferralBatchRequest"]!["properties"]!["items"]!["maxItems"]!);
        var key = schemas["ReferralBatchItem"]!["properties"]!["idempotencyKey"]!;
        Assert.Equal(Limits.IdempotencyKey, (int)key["maxLength"]!);
        Assert.Equal(Limits.IdempotencyKeyPattern, (string?)key["pattern"]);
        Assert.Equal(["created", "already-exists", "refused"], schemas["BatchItemStatus"]!["enum"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task Two_racing_retries_of_a_batch_create_each_person_once()
    {
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        var items = People("TH", 24);

        var answers = await Task.WhenAll(PostAsync(shelter, items), PostAsync(shelter, items));

        for (var i = 0; i < items.Count; i++)
        {
            var pair = answers.Select(a => a.Items[i]).ToList();
            Assert.Equal(1, pair.Count(r => r.Status == BatchItemStatus.Created));
            Assert.Equal(1, pair.Count(r => r.Status == BatchItemStatus.AlreadyExists));
            Assert.Equal(pair[0].Id, pair[1].Id);
        }

        await Eventually.Until(() => ReferralRequests.ListAsync(shelter), l => l!.Total >= items.Count);
        Assert.Equal(answers[0].Items.Select(r => r.Id!.Value).Order(), (await AllIdsAsync(shelter)).Order());
    }

    [Fact]
    public async Task A_repeated_key_refuses_the_later_item_and_another_organizations_same_key_is_another_person()
    {
        using var vietnam = await Factory.ClientForAsync("vn-focal-point");
        using var reintegration = await Factory.ClientForAsync("vn-ngo-reintegration");
        var items = People("VN", 3);
        items[2] = items[2] with { IdempotencyKey = items[0].IdempotencyKey };

        var answer = await PostAsync(vietnam, items);
        var other = await PostAsync(reintegration, items.Take(1).ToList());

        Assert.Equal([BatchItemStatus.Created, BatchItemStatus.Created, BatchItemStatus.Refused], answer.Items.Select(r => r.Status));
        Assert.Equal(items[0].IdempotencyKey, answer.Items[2].IdempotencyKey);
        Assert.Equal("urn:referral-network:problem:validation", answer.Items[2].Problem!.Type);
        Assert.Contains("idempotencyKey", answer.Items[2].Problem!.Errors!.Keys);
        Assert.Equal(BatchItemStatus.Created, other.Items[0].Status);
        Assert.NotEqual(answer.Items[0].Id, other.Items[0].Id);
    }

    [Fact]
    public async Task A_batch_item_and_a_single_create_with_the_same_key_are_one_referral_with_the_history_of_one_created_alone()
    {
        using var cambodia = await Factory.ClientForAsync("kh-focal-point");
        var items = People("KH", 2);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/referrals") { Content = JsonContent.Create(items[0].Referral, options: PlatformFactory.JsonOptions) };
        request.Headers.Add("Idempotency-Key", items[0].IdempotencyKey);
        using var single = await cambodia.SendAsync(request);
        using var alone = await cambodia.PostAsJsonAsync("/api/v1/referrals", items[1].Referral, PlatformFactory.JsonOptions);
        var aloneView = (await alone.Content.ReadFromJsonAsync<ReferralView>(PlatformFactory.JsonOptions))!;

        var answer = await PostAsync(cambodia, items);

        Assert.Equal(HttpStatusCode.Created, single.StatusCode);
        Assert.Equal(BatchItemStatus.AlreadyExists, answer.Items[0].Status);
        Assert.Equal(single.Headers.Location!.OriginalString, $"/api/v1/referrals/{answer.Items[0].Id}");
        Assert.Equal(BatchItemStatus.Created, answer.Items[1].Status);
        var batched = await cambodia.GetFromJsonAsync<List<HistoryEntry>>($"/api/v1/referrals/{answer.Items[1].Id}/history", PlatformFactory.JsonOptions);
        var byItself = await cambodia.GetFromJsonAsync<List<HistoryEntry>>($"/api/v1/referrals/{aloneView.Id}/history", PlatformFactory.JsonOptions);
        Assert.Equal(Comparable(byItself!), Comparable(batched!));
        var view = await cambodia.GetFromJsonAsync<ReferralView>($"/api/v1/referrals/{answer.Items[1].Id}", PlatformFactory.JsonOptions);
        Assert.Equivalent(aloneView with { Id = view!.Id, IdentifiedAt = view.IdentifiedAt }, view, strict: true);
    }

    [Fact]
    public async Task A_token_without_the_right_to_create_is_refused_as_a_single_create_is_and_nothing_is_created()
    {
        using var readOnly = await Factory.ClientForAsync("mm-focal-point", "referrals.read");
        var items = People("MM", 2);

        using var single = await readOnly.PostAsJsonAsync("/api/v1/referrals", items[0].Referral, PlatformFactory.JsonOptions);
        using var batch = await readOnly.PostAsJsonAsync(BatchPath, new CreateReferralBatchRequest(items), PlatformFactory.JsonOptions);

        await Problem.AssertAsync(single, HttpStatusCode.Forbidden, "forbidden");
        await Problem.AssertAsync(batch, HttpStatusCode.Forbidden, "forbidden");
        await AssertNotCreatedAsync(readOnly, "mm-focal-point", items);
    }

    [Fact]
    public async Task More_than_500_items_none_or_no_items_are_a_problem_and_create_nothing()
    {
        using var myanmar = await Factory.ClientForAsync("mm-focal-point");
        var tooMany = People("MM", Limits.BatchItems + 1);

        using var over = await myanmar.PostAsJsonAsync(BatchPath, new CreateReferralBatchRequest(tooMany), PlatformFactory.JsonOptions);
        using var empty = await myanmar.PostAsJsonAsync(BatchPath, new CreateReferralBatchRequest([]), PlatformFactory.JsonOptions);
        using var missing = await myanmar.PostAsJsonAsync(BatchPath, new { }, PlatformFactory.JsonOptions);

        foreach (var response in new[] { over, empty, missing })
        {
            var problem = await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
            Assert.Equal(["items"], Problem.ErrorFields(problem));
        }

        await AssertNotCreatedAsync(myanmar, "mm-focal-point", tooMany);
    }

    [Fact]
    public async Task Keys_that_are_missing_too_long_or_not_identifiers_refuse_their_item_alone()
    {
        using var laos = await Factory.ClientForAsync("la-focal-point");
        var items = People("LA", 4);
        items[0] = items[0] with { IdempotencyKey = null };
        items[1] = items[1] with { IdempotencyKey = new string('k', Limits.IdempotencyKey + 1) };
        items[2] = items[2] with { IdempotencyKey = "Lan Nguyen Thi 2002-03-14" };

        var answer = await PostAsync(laos, items);

        Assert.Equal([BatchItemStatus.Refused, BatchItemStatus.Refused, BatchItemStatus.Refused, BatchItemStatus.Created], answer.Items.Select(r => r.Status));
        Assert.All(answer.Items.Take(3), r => Assert.Equal(["idempotencyKey"], r.Problem!.Errors!.Keys));
        Assert.All(answer.Items.Take(3), r => Assert.Null(r.IdempotencyKey));
    }

    private static async Task AssertNotCreatedAsync(HttpClient client, string organization, IEnumerable<ReferralBatchItem> items)
    {
        foreach (var item in items.Take(3))
        {
            var id = ReferralEndpoints.IdFor(organization, item.IdempotencyKey!);
            using var read = await client.GetAsync($"/api/v1/referrals/{id}");
            Assert.True(read.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{(int)read.StatusCode} for an item of a refused batch");
        }
    }

    internal static List<ReferralBatchItem> People(string country, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ReferralBatchItem($"row-{i}-{Guid.NewGuid():N}", ReferralRequests.VietnameseWoman(country, $"Intake row {i}.")))];

    internal static async Task<ReferralBatchResult> PostAsync(HttpClient client, IReadOnlyList<ReferralBatchItem> items)
    {
        using var response = await client.PostAsJsonAsync(BatchPath, new CreateReferralBatchRequest(items), PlatformFactory.JsonOptions);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        var result = JsonSerializer.Deserialize<ReferralBatchResult>(text, PlatformFactory.JsonOptions)!;
        Assert.Equal(items.Count, result.Items.Count);
        return result;
    }

    private static async Task<List<Guid>> AllIdsAsync(HttpClient client)
    {
        var ids = new List<Guid>();
        for (var page = 1; ; page++)
        {
            var list = await ReferralRequests.ListAsync(client, $"?page={page}");
            ids.AddRange(list!.Items.Select(s => s.Id));
            if (ids.Count >= list.Total || list.Items.Count == 0)
            {
                return ids;
            }
        }
    }

    private static void AssertSameProblem(JsonElement expected, BatchItemProblem actual)
    {
        Assert.Equal(expected.GetProperty("type").GetString(), actual.Type);
        Assert.Equal(expected.GetProperty("title").GetString(), actual.Title);
        Assert.Equal(expected.GetProperty("status").GetInt32(), actual.Status);
        Assert.Equal(expected.GetProperty("detail").GetString(), actual.Detail);
        var errors = expected.GetProperty("errors").EnumerateObject()
            .ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
        Assert.Equivalent(errors, actual.Errors, strict: true);
    }

    /// <summary>A history without what differs between any two referrals: their ids and the moments they were recorded.</summary>
    private static List<string> Comparable(List<HistoryEntry> history) =>
    [
        .. history.Select(e =>
        {
            var fields = ((JsonElement)e.Event).EnumerateObject()
                .Where(p => p.Name is not ("referralId" or "occurredAt" or "identifiedAt"))
                .Select(p => $"{p.Name}={p.Value.GetRawText()}");
            return $"{e.Number} {e.Type} {e.ActingOrganizationId} {e.ActingPerson} {string.Join(' ', fields)}";
        }),
    ];
}
