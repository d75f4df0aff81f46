using System.Net;
using System.Net.Http.Json;
using System.Text;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Api;

/// <summary>Bad input gets a clear RFC 9457 problem and changes nothing. Uses Myanmar's focal point, which no other test creates with.</summary>
public sealed class ProblemResponseTests(SharedPlatform platform)
{
    private const string Creator = "mm-focal-point";

    private PlatformFactory Factory => platform.Factory;

    [Fact]
    public async Task Every_bad_request_is_a_problem_and_nothing_is_created()
    {
        using var client = await Factory.ClientForAsync(Creator);

        using var malformed = await PostRawAsync(client, "{\"subject\": {\"givenName\": ", "application/json");
        using var wrongType = await PostRawAsync(client, "<referral/>", "application/xml");
        using var wrongField = await PostRawAsync(client, """{"subject": {"givenName": "A", "sex": "yes"}, "identifiedIn": "MM"}""", "application/json");
        using var numberForString = await PostRawAsync(client, """{"identifiedIn": 42}""", "application/json");
        using var missing = await PostRawAsync(client, """{"subject": {"sex": "female"}}""", "application/json");
        using var foreignCountry = await client.PostAsJsonAsync("/api/v1/referrals", ReferralRequests.VietnameseWoman("TH"), PlatformFactory.JsonOptions);
        using var huge = await PostRawAsync(client, "{\"summary\": \"" + new string('x', 5 * 1024 * 1024) + "\"}", "application/json");

        await Problem.AssertAsync(malformed, HttpStatusCode.BadRequest, "validation");
        await Problem.AssertAsync(wrongType, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        Assert.Contains("subject.sex", Problem.ErrorFields(await Problem.AssertAsync(wrongField, HttpStatusCode.BadRequest, "validation")));
        Assert.Contains("identifiedIn", Problem.ErrorFields(await Problem.AssertAsync(numberForString, HttpStatusCode.BadRequest, "validation")));
        var fields = Problem.ErrorFields(await Problem.AssertAsync(missing, HttpStatusCode.BadRequest, "validation"));
        Assert.Equal(["exploitation", "identifiedAt", "identifiedIn", "subject.givenName", "subject.nationality"], fields.Order());
        Assert.Contains("identifiedIn", Problem.ErrorFields(await Problem.AssertAsync(foreignCountry, HttpStatusCode.BadRequest, "validation")));
        await Problem.AssertAsync(huge, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

        // A good request made after the bad ones is the only referral this organization has.
        var good = await ReferralRequests.CreateAsync(client, ReferralRequests.VietnameseWoman("MM"));
        var list = await Eventually.Until(() => ReferralRequests.ListAsync(client), l => l!.Total > 0);
        Assert.Equal(good.Id, Assert.Single(list!.Items).Id);
    }

    [Fact]
    public async Task Values_past_their_bounds_are_refused_naming_the_field_and_create_nothing()
    {
        using var client = await Factory.ClientForAsync(Creator);
        var before = (await ReferralRequests.ListAsync(client))!.Total;
        var person = ReferralRequests.VietnameseWoman("MM");

        using var languages = await client.PostAsJsonAsync(
            "/api/v1/referrals", person with { Subject = person.Subject! with { Languages = [.. Enumerable.Repeat("vi", Limits.Languages + 1)] } }, PlatformFactory.JsonOptions);
        using var tag = await client.PostAsJsonAsync(
            "/api/v1/referrals", person with { Subject = person.Subject! with { Languages = ["vi", new string('x', Limits.LanguageTag + 1)] } }, PlatformFactory.JsonOptions);
        using var forms = await client.PostAsJsonAsync(
            "/api/v1/referrals", person with { Exploitation = [.. Enumerable.Repeat(ExploitationForm.Other, Limits.Codes + 1)] }, PlatformFactory.JsonOptions);
        using var page = await client.GetAsync("/api/v1/referrals?page=0");

        Assert.Equal(["subject.languages"], Problem.ErrorFields(await Problem.AssertAsync(languages, HttpStatusCode.BadRequest, "validation")));
        Assert.Contains("subject.languages[1]", Problem.ErrorFields(await Problem.AssertAsync(tag, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(["exploitation"], Problem.ErrorFields(await Problem.AssertAsync(forms, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(["page"], Problem.ErrorFields(await Problem.AssertAsync(page, HttpStatusCode.BadRequest, "validation")));
        Assert.Equal(before, (await ReferralRequests.ListAsync(client))!.Total);
    }

    [Fact]
    public async Task Wrong_method_and_unknown_route_are_problems()
    {
        using var client = await Factory.ClientForAsync(Creator);

        using var wrongMethod = await client.DeleteAsync("/api/v1/referrals");
        using var unknown = await client.GetAsync("/api/v1/nothing-here");

        await Problem.AssertAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not-found");
    }

    private static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string body, string mediaType) =>
        client.PostAsync("/api/v1/referrals", new StringContent(body, Encoding.UTF8, mediaType));
}
