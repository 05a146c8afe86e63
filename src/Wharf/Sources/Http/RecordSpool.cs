using System.Buffers;
using System.Text.Encodings.Web;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Wharf.Sources.Http;

/// <summary>
/// The records of one partition as they arrive, one JSON object per line in a file DuckDB reads
/// (<c>read_json</c>, newline-delimited): memory holds one page at most. Each record keeps every
/// value as the API sent it: numbers as their digits, strings, nulls and names as they are. Records
/// that are not objects become <c>{"value": …}</c>; a partition's variables are added as columns.
/// </summary>
internal sealed class RecordSpool : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly FileStream file;
    private readonly ArrayBufferWriter<byte> page = new(1 << 16);
    private readonly Utf8JsonWriter writer;
    private readonly IReadOnlyList<KeyValuePair<string, string>> extra;

    /// <summary>The partition's variables as JSON members (<c>"name":"value"</c>), added to records that lack them.</summary>
    private readonly IReadOnlyList<(string Name, byte[] Member)> members;

    public RecordSpool(string path, IReadOnlyList<KeyValuePair<string, string>> extra)
    {
        Path = path;
        this.extra = extra;
        members = [.. extra.Select(e => (e.Key, Encoding.UTF8.GetBytes($"\"{JsonEncodedText.Encode(e.Key, Options.Encoder)}\":\"{JsonEncodedText.Encode(e.Value, Options.Encoder)}\"")))];
        file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        writer = new Utf8JsonWriter(page, Options);
    }

    public string Path { get; }

    public long Records { get; private set; }

    public async Task WriteAsync(JsonElement records, CancellationToken cancellationToken)
    {
        // A page's lines are gathered in memory and written at once: flushing the JSON writer to the
        // file after each record cost a write system call per record (5x slower at 1M records).
        foreach (var record in records.EnumerateArray())
        {
            if (record.ValueKind == JsonValueKind.Object)
            {
                CopyRecord(record);
            }
            else
            {
                WriteRecord(writer, record, extra, null);
                EndLine(writer, page);
            }

            Records++;
        }

        await file.WriteAsync(page.WrittenMemory, cancellationToken);
        page.ResetWrittenCount();
        await file.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// An object record as its bytes came, on one line, with the partition's variables it lacks: the
    /// parser has checked it, so copying is exact and spares writing every value again. In valid JSON a
    /// line break can only be whitespace between tokens (inside strings it is escaped), so it becomes a space.
    /// </summary>
    private void CopyRecord(JsonElement record)
    {
        var raw = JsonMarshal.GetRawUtf8Value(record);
        if (members.Count == 0)
        {
            AppendOnOneLine(page, raw);
        }
        else
        {
            var body = raw[..raw.LastIndexOf((byte)'}')];
            AppendOnOneLine(page, body);
            var separator = !body[1..].Trim(" \t\r\n"u8).IsEmpty;
            foreach (var (name, member) in members)
            {
                if (!record.TryGetProperty(name, out _))
                {
                    page.Write(separator ? ","u8 : ""u8);
                    page.Write(member);
                    separator = true;
                }
            }

            page.Write("}"u8);
        }

        page.Write("\n"u8);
    }

    /// <summary>
    /// Appends valid JSON bytes to a line of <paramref name="lines"/>, their line breaks turned into
    /// spaces: in valid JSON a line break can only be whitespace between tokens (inside strings it is escaped).
    /// </summary>
    internal static void AppendOnOneLine(ArrayBufferWriter<byte> lines, ReadOnlySpan<byte> json)
    {
        var target = lines.GetSpan(json.Length)[..json.Length];
        json.CopyTo(target);
        target.Replace((byte)'\n', (byte)' ');
        target.Replace((byte)'\r', (byte)' ');
        lines.Advance(json.Length);
    }

    /// <summary>Ends the record <paramref name="writer"/> wrote into <paramref name="lines"/> with a newline, ready for the next.</summary>
    private static void EndLine(Utf8JsonWriter writer, ArrayBufferWriter<byte> lines)
    {
        writer.Flush();
        lines.GetSpan(1)[0] = (byte)'\n';
        lines.Advance(1);
        writer.Reset(lines);
    }

    /// <summary>Closes the file: every record is written.</summary>
    public async Task CloseAsync()
    {
        await writer.DisposeAsync();
        await file.DisposeAsync();
    }

    /// <summary>When some fields hold numbers DuckDB would round, rewrites the closed file with them as their text (a second pass, rare).</summary>
    public async Task KeepNumbersExactAsync(RecordShape shape, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!shape.HasInexactNumbers)
        {
            return;
        }

        var rewritten = Path + ".exact";
        using (var reader = new StreamReader(Path))
        await using (var output = new FileStream(rewritten, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var lines = new ArrayBufferWriter<byte>(1 << 16);
            await using var lineWriter = new Utf8JsonWriter(lines, Options);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                using var document = JsonDocument.Parse(line);
                WriteRecord(lineWriter, document.RootElement, [], shape.Root);
                EndLine(lineWriter, lines);
                if (lines.WrittenCount >= 1 << 16)
                {
                    await output.WriteAsync(lines.WrittenMemory, cancellationToken);
                    lines.ResetWrittenCount();
                }
            }

            await output.WriteAsync(lines.WrittenMemory, cancellationToken);
        }

        File.Move(rewritten, Path, overwrite: true);
    }

    private static void WriteRecord(Utf8JsonWriter writer, JsonElement record, IReadOnlyList<KeyValuePair<string, string>> extra, ShapeNode? shape)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("value");
            Write(writer, record, shape?.Known("value"));
        }
        else
        {
            writer.WriteStartObject();
            foreach (var property in record.EnumerateObject())
            {
                writer.WritePropertyName(property.Name);
                Write(writer, property.Value, shape?.Known(property.Name));
            }
        }

        foreach (var (name, value) in extra)
        {
            if (record.ValueKind != JsonValueKind.Object || !record.TryGetProperty(name, out _))
            {
                writer.WriteString(name, value);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>A value as it came (numbers by their text); numbers of a field marked inexact as strings.</summary>
    private static void Write(Utf8JsonWriter writer, JsonElement value, ShapeNode? shape)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when shape is { Inexact: true }:
                writer.WriteStringValue(value.GetRawText());
                break;
            case JsonValueKind.Object when shape is not null:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, shape.Known(property.Name));
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array when shape is not null:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item, shape.KnownItems);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    public void Dispose()
    {
        writer.Dispose();
        file.Dispose();
    }
}
