using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ReferralNetwork.Contracts.Api;

namespace ReferralNetwork.Http;

/// <summary>
/// The bounds a request type declares on its properties (<c>[MaxLength]</c>, <c>[Range]</c>, <see cref="ItemMaxLengthAttribute"/>),
/// checked on the values as received: the same attributes the OpenAPI document publishes, so what it promises is what
/// the API refuses. Nested request objects are checked too, each failure named by its JSON path (<c>subject.givenName</c>,
/// <c>languages[3]</c>).
/// </summary>
internal static class RequestBounds
{
    private static readonly ConcurrentDictionary<Type, Bound[]> Declared = new();

    public static void Check(object? request, FieldErrors errors, string prefix = "")
    {
        if (request is null)
        {
            return;
        }

        foreach (var bound in Declared.GetOrAdd(request.GetType(), Of))
        {
            bound.Check(bound.Property.GetValue(request), errors, prefix + bound.Field);
        }
    }

    public static string MaxLengthMessage(int max) => string.Create(CultureInfo.InvariantCulture, $"At most {max} characters.");

    public static string RangeMessage(object minimum, object maximum) => string.Create(CultureInfo.InvariantCulture, $"From {minimum} to {maximum}.");

    private static Bound[] Of(Type type) =>
    [
        .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => new Bound(p, JsonNamingPolicy.CamelCase.ConvertName(p.Name)))
            .Where(b => b.Declares),
    ];

    private sealed class Bound(PropertyInfo property, string field)
    {
        private readonly MaxLengthAttribute? _maxLength = property.GetCustomAttribute<MaxLengthAttribute>();
        private readonly RangeAttribute? _range = property.GetCustomAttribute<RangeAttribute>();
        private readonly ItemMaxLengthAttribute? _itemMaxLength = property.GetCustomAttribute<ItemMaxLengthAttribute>();
        private readonly bool _nested = IsRequestType(property.PropertyType);

        public PropertyInfo Property { get; } = property;

        public string Field { get; } = field;

        public bool Declares => _maxLength is not null || _range is not null || _itemMaxLength is not null || _nested;

        public void Check(object? value, FieldErrors errors, string path)
        {
            switch (value)
            {
                case null:
                    return;
                case string text when _maxLength is { } max && text.Length > max.Length:
                    errors.Add(path, MaxLengthMessage(max.Length));
                    break;
                case ICollection list when _maxLength is { } max && list.Count > max.Length:
                    errors.Add(path, string.Create(CultureInfo.InvariantCulture, $"At most {max.Length} items."));
                    break;
                case int number when _range is { } range && !range.IsValid(number):
                    errors.Add(path, RangeMessage(range.Minimum, range.Maximum));
                    break;
            }

            if (_itemMaxLength is { Length: var itemMax } && value is IEnumerable<string?> items)
            {
                foreach (var (item, index) in items.Select((item, index) => (item, index)).Where(i => i.item is { } s && s.Length > itemMax))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]"), MaxLengthMessage(itemMax));
                }
            }

            if (_nested)
            {
                RequestBounds.Check(value, errors, path + ".");
            }
        }

        /// <summary>A request object inside a request (the subject of a new referral): a contract type of ours, not a value.</summary>
        private static bool IsRequestType(Type type) =>
            type.IsClass && type != typeof(string) && type.Namespace == typeof(CreateReferralRequest).Namespace && !typeof(IEnumerable).IsAssignableFrom(type);
    }
}
