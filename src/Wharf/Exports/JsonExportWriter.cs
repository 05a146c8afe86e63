using System.Data.Common;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>
/// JSON objects by column name, as one array or one object per line (NDJSON). Integers and
/// decimals are written as the exact numbers they are (never through a double); NULL is null.
/// </summary>
internal sealed class JsonExportWriter : IExportWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private readonly Stream output;
    private readonly IReadOnlyList<(int Ordinal, ExportColumn Column)> columns;
    private readonly bool lines;
    private readonly Utf8JsonWriter writer;

    public JsonExportWriter(Stream output, IReadOnlyList<(int Ordinal, ExportColumn Column)> columns, bool lines)
    {
        this.output = output;
        this.columns = columns;
        this.lines = lines;
        writer = new Utf8JsonWriter(output, Options);
        if (!lines)
        {
            writer.WriteStartArray();
        }
    }

    public async Task WriteRowAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        writer.WriteStartObject();
        foreach (var (ordinal, column) in columns)
        {
            writer.WritePropertyName(column.Name);
            if (reader.IsDBNull(ordinal))
            {
                writer.WriteNullValue();
                continue;
            }

            switch (column.Kind)
            {
                case ValueKind.Integer or ValueKind.Decimal:
                    writer.WriteRawValue(ExportValues.Text(reader, ordinal, column)!, skipInputValidation: true);
                    break;
                // NaN and the infinities are no JSON numbers: the default writes them as the strings "NaN", "Infinity", "-Infinity".
                // A float (PostgreSQL's real) as its own shortest digits, not a double's (1.1 is not 1.100000023841858).
                case ValueKind.Float when reader.GetValue(ordinal) switch { double d => double.IsFinite(d), float f => float.IsFinite(f), _ => false }:
                    writer.WriteRawValue(ExportValues.Text(reader, ordinal, column)!, skipInputValidation: true);
                    break;
                case ValueKind.Boolean:
                    writer.WriteBooleanValue(reader.GetBoolean(ordinal));
                    break;
                default:
                    writer.WriteStringValue(Iso(ExportValues.Text(reader, ordinal, column)!, column.Kind));
                    break;
            }
        }

        writer.WriteEndObject();
        if (lines)
        {
            await writer.FlushAsync(cancellationToken);
            output.WriteByte((byte)'\n');
            writer.Reset();
        }
        else if (writer.BytesPending > 1 << 16)
        {
            await writer.FlushAsync(cancellationToken);
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (!lines)
        {
            writer.WriteEndArray();
        }

        await writer.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await writer.DisposeAsync();

    /// <summary>JSON's timestamps are ISO 8601 with a <c>T</c>.</summary>
    private static string Iso(string text, ValueKind kind) =>
        kind is ValueKind.Timestamp or ValueKind.TimestampTz && text.Length > 10 && text[10] == ' '
            ? string.Create(CultureInfo.InvariantCulture, $"{text[..10]}T{text[11..]}")
            : text;
}
