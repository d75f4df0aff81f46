using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ReferralNetwork.Tests.Helm;

/// <summary>
/// Reads YAML into plain objects (Dictionary / List / string / long / double / bool / null), typing
/// unquoted scalars as Kubernetes does when it reads a manifest (sigs.k8s.io/yaml over yaml.v2, YAML
/// 1.1 rules): so <c>yes</c> or <c>on</c> is a boolean and <c>0777</c> an octal number, and a test
/// that wants a string sees what the API server would reject.
/// </summary>
internal static partial class HelmYaml
{
    /// <summary>The one document of <paramref name="text"/> (null when it has none).</summary>
    public static object? Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count switch
        {
            0 => null,
            1 => ToObject(stream.Documents[0].RootNode),
            _ => throw new InvalidOperationException($"expected one YAML document, found {stream.Documents.Count}"),
        };
    }

    /// <summary>The one document of <paramref name="text"/>, which must be a mapping.</summary>
    public static Dictionary<string, object?> LoadMap(string text) =>
        Load(text) switch
        {
            Dictionary<string, object?> map => map,
            null => new Dictionary<string, object?>(StringComparer.Ordinal),
            var other => throw new InvalidOperationException($"expected a YAML mapping, found {other.GetType().Name}"),
        };

    private static object? ToObject(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(kv => KeyText(kv.Key), kv => ToObject(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode sequence => sequence.Children.Select(ToObject).ToList(),
        YamlScalarNode scalar when scalar.Tag.IsEmpty && scalar.Style is ScalarStyle.Plain => ResolvePlain(scalar.Value ?? ""),
        YamlScalarNode scalar => scalar.Value ?? "",
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    // JSON, which sigs.k8s.io/yaml goes through, only has string keys.
    private static string KeyText(YamlNode key) =>
        key is YamlScalarNode scalar ? scalar.Value ?? "" : throw new InvalidOperationException($"unsupported YAML key at {key.Start}");

    private static object? ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "true" or "True" or "TRUE":
                return true;
            case "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "false" or "False" or "FALSE":
                return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF":
                return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN":
                return double.NaN;
        }

        if (Integer().Match(text.Replace("_", "", StringComparison.Ordinal)) is { Success: true } integer)
        {
            var (radix, digits) = integer.Groups switch
            {
                var g when g["hex"].Success => (16, g["hex"].Value),
                var g when g["binary"].Success => (2, g["binary"].Value),
                var g when g["octal"].Success => (8, g["octal"].Value),
                var g => (10, g["decimal"].Value),
            };
            try
            {
                var magnitude = Convert.ToInt64(digits, radix);
                return integer.Groups["sign"].Value == "-" ? -magnitude : magnitude;
            }
            catch (OverflowException)
            {
                // Beyond int64 yaml.v2 falls back to a float, as below.
            }
        }

        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return text;
    }

    /// <summary>What Go's strconv.ParseInt(s, 0, 64) takes, which yaml.v2 tries first.</summary>
    [GeneratedRegex(@"^(?<sign>[-+]?)(0x(?<hex>[0-9a-fA-F]+)|0b(?<binary>[01]+)|0o?(?<octal>[0-7]+)|(?<decimal>0|[1-9][0-9]*))$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
