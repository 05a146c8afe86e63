using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wharf.Lake;

/// <summary>
/// A file an extract read, in its manifest's <c>source_files</c>: its path relative to the
/// connection's folder, prefix or root, and for a remote location (S3) where it was and which
/// version of it was read (size, modification time, ETag). A local file is written as its path
/// alone, as manifests always had it; a remote one as an object.
/// </summary>
[JsonConverter(typeof(LakeSourceFileConverter))]
internal sealed record LakeSourceFile(string Path)
{
    /// <summary>The location, without secrets (<c>s3://bucket/prefix/</c>); null for a local folder.</summary>
    public string? Location { get; init; }

    public long? Size { get; init; }

    public DateTimeOffset? Modified { get; init; }

    public string? ETag { get; init; }

    public static implicit operator LakeSourceFile(string path) => new(path);

    public override string ToString() => Path;
}

internal sealed class LakeSourceFileConverter : JsonConverter<LakeSourceFile>
{
    public override LakeSourceFile Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new LakeSourceFile(reader.GetString()!);
        }

        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new LakeSourceFile(Text("path") ?? "")
        {
            Location = Text("location"),
            Size = root.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number ? size.GetInt64() : null,
            Modified = Text("modified") is { } modified ? DateTimeOffset.Parse(modified, System.Globalization.CultureInfo.InvariantCulture) : null,
            ETag = Text("etag"),
        };
    }

    public override void Write(Utf8JsonWriter writer, LakeSourceFile value, JsonSerializerOptions options)
    {
        if (value.Location is null && value.Size is null && value.Modified is null && value.ETag is null)
        {
            writer.WriteStringValue(value.Path);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("path", value.Path);
        if (value.Location is not null)
        {
            writer.WriteString("location", value.Location);
        }

        if (value.Size is { } size)
        {
            writer.WriteNumber("size", size);
        }

        if (value.Modified is { } modified)
        {
            writer.WriteString("modified", modified.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (value.ETag is not null)
        {
            writer.WriteString("etag", value.ETag);
        }

        writer.WriteEndObject();
    }
}
