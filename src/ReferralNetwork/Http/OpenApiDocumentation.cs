using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.OpenApi;
using ReferralNetwork.Contracts.Api;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ReferralNetwork.Http;

/// <summary>The <c>OpenApi</c> configuration section: whom partners contact about this deployment's API.</summary>
public sealed class OpenApiOptions
{
    public const string Section = "OpenApi";

    public string ContactName { get; set; } = "ReferralNetwork platform operators";

    public string? ContactEmail { get; set; }

    public Uri? ContactUrl { get; set; }

    /// <summary>Each API tag's description, given by the feature that maps its routes (<see cref="OpenApiDocumentation.DescribeApiTag"/>).</summary>
    public Dictionary<string, string> TagDescriptions { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The OpenAPI document partners code against (<c>/swagger/v1/swagger.json</c>): where the API is, its licence and
/// contact, what each tag is, every error an operation can answer as an RFC 9457 problem, and the bounds of every input,
/// taken from the same attributes the API enforces (<see cref="RequestBounds"/>, <see cref="ParameterBounds"/>).
/// </summary>
public static class OpenApiDocumentation
{
    public const string ProblemSchema = "Problem";
    public const string ProblemMediaType = "application/problem+json";
    public const string RetryAfterHeader = "Retry-After";

    /// <summary>Documents a header an endpoint sends with <paramref name="status"/> (e.g. the inbox's Link to its next page).</summary>
    public static RouteHandlerBuilder WithResponseHeader(this RouteHandlerBuilder endpoint, int status, string name, string description, int maxLength) =>
        endpoint.WithMetadata(new ResponseHeader(status, name, description, maxLength));

    private sealed record ResponseHeader(int Status, string Name, string Description, int MaxLength);

    /// <summary>Describes an API tag (a feature's group of routes) in the document.</summary>
    public static WebApplicationBuilder DescribeApiTag(this WebApplicationBuilder builder, string tag, string description)
    {
        builder.Services.Configure<OpenApiOptions>(o => o.TagDescriptions[tag] = description);
        return builder;
    }

    internal static void Configure(WebApplicationBuilder builder)
    {
        builder.Services.Configure<OpenApiOptions>(builder.Configuration.GetSection(OpenApiOptions.Section));

        // Swashbuckle reads MVC's JSON options, which the minimal API does not use: without this, enums would be documented
        // as the integers the API refuses instead of the kebab-case strings it reads and writes.
        builder.Services.AddSingleton<ISerializerDataContractResolver>(new JsonSerializerDataContractResolver(Json.Options));
        builder.Services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ReferralNetwork partner API",
                Version = "v1",
                Description =
                    "Cross-border referral and repatriation of victims of trafficking, from one organization to the next. Systems " +
                    "authenticate with OAuth 2.0 client credentials at /connect/token; people sign in through the authorization code " +
                    "flow with PKCE. Every error is an RFC 9457 problem (application/problem+json) with a stable type.",
                License = new OpenApiLicense { Name = "Apache-2.0", Identifier = "Apache-2.0" },
            });
            o.DocumentFilter<DocumentConventions>();
            o.OperationFilter<ProblemResponses>();
            o.OperationFilter<BinaryBodies>();
            o.SchemaFilter<InputBoundsSchema>();
            o.ParameterFilter<OneOfParameter>();
        });
    }

    /// <summary>An operation of the partner API (under <c>/api/</c>), as opposed to the token server's or the console's.</summary>
    public static bool IsApi(OperationFilterContext context) => context.ApiDescription.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;

    internal static OpenApiSchemaReference ProblemReference(SchemaRepository schemas, OpenApiDocument document)
    {
        if (!schemas.Schemas.ContainsKey(ProblemSchema))
        {
            schemas.AddDefinition(ProblemSchema, Problem());
        }

        return new OpenApiSchemaReference(ProblemSchema, document);
    }

    /// <summary>The problem body, as <see cref="Problems"/> writes it: RFC 9457 members and this API's extensions.</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem. `type` is stable per kind of error (urn:referral-network:problem:<kind>); a refusal of a rule also has its `code`; a validation problem names each field or parameter at fault in `errors`.",
        Required = new HashSet<string> { "type", "title", "status" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = "The kind of error, e.g. urn:referral-network:problem:validation." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A short English summary of the kind." },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599", Description = "The HTTP status code." },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong with this request, in English." },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Pattern = "^[a-z]+(-[a-z]+)*$",
                Description = "The stable reason of a refusal (e.g. only-target-answers, offer-not-open): what a client explains it by. Codes are never renamed; new ones may be added.",
            },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Validation problems only: each field (JSON path such as subject.givenName or languages[2]) or parameter at fault, with its messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Identifies the request in the platform's logs." },
        },
        Examples =
        [
            new JsonObject
            {
            ["type"] = "urn:referral-network:problem:validation",
            ["title"] = "One or more fields are invalid.",
            ["status"] = 400,
            ["detail"] = "One or more fields are invalid.",
            ["errors"] = new JsonObject { ["subject.givenName"] = new JsonArray("At most 200 characters.") },
            ["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            },
        ],
    };

    /// <summary>Servers, tag descriptions; the framework's problem schemas give way to <see cref="ProblemSchema"/>.</summary>
    private sealed class DocumentConventions(Microsoft.Extensions.Options.IOptions<OpenApiOptions> options) : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            var settings = options.Value;
            document.Info.Contact = new OpenApiContact { Name = settings.ContactName, Email = settings.ContactEmail, Url = settings.ContactUrl };

            // Relative: the API is wherever this document is served from, whatever name or proxy the caller reached it by.
            document.Servers =
            [
                new OpenApiServer
                {
                    Url = "/",
                    Description = "The deployment serving this document: production, or a local development platform (embedded profile).",
                    Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(JsonValue.Create(false)) },
                },
            ];

            var used = document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).SelectMany(o => o.Tags ?? Enumerable.Empty<OpenApiTagReference>()).Select(t => t.Name!).ToHashSet(StringComparer.Ordinal);
            document.Tags = new HashSet<OpenApiTag>(used.Order(StringComparer.Ordinal).Select(name => new OpenApiTag
            {
                Name = name,
                Description = settings.TagDescriptions.GetValueOrDefault(name),
            }));

            document.Components?.Schemas?.Remove("ProblemDetails");
            document.Components?.Schemas?.Remove("HttpValidationProblemDetails");
            AddHeader(document, RetryAfterHeader, new OpenApiHeader
            {
                Description = "Seconds to wait before retrying.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" },
            });
        }
    }

    /// <summary>
    /// Every error an API operation can answer, each an RFC 9457 problem: what every operation can meet (401, 403, 500, 503),
    /// what its inputs can cause (400; 413 and 415 with a body; 404 with a path), and what its endpoint declares (409, 412, 422).
    /// </summary>
    private sealed class ProblemResponses : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!IsApi(context))
            {
                return;
            }

            var parameters = context.ApiDescription.ParameterDescriptions;
            var body = operation.RequestBody is not null || parameters.Any(p => p.Source == BindingSource.Body);
            var input = body || parameters.Any(p =>
                p.Source == BindingSource.Query || p.Source == BindingSource.Header
                || (p.Source == BindingSource.Path && p.Type != typeof(Guid)));
            var statuses = new SortedSet<int> { 401, 403, 500, 503 };
            statuses.UnionWith((operation.Responses ?? []).Keys.Select(int.Parse).Where(s => s >= 400 && s != 429));
            if (input)
            {
                statuses.Add(400);
            }

            if (body)
            {
                statuses.UnionWith([413, 415]);
            }

            if (parameters.Any(p => p.Source == BindingSource.Path))
            {
                statuses.Add(404);
            }

            operation.Responses ??= [];
            foreach (var header in context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ResponseHeader>())
            {
                if (operation.Responses.TryGetValue(header.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var documented)
                    && documented is OpenApiResponse response)
                {
                    response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    response.Headers[header.Name] = new OpenApiHeader
                    {
                        Description = header.Description,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = header.MaxLength },
                    };
                }
            }

            var problem = ProblemReference(context.SchemaRepository, context.Document);
            foreach (var status in statuses)
            {
                operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
                {
                    Description = Describe(status),
                    Headers = status == 503
                        ? new Dictionary<string, IOpenApiHeader> { [RetryAfterHeader] = new OpenApiHeaderReference(RetryAfterHeader, context.Document) }
                        : null,
                    Content = new Dictionary<string, IOpenApiMediaType> { [ProblemMediaType] = new OpenApiMediaType { Schema = problem } },
                };
            }
        }

        private static string Describe(int status) => status switch
        {
            400 => "The request is invalid: `errors` names each field or parameter at fault. Nothing was changed.",
            401 => "No valid access token: missing, expired, revoked, or not issued by this platform.",
            403 => "The token lacks the scope, or the caller's organization or role may not do this (`code` names the rule).",
            404 => "No such resource, or none the caller's organization may see: a referral out of its reach is 404, never 403.",
            409 => "The workflow does not allow this now (`code` says why). Nothing was changed.",
            412 => "If-Match names an older version of the referral: read it again (its ETag) and decide again.",
            413 => "The request body is larger than this route accepts; `detail` names the limit.",
            415 => "The body's media type is not one this route accepts.",
            422 => "The Idempotency-Key was used before with another request body.",
            500 => "An unexpected error; it has been logged. Nothing the caller sent was at fault.",
            503 => "A silo or the database is unavailable for a moment: retry after Retry-After seconds (a change with If-Match, or a creation with an Idempotency-Key, is safe to retry).",
            _ => "An error, as an RFC 9457 problem.",
        };
    }

    /// <summary>A header described once in the document's components, for responses to refer to.</summary>
    public static void AddHeader(OpenApiDocument document, string name, OpenApiHeader header)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Headers[name] = header;
    }

    /// <summary>
    /// A body that is a file (a passport scan sent, a document read) is the file itself, as OpenAPI 3.1 describes binary
    /// content: no JSON schema; a request body says the route's size limit (a larger body is a 413).
    /// </summary>
    private sealed class BinaryBodies : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            foreach (var response in (operation.Responses ?? []).Values.OfType<OpenApiResponse>().Where(r => IsFile(r.Content)))
            {
                foreach (var mediaType in response.Content!.Values.OfType<OpenApiMediaType>())
                {
                    mediaType.Schema = null;
                }

                response.Description = "The file itself.";
            }

            if (operation.RequestBody is not OpenApiRequestBody body || !IsFile(body.Content))
            {
                return;
            }

            var limit = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IRequestSizeLimitMetadata>().LastOrDefault()?.MaxRequestBodySize;
            foreach (var mediaType in body.Content!.Values.OfType<OpenApiMediaType>())
            {
                mediaType.Schema = null;
            }

            body.Description = limit is { } bytes
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The file itself, at most {bytes} bytes; a larger body is refused with 413 before it is read.")
                : "The file itself.";
        }

        private static bool IsFile(IDictionary<string, IOpenApiMediaType>? content) =>
            content is { Count: > 0 } && content.Values.All(m => m.Schema is OpenApiSchema { Format: "byte" or "binary" });
    }

    /// <summary>
    /// Bounds the schema generator does not take from attributes: the items of a list of strings
    /// (<see cref="ItemMaxLengthAttribute"/>), and the length of values whose parser refuses anything longer
    /// (a UUID, as the route constraint and the JSON reader take them; a date; a date and time).
    /// </summary>
    private sealed class InputBoundsSchema : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema concrete)
            {
                return;
            }

            var type = Nullable.GetUnderlyingType(context.Type) ?? context.Type;
            if (type == typeof(Guid))
            {
                concrete.MinLength = UuidRouteConstraint.Length;
                concrete.MaxLength = UuidRouteConstraint.Length;
            }
            else if (type == typeof(DateOnly))
            {
                concrete.MinLength = 10;
                concrete.MaxLength = 10;
            }
            else if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
            {
                // System.Text.Json reads no date and time longer than 42 characters (ISO 8601, 16 fraction digits at most).
                concrete.MaxLength = 64;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<ItemMaxLengthAttribute>() is { } items
                    && concrete.Properties?.TryGetValue(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name), out var list) == true
                    && list is OpenApiSchema { Items: OpenApiSchema item })
                {
                    item.MaxLength = items.Length;
                }
            }
        }
    }

    /// <summary>A parameter that is one of an enum's values (<see cref="OneOfAttribute"/>) lists them.</summary>
    private sealed class OneOfParameter : IParameterFilter
    {
        public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
        {
            if (context.ParameterInfo?.GetCustomAttribute<OneOfAttribute>() is { } oneOf && parameter.Schema is OpenApiSchema schema)
            {
                schema.Enum = [.. oneOf.Values.Select(v => (JsonNode)JsonValue.Create(v))];
            }
        }
    }
}
