using System.Text.Json;
using Microsoft.Extensions.Localization;
using ReferralNetwork.Contracts;

namespace ReferralNetwork.WebConsole;

/// <summary>
/// The words of the workflow's values in the person's language: <c>Stage.in-protection</c>, <c>Country.VN</c>. Keys
/// are the values as the API writes them (kebab-case), so that a new value shows as itself until it is translated.
/// </summary>
public static class Labels
{
    public static string Label<TEnum>(this IStringLocalizer<ConsoleText> text, TEnum value)
        where TEnum : struct, Enum
    {
        var api = Api(value);
        var label = text[$"{typeof(TEnum).Name}.{api}"];
        return label.ResourceNotFound ? api : label.Value;
    }

    /// <summary>The value as the API writes it (<c>InProtection</c> → <c>in-protection</c>).</summary>
    public static string Api<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>
    /// A country's name: the console's own for the region, else the name the platform's culture data has in the
    /// person's language (any nationality may appear), else its code.
    /// </summary>
    public static string Country(this IStringLocalizer<ConsoleText> text, string code)
    {
        var label = text[$"Country.{code}"];
        if (!label.ResourceNotFound)
        {
            return label.Value;
        }

        try
        {
            return IsoCountries.IsAssigned(code) ? new System.Globalization.RegionInfo(code).DisplayName : code;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }

    /// <summary>Why the workflow said no, in plain words: the text of its reason code.</summary>
    public static string Refusal(this IStringLocalizer<ConsoleText> text, string code)
    {
        var label = text[$"Refusal.{code}"];
        return label.ResourceNotFound ? text["Refusal.other"].Value : label.Value;
    }
}
