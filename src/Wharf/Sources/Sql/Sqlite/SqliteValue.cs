using System.Globalization;
using System.Text;

namespace Wharf.Sources.Sql.Sqlite;

/// <summary>
/// SQLite hands out a column's values as whatever each row stored (integer, real, text or blob),
/// whatever the column's declared type. This turns one into a value of the column's staged DuckDB
/// type (<see cref="SqliteColumnType.ToDuckDb"/>), or fails: never a silent rounding or a guess.
/// Decimals are staged as their exact text (<see cref="ExactDecimal"/>).
/// </summary>
internal static class SqliteValue
{
    /// <summary>How a column of the staged <paramref name="type"/> is staged, and the SQL that makes the lake column from it.</summary>
    public static LakeParts.Column Stage(string name, string type) =>
        ExactDecimal.Of(type) is null ? new(name, type, Quote.Identifier(name)) : new(name, "VARCHAR", ExactDecimal.LakeExpression(name, type));

    /// <summary>A stored value as a value of the column's staged <paramref name="type"/>.</summary>
    /// <exception cref="FormatException">Text that is not a value of the type.</exception>
    /// <exception cref="InvalidCastException">A value that would lose something (a fraction, decimal places).</exception>
    /// <exception cref="OverflowException">A value too large for the type.</exception>
    public static object To(string type, object value) => type switch
    {
        "BIGINT" => value switch
        {
            long v => v,
            double v when v == Math.Truncate(v) => checked((long)v),
            double v => throw new InvalidCastException($"{Text(v)} is not a whole number."),
            string v => long.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture),
            _ => throw Unexpected(value, type),
        },
        "DOUBLE" => value switch
        {
            double v => v,
            long v => (double)v,
            string v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => throw Unexpected(value, type),
        },
        "BOOLEAN" => value switch
        {
            long v => v != 0,
            double v => v != 0,
            string v when v is "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            string v when v is "0" || v.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw new FormatException($"'{value}' is not a boolean (true/false, 1/0)."),
        },
        "DATE" => value is string text ? DateOnly.Parse(text, CultureInfo.InvariantCulture) : throw Unexpected(value, type),
        "TIMESTAMP" => value is string stamp
            ? DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime
            : throw Unexpected(value, type),
        "BLOB" => value switch
        {
            byte[] v => v,
            string v => Encoding.UTF8.GetBytes(v),
            _ => throw Unexpected(value, type),
        },
        _ when ExactDecimal.Of(type) is { } d => ExactDecimal.Check(value, d.Precision, d.Scale),
        _ => value switch
        {
            string v => v,
            byte[] v => Encoding.UTF8.GetString(v),
            double v => Text(v),
            IFormattable v => v.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        },
    };

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static FormatException Unexpected(object value, string type) =>
        new($"a {value.GetType().Name} value ({value}) is not a {type}.");
}
