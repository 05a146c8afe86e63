using System.Collections;
using System.Globalization;

namespace Wharf.Cli.Rendering;

/// <summary>How a warehouse value reads as text: invariant culture, ISO dates, nothing rounded.</summary>
internal static class ValueText
{
    public static string Format(object? value) => value switch
    {
        null or DBNull => "",
        string s => s,
        bool b => b ? "true" : "false",
        DateTime { Kind: DateTimeKind.Utc } dt => dt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF'+00'", CultureInfo.InvariantCulture).Replace(".+", "+", StringComparison.Ordinal),
        DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        DateTimeOffset dto => dto.ToString("HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture).Replace(".+", "+", StringComparison.Ordinal).Replace(".-", "-", StringComparison.Ordinal),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => "\\x" + Convert.ToHexString(bytes),
        Stream stream => Format(Bytes(stream)),
        IDictionary<string, object?> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}: {Quoted(kv.Value)}")) + "}",
        IEnumerable<KeyValuePair<object, object?>> pairs => "{" + string.Join(", ", pairs.Select(kv => $"{Quoted(kv.Key)}={Quoted(kv.Value)}")) + "}",
        IList list => "[" + string.Join(", ", list.Cast<object?>().Select(Quoted)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static byte[] Bytes(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Quoted(object? value) => value switch
    {
        null => "NULL",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        _ => Format(value),
    };
}
