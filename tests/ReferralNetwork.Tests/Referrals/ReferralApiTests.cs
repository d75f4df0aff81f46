using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Referrals;

public sealed class ReferralApiTests(SharedPlatform platform)
{
    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Create_answers_201_with_location_etag_and_the_referral_without_the_subject()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");

        using var response = await thailand.PostAsJsonAsync("/api/v1/referrals", ReferralRequests.VietnameseWoman(), PlatformFactory.JsonOptions);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var view = JsonSerializer.Deserialize<ReferralView>(text, PlatformFactory.JsonOptions)!;
        Assert.Equal($"/api/v1/referrals/{view.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal(Stage.Identified, view.Stage);
        Assert.Equal("th-focal-point", view.Holder);
        Assert.Equal("VN", view.Nationality);
        Assert.Equal(AgeBand.From18To24, view.AgeBand);
        Assert.Contains("\"stage\":\"identified\"", text, StringComparison.Ordinal);
        Assert.Contains("\"exploitation\":[\"forced-criminality\"]", text, StringComparison.Ordinal);
        AssertNoPersonalData(text);
    }

    [Fact]
    public async Task The_holder_reads_the_referral_and_its_numbered_history()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        var created = await ReferralRequests.CreateAsync(thailand);

        using var read = await thailand.GetAsync($"/api/v1/referrals/{created.Id}");
        var historyText = await thailand.GetStringAsync($"/api/v1/referrals/{created.Id}/history");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        Assert.Equivalent(created, await read.Content.ReadFromJsonAsync<ReferralView>(PlatformFactory.JsonOptions), strict: true);
        var history = JsonSerializer.Deserialize<JsonElement>(historyText);
        var entry = Assert.Single(history.EnumerateArray());
        Assert.Equal(1, entry.GetProperty("number").GetInt32());
        Assert.Equal("ReferralIdentified", entry.GetProperty("type").GetString());
        Assert.Equal(created.Id, entry.GetProperty("event").GetProperty("referralId").GetGuid());
        AssertNoPersonalData(historyText);
    }

    [Fact]
    public async Task Another_country_gets_404_everywhere_and_never_sees_it_listed()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var cambodia = await Factory.ClientForAsync("kh-focal-point");
        var created = await ReferralRequests.CreateAsync(thailand);

        foreach (var path in new[] { "", "/history", "/subject?purpose=case-work", "/access-log" })
        {
            using var response = await cambodia.GetAsync($"/api/v1/referrals/{created.Id}{path}");
            await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");
        }

        var holderList = await Eventually.Until(() => ReferralRequests.ListAsync(thailand), l => l!.Items.Any(r => r.Id == created.Id));
        var otherList = await ReferralRequests.ListAsync(cambodia);
        Assert.Contains(holderList!.Items, r => r.Id == created.Id);
        Assert.DoesNotContain(otherList!.Items, r => r.Id == created.Id);
    }

    [Fact]
    public async Task An_unknown_referral_is_the_same_404_as_a_hidden_one()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");

        using var response = await thailand.GetAsync($"/api/v1/referrals/{Guid.NewGuid()}");

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task The_subject_is_read_for_a_purpose_and_every_read_is_in_the_holders_access_log()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        var created = await ReferralRequests.CreateAsync(thailand);
        var path = $"/api/v1/referrals/{created.Id}";

        using var noted = new HttpRequestMessage(HttpMethod.Get, $"{path}/subject?purpose=nationality-verification");
        noted.Headers.Add("Access-Note", Uri.EscapeDataString("ขอสำเนาหนังสือเดินทาง"));
        using var firstResponse = await thailand.SendAsync(noted);
        var first = await PartnerApi.ReadAsync<SubjectView>(firstResponse);
        var second = await thailand.GetFromJsonAsync<SubjectView>($"{path}/subject?purpose=case-work", PlatformFactory.JsonOptions);
        using var freeText = await thailand.GetAsync($"{path}/subject?purpose=case-work&reason=her+brother+called");
        using var noPurpose = await thailand.GetAsync($"{path}/subject");
        using var other = await shelter.GetAsync($"{path}/subject?purpose=case-work");
        var log = (await thailand.GetFromJsonAsync<List<AccessLogEntry>>($"{path}/access-log", PlatformFactory.JsonOptions))!;

        Assert.Equal("no-store", firstResponse.Headers.CacheControl?.ToString());
        Assert.Equal(ReferralRequests.GivenName, first.GivenName);
        Assert.Equal(ReferralRequests.FamilyName, second!.FamilyName);
        Assert.Equal(new DateOnly(2002, 3, 14), first.DateOfBirth);
        Assert.Equal(["reason"], Problem.ErrorFields(await Problem.AssertAsync(freeText, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(["purpose"], Problem.ErrorFields(await Problem.AssertAsync(noPurpose, HttpStatusCode.BadRequest, "validation")));
        await Problem.AssertAsync(other, HttpStatusCode.NotFound, "not-found");
        Assert.Equal([AccessPurpose.NationalityVerification, AccessPurpose.CaseWork], log.Select(a => a.Purpose));
        Assert.Equal(["ขอสำเนาหนังสือเดินทาง", null], log.Select(a => a.Note));
        Assert.All(log, a => Assert.Equal("th-focal-point", a.OrganizationId));
        Assert.All(log, a => Assert.False(a.EmergencyAccess));
    }

    [Fact]
    public async Task The_list_pages_and_filters_by_stage()
    {
        using var laos = await Factory.ClientForAsync("la-focal-point");
        var created = await ReferralRequests.CreateAsync(laos, ReferralRequests.VietnameseWoman("LA"));

        var identified = await Eventually.Until(() => ReferralRequests.ListAsync(laos, "?stage=identified&page=1"), l => l!.Total > 0 && l.Items.Any(r => r.Id == created.Id));
        var closed = await ReferralRequests.ListAsync(laos, "?stage=closed");
        var beyond = await ReferralRequests.ListAsync(laos, "?page=99");

        Assert.Contains(identified!.Items, r => r.Id == created.Id && r.Holder == "la-focal-point" && r.Version == 1 && (r.IdentifiedAt - created.IdentifiedAt).Duration() < TimeSpan.FromMilliseconds(1)); // SQLite keeps 0.1 ms
        Assert.Empty(closed!.Items);
        Assert.Empty(beyond!.Items);
        Assert.Equal(identified.Total, beyond!.Total);
    }

    [Fact]
    public async Task Idempotency_key_replays_the_same_result_and_refuses_another_body()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        var key = Guid.NewGuid().ToString();
        var body = ReferralRequests.VietnameseWoman();

        using var first = await PostWithKeyAsync(thailand, key, body);
        using var replay = await PostWithKeyAsync(thailand, key, body);
        using var different = await PostWithKeyAsync(thailand, key, body with { Summary = "another person" });
        using var withoutKey1 = await thailand.PostAsJsonAsync("/api/v1/referrals", body, PlatformFactory.JsonOptions);
        using var withoutKey2 = await thailand.PostAsJsonAsync("/api/v1/referrals", body, PlatformFactory.JsonOptions);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        await Problem.AssertAsync(different, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.NotEqual(withoutKey1.Headers.Location, withoutKey2.Headers.Location);
        var history = await thailand.GetFromJsonAsync<JsonElement>($"{first.Headers.Location}/history");
        Assert.Single(history.EnumerateArray().ToList());
    }

    [Fact]
    public async Task The_same_key_from_another_organization_is_another_referral()
    {
        using var thailand = await Factory.ClientForAsync("th-focal-point");
        using var shelter = await Factory.ClientForAsync("th-shelter-bangkok");
        var key = Guid.NewGuid().ToString();

        using var first = await PostWithKeyAsync(thailand, key, ReferralRequests.VietnameseWoman());
        using var second = await PostWithKeyAsync(shelter, key, ReferralRequests.VietnameseWoman() with { Summary = "x" });

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual(first.Headers.Location, second.Headers.Location);
    }

    private static Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, string key, CreateReferralRequest body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/referrals") { Content = JsonContent.Create(body, options: PlatformFactory.JsonOptions) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    private static void AssertNoPersonalData(string json)
    {
        Assert.DoesNotContain(ReferralRequests.GivenName, json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ReferralRequests.FamilyName, json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("2002-03-14", json, StringComparison.Ordinal);
        Assert.DoesNotContain("passport held", json, StringComparison.Ordinal);
    }
}
