using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>A result value as exact text: decimals with their digits and scale, dates and times in ISO 8601, binary as hex.</summary>
internal static class ExportValues
{
    /// <summary>The value as text; null for NULL.</summary>
    public static string? Text(DbDataReader reader, int ordinal, ExportColumn column)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        return reader.GetValue(ordinal) switch
        {
            string text => text,
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t when column.Kind == ValueKind.Date => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => Timestamp(t, column.Kind == ValueKind.TimestampTz),
            DateTimeOffset o => Timestamp(o.UtcDateTime, utc: true),
            TimeOnly t => Fraction(t.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            TimeSpan t => Fraction(t.ToString(@"hh\:mm\:ss\.ffffff", CultureInfo.InvariantCulture)),
            byte[] bytes => "\\x" + Convert.ToHexStringLower(bytes),
            Stream blob => "\\x" + Convert.ToHexStringLower(ReadAll(blob)),
            IFormattable formattable and not System.Collections.IEnumerable => formattable.ToString(null, CultureInfo.InvariantCulture),
            // Lists and structs (DuckDB): as JSON.
            var other => JsonSerializer.Serialize(other),
        };
    }

    /// <summary>
    /// <c>2024-01-01 10:00:00</c>, with the fraction when there is one, and an instant in UTC with
    /// <c>+00</c>, as DuckDB's own export writes it: a file reads the same from either warehouse.
    /// </summary>
    public static string Timestamp(DateTime value, bool utc) =>
        Fraction(value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)) + (utc ? "+00" : "");

    private static string Fraction(string text) => text.TrimEnd('0').TrimEnd('.');

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
