using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace ReferralNetwork.Http;

/// <summary>A query, route or header value that is one of an enum's values, written as the API writes them (kebab-case).</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class OneOfAttribute(Type enumType) : Attribute
{
    public IReadOnlyList<string> Values { get; } = [.. Enum.GetNames(enumType).Select(JsonNamingPolicy.KebabCaseLower.ConvertName)];

    /// <summary>As <see cref="ApiGroups.ParseQuery{TEnum}"/> reads it: whatever the case, spaces around ignored.</summary>
    public bool Allows(string value) => Values.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The bounds declared on an API handler's query, route and header parameters (<c>[MaxLength]</c>, <c>[Range]</c>,
/// <c>[RegularExpression]</c>, <see cref="OneOfAttribute"/>), checked on the values as received before the handler
/// runs: the OpenAPI document publishes the same attributes. A value past one is a 400 problem naming the parameter.
/// </summary>
internal static class ParameterBounds
{
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var bounds = context.MethodInfo.GetParameters().Select(Bound.Of).OfType<Bound>().ToArray();
        if (bounds.Length == 0)
        {
            return next;
        }

        return invocation =>
        {
            var errors = new FieldErrors();
            foreach (var bound in bounds)
            {
                bound.Check(invocation.Arguments[bound.Index], errors);
            }

            errors.ThrowIfAny();
            return next(invocation);
        };
    }

    private sealed record Bound(
        int Index, string Name, MaxLengthAttribute? MaxLength, RangeAttribute? Range, RegularExpressionAttribute? Pattern, OneOfAttribute? OneOf)
    {
        public static Bound? Of(ParameterInfo parameter)
        {
            var bound = new Bound(
                parameter.Position,
                NameOf(parameter),
                parameter.GetCustomAttribute<MaxLengthAttribute>(),
                parameter.GetCustomAttribute<RangeAttribute>(),
                parameter.GetCustomAttribute<RegularExpressionAttribute>(),
                parameter.GetCustomAttribute<OneOfAttribute>());
            return bound is { MaxLength: null, Range: null, Pattern: null, OneOf: null } ? null : bound;
        }

        public void Check(object? value, FieldErrors errors)
        {
            switch (value)
            {
                case string text when MaxLength is { } max && text.Length > max.Length:
                    errors.Add(Name, RequestBounds.MaxLengthMessage(max.Length));
                    break;
                case string { Length: > 0 } text when Pattern is { } pattern && !Regex.IsMatch(text, pattern.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)):
                    errors.Add(Name, $"Does not match {pattern.Pattern}.");
                    break;
                case string text when OneOf is { } oneOf && text.Length > 0 && !oneOf.Allows(text):
                    errors.Add(Name, $"One of: {string.Join(", ", oneOf.Values)}.");
                    break;
                case int number when Range is { } range && !range.IsValid(number):
                    errors.Add(Name, RequestBounds.RangeMessage(range.Minimum, range.Maximum));
                    break;
            }
        }

        /// <summary>The name the caller writes: the header's, the query key, or the route value's.</summary>
        private static string NameOf(ParameterInfo parameter) =>
            parameter.GetCustomAttribute<FromHeaderAttribute>()?.Name
            ?? parameter.GetCustomAttribute<FromQueryAttribute>()?.Name
            ?? parameter.GetCustomAttribute<FromRouteAttribute>()?.Name
            ?? parameter.Name!;
    }
}

/// <summary>
/// <c>{id:uuid}</c>: a UUID as the API writes them (36 characters, 8-4-4-4-12 hexadecimal digits) and nothing longer,
/// unlike <c>guid</c>, which also takes braces, parentheses and other forms. Anything else does not match the route: 404.
/// </summary>
internal sealed class UuidRouteConstraint : IRouteConstraint
{
    public const int Length = 36;

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value switch
        {
            Guid => true,
            string text => text.Length == Length && Guid.TryParseExact(text, "D", out _),
            _ => false,
        };
}
