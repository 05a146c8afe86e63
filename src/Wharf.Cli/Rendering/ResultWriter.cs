using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Wharf.DuckDb;

namespace Wharf.Cli.Rendering;

/// <summary>
/// Writes query results as a table (for people), CSV or JSON (for programs). CSV and JSON stream
/// row by row; the table shows the first <see cref="TableRowLimit"/> rows.
/// </summary>
internal static class ResultWriter
{
    public const int TableRowLimit = 1000;

    public static long Write(DbDataReader reader, OutputFormat format, TextWriter output, IAnsiConsole console) => format switch
    {
        OutputFormat.Csv => WriteCsv(reader, output),
        OutputFormat.Json => WriteJson(reader, output),
        _ => WriteTable(reader, console),
    };

    private static long WriteTable(DbDataReader reader, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var numeric = IsNumeric(reader.GetFieldType(i));
            table.AddColumn(new TableColumn(Markup.Escape(reader.GetName(i))) { Alignment = numeric ? Justify.Right : Justify.Left });
        }

        long rows = 0;
        while (reader.Read())
        {
            if (++rows <= TableRowLimit)
            {
                table.AddRow(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i)
                    ? "[grey]NULL[/]"
                    : Markup.Escape(ValueText.Format(reader.GetValue(i)))).ToArray());
            }
        }

        console.Write(table);
        console.MarkupLine(rows > TableRowLimit
            ? $"[grey]{rows.ToString("N0", CultureInfo.InvariantCulture)} rows; the first {TableRowLimit:N0} are shown (use --format csv or json for all).[/]"
            : $"[grey]{rows.ToString("N0", CultureInfo.InvariantCulture)} row{(rows == 1 ? "" : "s")}[/]");
        return rows;
    }

    private static long WriteCsv(DbDataReader reader, TextWriter output)
    {
        output.WriteLine(string.Join(",", Enumerable.Range(0, reader.FieldCount).Select(i => CsvField(reader.GetName(i)))));
        long rows = 0;
        var fields = new string[reader.FieldCount];
        while (reader.Read())
        {
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.IsDBNull(i) ? "" : CsvField(ValueText.Format(reader.GetValue(i)));
            }

            output.WriteLine(string.Join(",", fields));
            rows++;
        }

        return rows;
    }

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value.Length == 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;

    private static long WriteJson(DbDataReader reader, TextWriter output)
    {
        using var stream = new MemoryStream();
        long rows = 0;
        output.Write('[');
        while (reader.Read())
        {
            stream.SetLength(0);
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    json.WritePropertyName(reader.GetName(i));
                    var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    if (value is string number && reader.GetDataTypeName(i).StartsWith("numeric", StringComparison.Ordinal) && decimal.TryParse(number, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
                    {
                        // PostgreSQL numerics arrive as exact text; they are numbers in JSON.
                        json.WriteRawValue(number);
                    }
                    else
                    {
                        WriteJsonValue(json, value);
                    }
                }

                json.WriteEndObject();
            }

            output.Write(rows++ == 0 ? "\n  " : ",\n  ");
            output.Write(System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
        }

        output.WriteLine(rows == 0 ? "]" : "\n]");
        return rows;
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case sbyte or short or int or long or byte or ushort or uint or ulong:
                json.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case Int128 or UInt128 or System.Numerics.BigInteger or decimal:
                json.WriteRawValue(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case IDictionary<string, object?> map:
                json.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    json.WritePropertyName(key);
                    WriteJsonValue(json, item);
                }

                json.WriteEndObject();
                break;
            case IList list and not byte[]:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJsonValue(json, item);
                }

                json.WriteEndArray();
                break;
            case byte[] or _:
                json.WriteStringValue(ValueText.Format(value));
                break;
        }
    }

    private static bool IsNumeric(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte) || type == typeof(byte) ||
        type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(double) || type == typeof(float) ||
        type == typeof(decimal) || type == typeof(Int128) || type == typeof(UInt128) || type == typeof(System.Numerics.BigInteger);
}
