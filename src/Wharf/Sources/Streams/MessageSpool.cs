using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Wharf.Projects;
using Wharf.Sources.Http;

namespace Wharf.Sources.Streams;

/// <summary>
/// One batch of messages as they arrive, one JSON object per line in a file DuckDB reads: the
/// metadata columns first (<c>_message_id</c>, the routing key or subject, headers as JSON text,
/// timestamp, redelivered), then the payload's fields (JSON), or the payload as <c>payload</c>
/// (text, or bytes in base64 that the table query decodes). Memory holds one message at most.
/// </summary>
internal sealed class MessageSpool : IDisposable
{
    /// <summary>With <c>on_check_failure: quarantine</c>: why a payload could not be read (NULL for every other message).</summary>
    public const string ErrorColumn = "_payload_error";

    /// <summary>With <c>on_check_failure: quarantine</c>: the payload that could not be read, as text.</summary>
    public const string RawColumn = "_payload";

    public const string PayloadColumn = "payload";

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly FileStream file;
    private readonly ArrayBufferWriter<byte> lines = new(1 << 16);
    private readonly Utf8JsonWriter writer;
    private readonly MessageFormat format;
    private readonly bool quarantine;
    private readonly string keyColumn;
    private RecordShape? shape;
    private bool shapeChanged;
    private bool textIds;

    /// <param name="quarantine">Whether a payload that is not JSON becomes a row for the quarantine (else it fails the batch).</param>
    /// <param name="keyColumn"><c>_routing_key</c> (RabbitMQ) or <c>_subject</c> (NATS).</param>
    public MessageSpool(string path, MessageFormat format, bool quarantine, string keyColumn)
    {
        Path = path;
        this.format = format;
        this.quarantine = quarantine;
        this.keyColumn = keyColumn;
        file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        writer = new Utf8JsonWriter(lines, Options);
    }

    public string Path { get; }

    public int Messages { get; private set; }

    /// <summary>Messages whose payload could not be read, spooled for the quarantine.</summary>
    public int Unreadable { get; private set; }

    /// <summary>RabbitMQ's messages come through an exchange; NATS's have none.</summary>
    private bool HasExchange => keyColumn == RoutingKeyColumn;

    public const string RoutingKeyColumn = "_routing_key";

    public const string SubjectColumn = "_subject";

    /// <summary>Adds one message; null when it is written, else why its payload could not be read (the caller decides: fail or dead-letter).</summary>
    public async ValueTask<string?> WriteAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        JsonDocument? document = null;
        string? error = null;
        if (format == MessageFormat.Json)
        {
            try
            {
                document = JsonDocument.Parse(message.Body, new JsonDocumentOptions { MaxDepth = 256 });
            }
            catch (JsonException ex)
            {
                error = $"the payload is not valid JSON: {ex.Message}";
                if (!quarantine)
                {
                    return error;
                }
            }
        }

        using (document)
        {
            if (document is not null)
            {
                LearnShape(document.RootElement);
            }

            writer.WriteStartObject();
            WriteMetadata(message);
            if (quarantine)
            {
                writer.WriteString(ErrorColumn, error);
                writer.WriteString(RawColumn, error is null ? null : Text(message.Body));
                Unreadable += error is null ? 0 : 1;
            }

            if (document?.RootElement is { ValueKind: JsonValueKind.Object } payload && CopiesAsItCame(payload))
            {
                writer.Flush();
                AppendFields(JsonMarshal.GetRawUtf8Value(payload));
            }
            else
            {
                WritePayload(message, document);
                writer.WriteEndObject();
                writer.Flush();
            }
        }

        lines.Write("\n"u8);
        writer.Reset(lines);
        Messages++;
        if (lines.WrittenCount >= 1 << 16)
        {
            await FlushAsync(cancellationToken);
        }

