using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>
/// YAML as template values, the way dbt reads its YAML: plain scalars that look like booleans,
/// integers, floats or null become those; quoted scalars stay text; sequences become lists and
/// mappings ordered dictionaries.
/// </summary>
internal static class YamlValues
{
    public static object? From(YamlNode? node) => node switch
    {
        null => null,
        YamlScalarNode scalar => Scalar(scalar),
        YamlSequenceNode list => list.Children.Select(From).ToList(),
        YamlMappingNode map => Map(map),
        _ => null,
    };

    public static OrderedDictionary<string, object?> Map(YamlMappingNode map)
    {
        var result = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            result[(key as YamlScalarNode)?.Value ?? ""] = From(value);
        }

        return result;
    }

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return text;
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Any(char.IsDigit) => d,
            _ => text,
        };
    }
}
