using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Api;

/// <summary>
/// Every bound the served OpenAPI document publishes on an input is one the API enforces: a value one past it is a 400
/// validation problem naming that field or parameter. Driven by the document itself, so that a bound added to it without
/// being enforced (or an operation added without a caller here) fails. Uses Myanmar's focal point, which no other test
/// creates referrals with, so that nothing created by mistake would go unseen.
/// </summary>
public sealed class OpenApiBoundsTests(SharedPlatform platform)
{
    private const string Caller = "mm-focal-point";
    private const string EveryScope = "referrals.read referrals.write subject.read dashboard.read webhooks.manage directory.write admin";

    /// <summary>Who can reach each operation's validation, and the path it is tried on (ids that need not exist: validation comes first).</summary>
    private static readonly Dictionary<string, (string Organization, string? Scope, string Path)> Reach = new()
    {
        ["CreateReferral"] = (Caller, null, "/api/v1/referrals"),
        ["CreateReferralBatch"] = (Caller, null, "/api/v1/referrals/batch"),
        ["ScreenReferral"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/screening"),
        ["RecordConsent"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/consents"),
        ["OfferHandoff"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/handoffs"),
        ["DeclineHandoff"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/handoffs/{Guid.NewGuid()}/decline"),
        ["WithdrawHandoff"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/handoffs/{Guid.NewGuid()}/withdraw"),
        ["VerifyNationality"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/nationality-verification"),
        ["PlanReturn"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/return-plan"),
        ["ConfirmReturn"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/return-confirmation"),
        ["RecordService"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/services"),
        ["CloseReferral"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/close"),
        ["OpenEmergencyAccess"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/subject/emergency-access"),
        ["CorrectReferralSubject"] = (Caller, null, $"/api/v1/referrals/{Guid.NewGuid()}/subject"),
        ["CreateGroup"] = (Caller, null, "/api/v1/groups"),
        ["OfferGroup"] = (Caller, null, $"/api/v1/groups/{Guid.NewGuid()}/offer"),
        ["AcceptGroup"] = (Caller, null, $"/api/v1/groups/{Guid.NewGuid()}/accept"),
        ["DeclineGroup"] = (Caller, null, $"/api/v1/groups/{Guid.NewGuid()}/decline"),
        ["VerifyGroupNationality"] = (Caller, null, $"/api/v1/groups/{Guid.NewGuid()}/nationality-verification"),
        ["PlanGroupReturn"] = (Caller, null, $"/api/v1/groups/{Guid.NewGuid()}/return-plan"),
        ["ConfirmGroupHandover"] = (Caller, null, $"/api/v1/groups/{Guid.NewGuid()}/handover"),
        ["WithdrawGroup"] = (Caller, null, $"/api/v1/groups/{Guid.NewGuid()}/withdraw"),
        ["SetServiceCapacity"] = ("th-shelter-bangkok", "directory.write", "/api/v1/organizations/th-shelter-bangkok/services/shelter/capacity"),
        ["CreateWebhook"] = (Caller, "webhooks.manage", "/api/v1/webhooks"),
        ["CreateClient"] = (Caller, "admin", "/api/v1/clients"),
        ["InvitePerson"] = (Caller, "admin", "/api/v1/people/invitations"),
        ["SetPersonRoles"] = (Caller, "admin", "/api/v1/people/{person}/roles"),
    };

    [Fact]
    public async Task Every_bound_published_on_a_request_body_is_enforced()
    {
        var document = await DocumentAsync();
        var tried = 0;
        var faults = new List<string>();
        foreach (var (method, operation) in Operations(document).Where(o => o.Operation["requestBody"]?["content"]?["application/json"] is not null))
        {
            var id = (string)operation["operationId"]!;
            Assert.True(Reach.TryGetValue(id, out var reach), $"No caller here reaches the validation of {id}: add it to {nameof(Reach)}.");
            using var client = await platform.Factory.ClientForAsync(reach.Organization, reach.Scope);
            var path = reach.Path.Contains("{person}", StringComparison.Ordinal)
                ? reach.Path.Replace("{person}", await SomePersonAsync(client), StringComparison.Ordinal)
                : reach.Path;
            var schema = Resolve(document, operation["requestBody"]!["content"]!["application/json"]!["schema"]!);
            foreach (var (field, body) in Violations(document, schema, ""))
            {
                tried++;
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest || !JsonSerializer.Deserialize<JsonElement>(text).TryGetProperty("errors", out var errors)
                    || !errors.TryGetProperty(field, out _))
                {
                    faults.Add($"{id} {field}: {(int)response.StatusCode} {text}");
                }
            }
        }

        Assert.True(tried > 30, $"only {tried} bounds tried");
        Assert.True(faults.Count == 0, "Bounds the document publishes but the API does not enforce:\n" + string.Join('\n', faults));
    }

    [Fact]
    public async Task Every_bound_published_on_a_query_path_or_header_parameter_is_enforced()
    {
        var document = await DocumentAsync();
        var tried = 0;
        var faults = new List<string>();
        using var client = await platform.Factory.ClientForAsync("th-focal-point", EveryScope);
        foreach (var (method, operation) in Operations(document))
        {
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            {
                var name = (string)parameter!["name"]!;
                var where = (string)parameter["in"]!;
                var schema = parameter["schema"]!;
                var value = schema["maxLength"] is { } max && schema["format"] is null ? new string('a', (int)max + 1)
                    : schema["maximum"] is { } maximum ? ((long)maximum + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : schema["enum"] is not null && where != "path" ? "not-one-of-them"
                    : null;
                if (value is null)
                {
                    continue;
                }

                tried++;
                var path = Concrete((string)operation["path"]!, where == "path" ? name : null, value);
                using var request = new HttpRequestMessage(new HttpMethod(method), where == "query" ? $"{path}?{name}={value}" : path);
                if (where == "header")
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                if (operation["requestBody"]?["content"]?.AsObject().First().Key is { } mediaType)
                {
                    request.Content = new StringContent(mediaType == "application/json" ? "{}" : "%PDF", Encoding.UTF8);
                    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
                }

                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                // Problem details write dictionary keys in camelCase: a header's name arrives as "idempotency-Key".
                if (response.StatusCode != HttpStatusCode.BadRequest || !text.Contains($"\"{name}\"", StringComparison.OrdinalIgnoreCase))
                {
                    faults.Add($"{method} {path} {where} {name}={value[..Math.Min(value.Length, 20)]}: {(int)response.StatusCode} {text}");
                }
            }
        }

        Assert.True(tried > 15, $"only {tried} parameters tried");
        Assert.True(faults.Count == 0, "Bounds the document publishes but the API does not enforce:\n" + string.Join('\n', faults));
    }

    private async Task<JsonNode> DocumentAsync()
    {
        using var client = platform.Factory.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
    }

    private static IEnumerable<(string Method, JsonNode Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        where path.Key.StartsWith("/api/", StringComparison.Ordinal)
        from operation in path.Value!.AsObject()
        let node = operation.Value!.DeepClone()
        select (operation.Key.ToUpperInvariant(), With(node, "path", path.Key));

    private static JsonNode With(JsonNode node, string key, string value)
    {
        node[key] = value;
        return node;
    }

    /// <summary>The path with <paramref name="value"/> for <paramref name="parameter"/> and well-formed values for the others.</summary>
    private static string Concrete(string path, string? parameter, string value)
    {
        foreach (var name in new[] { "id", "handoffId", "documentId", "deliveryId" })
        {
            path = path.Replace($"{{{name}}}", name == parameter ? value : Guid.NewGuid().ToString(), StringComparison.Ordinal);
        }

        return path
            .Replace("{name}", parameter == "name" ? value : "funnel", StringComparison.Ordinal)
            .Replace("{service}", "shelter", StringComparison.Ordinal);
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        schema["$ref"] is { } reference ? document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]! : schema;

    /// <summary>For each bounded property (nested objects included), a body with that property one past its bound and nothing else.</summary>
    private static IEnumerable<(string Field, JsonObject Body)> Violations(JsonNode document, JsonNode schema, string prefix)
    {
        foreach (var (name, declared) in schema["properties"]?.AsObject() ?? [])
        {
            var property = Resolve(document, declared!);
            var field = prefix + name;
            JsonNode? value = property["maxLength"] is { } max ? new string('x', (int)max + 1)
                : property["maxItems"] is { } items ? new JsonArray([.. Enumerable.Repeat(0, (int)items + 1).Select(_ => (JsonNode?)SomeItem(document, property["items"]!))])
                : property["maximum"] is { } maximum ? (long)maximum + 1
                : null;
            if (value is not null)
            {
                yield return (field, new JsonObject { [name] = value });
            }

            if (property["items"]?["maxLength"] is { } itemMax)
            {
                yield return ($"{field}[0]", new JsonObject { [name] = new JsonArray(new string('x', (int)itemMax + 1)) });
            }

            if (property["properties"] is not null)
            {
                foreach (var (inner, body) in Violations(document, property, field + "."))
                {
                    yield return (inner, new JsonObject { [name] = body });
                }
            }
        }
    }

    /// <summary>An item of the list's type, so that only the count is at fault: an enum value, an empty object, or a string.</summary>
    private static JsonNode SomeItem(JsonNode document, JsonNode items) => Resolve(document, items) switch
    {
        { } item when item["enum"] is JsonArray values => values[0]!.DeepClone(),
        { } item when item["properties"] is not null => new JsonObject(),
        { } item when (string?)item["format"] == "uuid" => Guid.NewGuid().ToString(),
        _ => "x",
    };

    private static async Task<string> SomePersonAsync(HttpClient admin)
    {
        var people = await admin.GetFromJsonAsync<List<PersonView>>("/api/v1/people", PlatformFactory.JsonOptions);
        return people!.First().Id;
    }
}
