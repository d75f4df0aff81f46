using System.Text.Json;

namespace ReferralNetwork.Http;

public static class ApiGroups
{
    /// <summary>A <c>/api/v1</c> feature group: authenticated, and documented with the problems every endpoint can answer.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string path, string tag) =>
        app.MapGroup($"/api/v1/{path}")
            .WithTags(tag)
            .RequireAuthorization()
            .AddEndpointFilterFactory(ParameterBounds.Filter)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

    /// <summary>Parses a query value written the way the API writes enums (kebab-case), or refuses it naming the parameter.</summary>
    public static TEnum? ParseQuery<TEnum>(string? value, string parameter) where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(JsonNamingPolicy.KebabCaseLower.ConvertName(candidate.ToString()), value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        var allowed = string.Join(", ", Enum.GetValues<TEnum>().Select(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString())));
        throw ProblemException.Invalid(parameter, $"One of: {allowed}.");
    }
}
