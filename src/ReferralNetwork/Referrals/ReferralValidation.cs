using System.Text.RegularExpressions;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Identity;
using ReferralNetwork.Infrastructure;

namespace ReferralNetwork.Referrals;

/// <summary>Checks a request field by field; every failure names its field (JSON path, camelCase).</summary>
public sealed partial class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

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

    public FieldErrors MaxLength(string field, string? value, int max) =>
        value is not null && value.Length > max ? Add(field, $"At most {max} characters.") : this;

    public FieldErrors CountryCode(string field, string? value) =>
        value is not null && !CountryPattern().IsMatch(value) ? Add(field, "An ISO 3166-1 alpha-2 country code, such as VN.") : this;

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

public static class ReferralValidation
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static void Validate(CreateReferralRequest request, Caller caller, DateTimeOffset now)
    {
        var errors = new FieldErrors()
            .Required("subject", request.Subject)
            .Required("identifiedIn", request.IdentifiedIn)
            .CountryCode("identifiedIn", request.IdentifiedIn)
            .Required("identifiedAt", request.IdentifiedAt)
            .Required("exploitation", request.Exploitation)
            .MaxLength("summary", request.Summary, 4000);

        if (request.IdentifiedIn is { Length: 2 } country && !string.Equals(country, caller.Country, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("identifiedIn", $"An organization identifies people in its own country ({caller.Country}).");
        }

        if (request.IdentifiedAt > now + ClockSkew)
        {
            errors.Add("identifiedAt", "Cannot be in the future.");
        }

        if (request.Exploitation is { Count: 0 })
        {
            errors.Add("exploitation", "At least one form of exploitation; use \"other\" when it is not yet known.");
        }

        if (request.Subject is { } subject)
        {
            errors.Required("subject.givenName", subject.GivenName)
                .MaxLength("subject.givenName", subject.GivenName, 200)
                .MaxLength("subject.familyName", subject.FamilyName, 200)
                .Required("subject.sex", subject.Sex)
                .Required("subject.nationality", subject.Nationality)
                .CountryCode("subject.nationality", subject.Nationality);
            if (subject.DateOfBirth is { } born
                && (born > DateOnly.FromDateTime(now.UtcDateTime) || born.Year < 1900))
            {
                errors.Add("subject.dateOfBirth", "Not a plausible date of birth.");
            }

            foreach (var (language, index) in (subject.Languages ?? []).Select((l, i) => (l, i)))
            {
                if (language is null || !FieldErrors.LanguagePattern().IsMatch(language))
                {
                    errors.Add($"subject.languages[{index}]", "A BCP 47 language tag, such as vi or km.");
                }
            }
        }

        errors.ThrowIfAny();
    }
}
