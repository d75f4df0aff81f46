using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReferralNetwork.Client;

/// <summary>
/// The API's JSON: camelCase, enums as kebab-case strings. Unlike the platform's own options, a value this version of
/// the client does not know (a stage, a service or an event type added later) is read, not refused: see
/// <see cref="ContractEnums"/>.
/// </summary>
public static class ClientJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new TolerantEnumConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>The value as the API writes it (<c>in-protection</c>, <c>0-11</c>), for paths and query strings.</summary>
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => EnumNames<TEnum>.NameOf(value);
}

/// <summary>Telling values the platform added after this client was built from the ones it knows.</summary>
public static class ContractEnums
{
    /// <summary>
    /// What an enum value the client does not know reads as: <c>-1</c>, which no contract enum defines. It is never sent
    /// back (writing it throws), and it never passes for a known value: a stage the client does not know is not
    /// <c>identified</c>.
    /// </summary>
    public static TEnum Unknown<TEnum>() where TEnum : struct, Enum => (TEnum)Enum.ToObject(typeof(TEnum), -1);

    /// <summary>Whether this version of the client knows the value (false for one a newer platform sent).</summary>
    public static bool IsKnown<TEnum>(TEnum value) where TEnum : struct, Enum => Enum.IsDefined(value);
}

internal sealed class TolerantEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(TolerantEnumConverter<>).MakeGenericType(typeToConvert))!;
}

internal sealed class TolerantEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? EnumNames<TEnum>.ValueOf(reader.GetString()!)
            : throw new JsonException($"{typeof(TEnum).Name} is a string in the API, not {reader.TokenType}.");

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
        writer.WriteStringValue(EnumNames<TEnum>.NameOf(value));
}

/// <summary>The wire names of an enum: <c>[JsonStringEnumMemberName]</c> where the contract sets one, else the kebab-case member name.</summary>
internal static class EnumNames<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> Names = typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(
        field => (TEnum)field.GetValue(null)!,
        field => field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.KebabCaseLower.ConvertName(field.Name));

    private static readonly Dictionary<string, TEnum> Values = Names.ToDictionary(n => n.Value, n => n.Key, StringComparer.OrdinalIgnoreCase);

    public static TEnum ValueOf(string name) => Values.TryGetValue(name, out var value) ? value : ContractEnums.Unknown<TEnum>();

    public static string NameOf(TEnum value) => Names.TryGetValue(value, out var name)
        ? name
        : throw new JsonException($"{typeof(TEnum).Name} value {value} is not one this client knows, so it cannot send it.");
}
