using System.Runtime.InteropServices;
using System.Text.Json;

namespace Wharf.Sources.Http;

/// <summary>
/// What each field of a stream's records has been so far (an object, a list, a string, a number,
/// a boolean; null fits anything), page after page. A field that turns into something else (a
/// number that becomes a string, an object that becomes a list) is a schema change, reported with
/// the page that set it and the page that broke it, before anything is loaded. It also notes
/// fields with numbers that DuckDB would round (<see cref="JsonNumbers"/>), to keep them as text,
/// numbers that are not BIGINTs, and the forms of strings (<see cref="TextForm"/>): enough to tell
/// which types DuckDB's JSON reader would give every field (<see cref="SpoolTables"/>).
/// Memory follows the number of distinct fields, not of records.
/// </summary>
internal sealed class RecordShape
{
    public ShapeNode Root { get; } = new(null, "");

    /// <summary>Whether some field holds numbers to be kept as their text.</summary>
    public bool HasInexactNumbers { get; private set; }

    /// <summary>Checks one record (of page <paramref name="page"/>) against what was seen before, and learns from it.</summary>
    /// <exception cref="ShapeChangeException">A field changed kind.</exception>
    public void Learn(JsonElement record, int page)
    {
        // Records that are not objects are spooled as {"value": …}: learnt the same way.
        if (record.ValueKind == JsonValueKind.Object)
        {
            Walk(record, Root, page);
        }
        else
        {
            Root.Kind ??= JsonValueKind.Object;
            Walk(record, Root.Field("value"), page);
        }
    }

    /// <summary>Learns the text values a partition adds to each record (its variables as columns).</summary>
    public void LearnText(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var (name, value) in fields)
        {
            // A field that records have as something else keeps their values; the variable's text makes it no one type.
            var node = Root.Field(name);
            node.Kind ??= JsonValueKind.String;
            node.Texts |= node.Kind == JsonValueKind.String ? TextForm.Of(System.Text.Encoding.UTF8.GetBytes(value)) : TextForms.Other;
        }
    }

    private void Walk(JsonElement value, ShapeNode node, int page)
    {
        var kind = value.ValueKind is JsonValueKind.False ? JsonValueKind.True : value.ValueKind;
        if (kind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return;
        }

        if (node.Kind is null)
        {
            node.Kind = kind;
            node.FirstPage = page;
        }
        else if (node.Kind != kind)
        {
            throw new ShapeChangeException(node.Path, node.Kind.Value, node.FirstPage, kind, Sample(value));
        }

        switch (kind)
        {
            case JsonValueKind.Number:
                var digits = JsonMarshal.GetRawUtf8Value(value);
                if (!node.Inexact && !JsonNumbers.IsExact(digits))
                {
                    node.Inexact = HasInexactNumbers = true;
                }

                node.NonBigint = node.NonBigint || !JsonNumbers.IsBigint(digits);
                break;
            case JsonValueKind.String when (node.Texts & TextForms.Other) == TextForms.None:
                node.Texts |= TextForm.Of(JsonMarshal.GetRawUtf8Value(value)[1..^1]);
                break;
            case JsonValueKind.Object:
                var position = 0;
                foreach (var property in value.EnumerateObject())
                {
                    Walk(property.Value, node.Field(property, position++), page);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, node.Items, page);
                }

                break;
        }
    }

    private static string Sample(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 60 ? text : text[..60] + "…";
    }
}

/// <summary>One field of the records (or the items of a list field).</summary>
internal sealed class ShapeNode(ShapeNode? parent, string name)
{
    private readonly ShapeNode? up = parent;
    private readonly byte[] utf8Name = System.Text.Encoding.UTF8.GetBytes(name);
    private readonly List<ShapeNode> ordered = [];
    private Dictionary<string, ShapeNode>? fields;
    private ShapeNode? items;

    public JsonValueKind? Kind { get; set; }

    /// <summary>The page where <see cref="Kind"/> was first seen.</summary>
    public int FirstPage { get; set; }

    /// <summary>Some number here would be rounded by DuckDB's JSON reader.</summary>
    public bool Inexact { get; set; }

    /// <summary>Some number here is not an integer that fits a BIGINT.</summary>
    public bool NonBigint { get; set; }

    /// <summary>The forms of the strings seen here (<see cref="TextForm"/>).</summary>
    public TextForms Texts { get; set; }

    /// <summary>The field's path for messages: <c>customer.address.city</c>, <c>items[].price</c>.</summary>
    public string Path => up is null ? "(the record)" : up.up is null ? name : name == "[]" ? up.Path + "[]" : $"{up.Path}.{name}";

    public ShapeNode Field(string field)
    {
        fields ??= new Dictionary<string, ShapeNode>(StringComparer.Ordinal);
        if (!fields.TryGetValue(field, out var node))
        {
            fields[field] = node = new ShapeNode(this, field);
        }

        return node;
    }

    /// <summary>
    /// The node of the record's field at <paramref name="position"/>. Records of an API mostly list
    /// their fields in the same order, so the field first seen there is tried first, by its UTF-8
    /// name, which spares a string per field per record.
    /// </summary>
    public ShapeNode Field(JsonProperty property, int position)
    {
        if (position < ordered.Count && property.NameEquals(ordered[position].utf8Name))
        {
            return ordered[position];
        }

        var node = Field(property.Name);
        if (position == ordered.Count)
        {
            ordered.Add(node);
        }

        return node;
    }

    public ShapeNode Items => items ??= new ShapeNode(this, "[]");

    /// <summary>The names of the fields seen here (null values included).</summary>
    public IReadOnlyCollection<string> KnownNames => fields?.Keys ?? (IReadOnlyCollection<string>)[];

    /// <summary>The node of a field when it was seen; null otherwise.</summary>
    public ShapeNode? Known(string field) => fields?.GetValueOrDefault(field);

    public ShapeNode? KnownItems => items;
}

/// <summary>A field of the records changed kind between records or pages.</summary>
internal sealed class ShapeChangeException(string path, JsonValueKind before, int firstPage, JsonValueKind now, string sample)
    : Exception($"the field {path} is {JsonPath.Describe(now)} ({sample}), but it was {JsonPath.Describe(before)} from page {firstPage} on")
{
    public string Field { get; } = path;

    /// <summary>Whether the field was or now is a list (in XML, an element that repeats in some records only).</summary>
    public bool ListOrNot { get; } = before == JsonValueKind.Array || now == JsonValueKind.Array;
}