        return null;
    }

    /// <summary>
    /// What the JSON payloads held, so the batch is read with the types DuckDB detected once
    /// (<see cref="SpoolTables.Plan"/>): null when there is nothing to go by, or once a field
    /// changed kind between messages (DuckDB's inferring read then decides, as it always did).
    /// Metadata columns are not learnt: they have types of their own (<see cref="OwnColumns"/>).
    /// </summary>
    public RecordShape? Shape => shapeChanged ? null : format == MessageFormat.Json ? shape : NoFields;

    /// <summary>A text or bytes payload is a column of the spool's own (<see cref="OwnColumns"/>): the records have no fields.</summary>
    private static readonly RecordShape NoFields = new();

    /// <summary>
    /// The columns the spool adds, in the types it writes them: read with those, whatever DuckDB
    /// would detect in one batch (NULL headers only, a subject that looks like a date, a message id
    /// like a UUID, which a cast back to text would write in another case).
    /// </summary>
    public IReadOnlyDictionary<string, string> OwnColumns
    {
        get
        {
            var columns = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MessageStreamSettings.MessageIdColumn] = textIds ? "VARCHAR" : "BIGINT",
                [keyColumn] = "VARCHAR",
                ["_headers"] = "VARCHAR",
                ["_timestamp"] = "BIGINT",
                ["_redelivered"] = "BOOLEAN",
            };
            if (HasExchange)
            {
                columns["_exchange"] = "VARCHAR";
            }

            if (quarantine)
            {
                columns[ErrorColumn] = "VARCHAR";
                columns[RawColumn] = "VARCHAR";
            }

            if (format != MessageFormat.Json)
            {
                columns[PayloadColumn] = "VARCHAR";
            }

            return columns;
        }
    }

    private void LearnShape(JsonElement payload)
    {
        if (shapeChanged)
        {
            return;
        }

        try
        {
            (shape ??= new RecordShape()).Learn(payload, Messages);
        }
        catch (ShapeChangeException)
        {
            shapeChanged = true;
        }
    }

    private void WriteMetadata(BrokerMessage message)
    {
        writer.WritePropertyName(MessageStreamSettings.MessageIdColumn);
        if (message.Sequence is { } sequence)
        {
            writer.WriteNumberValue(sequence);
        }
        else
        {
            writer.WriteStringValue(message.Id);
            textIds = true;
        }

        writer.WriteString(keyColumn, message.Key);
        if (HasExchange)
        {
            writer.WriteString("_exchange", message.Exchange);
        }

        if (message.Headers.Count == 0)
        {
            writer.WriteNull("_headers");
        }
        else
        {
            writer.WriteString("_headers", HeadersJson(message.Headers));
        }

        // Microseconds since 1970 UTC: the table query makes them a TIMESTAMPTZ, whatever the session's time zone.
        if (message.Timestamp is { } timestamp)
        {
            writer.WriteNumber("_timestamp", (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        }
        else
        {
            writer.WriteNull("_timestamp");
        }

        writer.WriteBoolean("_redelivered", message.Redelivered);
    }

    private void WritePayload(BrokerMessage message, JsonDocument? document)
    {
        switch (format)
        {
            case MessageFormat.Text:
                writer.WriteString(PayloadColumn, Text(message.Body));
                break;
            case MessageFormat.Bytes:
                writer.WriteBase64String(PayloadColumn, message.Body.Span);
                break;
            case MessageFormat.Json when document is null:
                break;
            case MessageFormat.Json when document.RootElement.ValueKind == JsonValueKind.Object:
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    // A payload field named like a metadata column would make two columns of one name: the metadata wins.
                    if (!IsMetadata(property.Name))
                    {
                        writer.WritePropertyName(property.Name);
                        WriteExact(property.Value);
                    }
                }

                break;
            case MessageFormat.Json:
                writer.WritePropertyName("value");
                WriteExact(document.RootElement);
                break;
        }
    }

    /// <summary>
    /// Whether an object payload's bytes are its fields' line as they are: nothing in the batch so far
    /// needs a number kept as text (the shape saw this payload too), and no field's name starts with
    /// an underscore (or an escape), so none can be named like a metadata column. Copying spares
    /// writing every value again (half the spool's time for small messages).
    /// </summary>
    private bool CopiesAsItCame(JsonElement payload)
    {
        if (Shape is not { HasInexactNumbers: false })
        {
            return false;
        }

        foreach (var field in payload.EnumerateObject())
        {
            if (JsonMarshal.GetRawUtf8PropertyName(field) is [(byte)'_' or (byte)'\\', ..])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Ends the line the writer began with the payload's fields, as they came (<c>"a":1,"b":2}</c>).</summary>
    private void AppendFields(ReadOnlySpan<byte> payload)
    {
        var fields = payload[1..];
        if (!fields[..^1].Trim(" \t\r\n"u8).IsEmpty)
        {
            lines.Write(","u8);
        }

        RecordSpool.AppendOnOneLine(lines, fields);
    }

    private bool IsMetadata(string name) =>
        name == keyColumn || name is MessageStreamSettings.MessageIdColumn or "_exchange" or "_headers" or "_timestamp" or "_redelivered" or ErrorColumn or RawColumn;

    /// <summary>A value as it came, but numbers DuckDB's JSON reader would round kept as their text.</summary>
    private void WriteExact(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when !JsonNumbers.IsExact(value.GetRawText()):
                writer.WriteStringValue(value.GetRawText());
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteExact(property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteExact(item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static string HeadersJson(IReadOnlyList<KeyValuePair<string, string?>> headers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            foreach (var (name, value) in headers)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The payload as UTF-8 text; bytes that are not UTF-8 become U+FFFD (use <c>format: bytes</c> to keep them).</summary>
    private static string Text(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await file.WriteAsync(lines.WrittenMemory, cancellationToken);
        lines.ResetWrittenCount();
    }

    /// <summary>Writes what is buffered and closes the file: the batch is complete.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await writer.DisposeAsync();
        await file.DisposeAsync();
    }

    public void Dispose()
    {
        writer.Dispose();
        file.Dispose();
    }
}
