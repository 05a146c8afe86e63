using System.Globalization;
using System.Text.Json;

namespace Wharf.Sources.Http;

/// <summary>Dotted paths into a JSON body (<c>data.items</c>, <c>meta.next</c>, <c>results.0.id</c>): names, and numbers for list items.</summary>
internal static class JsonPath
{
    /// <summary>The value at <paramref name="path"/>, or false when some step is missing.</summary>
    public static bool TryGet(JsonElement root, string path, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(path);
        value = root;
        foreach (var step in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(step, out var next))
            {
                value = next;
            }
            else if (value.ValueKind == JsonValueKind.Array && int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A value as the text to send back or compare: a string's contents, a number's digits; null for null or missing.</summary>
    public static string? Text(JsonElement root, string path) => TryGet(root, path, out var value) ? value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    } : null;

    /// <summary>What a JSON value is, in words, for messages.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
