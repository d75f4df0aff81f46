using System.Text.RegularExpressions;

namespace ReferralNetwork.Http;

/// <summary>Checks a request field by field; every failure names its field (JSON path, camelCase).</summary>
public sealed partial class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    /// <summary>The failures of the bounds the request's type declares (lengths, counts, ranges); more checks can follow.</summary>
    public static FieldErrors Of(object? request)
    {
        var errors = new FieldErrors();
        RequestBounds.Check(request, errors);
        return errors;
    }

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public FieldErrors Required(string field, object? value) =>
        value is null || value is string s && string.IsNullOrWhiteSpace(s) ? Add(field, "Required.") : this;

    /// <summary>An assigned ISO 3166-1 alpha-2 code (any nationality, not only the platform's tenants).</summary>
    public FieldErrors CountryCode(string field, string? value) =>
        value is null ? this
        : !CountryPattern().IsMatch(value) ? Add(field, "An ISO 3166-1 alpha-2 country code, such as VN.")
        : !Contracts.IsoCountries.IsAssigned(value) ? Add(field, $"{value.ToUpperInvariant()} is not an assigned ISO 3166-1 alpha-2 country code.")
        : this;

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new ProblemException(
                ProblemKind.Validation,
                "One or more fields are invalid.",
                _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex CountryPattern();

    [GeneratedRegex("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    internal static partial Regex LanguagePattern();
}
