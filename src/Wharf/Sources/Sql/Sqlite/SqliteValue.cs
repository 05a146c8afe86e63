using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.Sources.Sql.Sqlite;

/// <summary>
/// SQLite hands out a column's values as whatever each row stored (integer, real, text or blob),
/// whatever the column's declared type. This turns one into a value of the column's staged DuckDB
/// type (<see cref="SqliteColumnType.ToDuckDb"/>), or fails: never a silent rounding or a guess.
/// Decimals are staged as their exact text (checked here against the declared precision and
/// scale) and cast in DuckDB, because .NET's decimal holds only 28 digits.
/// </summary>
internal static partial class SqliteValue
{
    [GeneratedRegex(@"^DECIMAL\((\d+),(\d+)\)$")]
    private static partial Regex DecimalType();

    /// <summary>The DuckDB type a column is staged as, and the SQL that makes the lake column from it.</summary>
    public static (string StageType, string LakeExpression) Stage(string name, string type) =>
        DecimalType().IsMatch(type)
            ? ("VARCHAR", $"CAST({Quote.Identifier(name)} AS {type}) AS {Quote.Identifier(name)}")
            : (type, Quote.Identifier(name));

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
        _ when DecimalType().Match(type) is { Success: true } m => CheckedDecimal(value, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)),
        _ => value switch
        {
            string v => v,
            byte[] v => Encoding.UTF8.GetString(v),
            double v => Text(v),
            IFormattable v => v.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        },
    };

    /// <summary>The value's exact text, when it has at most <paramref name="scale"/> decimal places and fits <paramref name="precision"/> digits.</summary>
    private static string CheckedDecimal(object value, int precision, int scale)
    {
        var text = value switch
        {
            string v => v.Trim(),
            double v => Text(v),
            IFormattable v => v.ToString(null, CultureInfo.InvariantCulture),
            _ => throw Unexpected(value, $"DECIMAL({precision},{scale})"),
        };
        var body = text.TrimStart('-', '+');
        var point = body.IndexOf('.', StringComparison.Ordinal);
        var whole = (point < 0 ? body : body[..point]).TrimStart('0');
        var places = point < 0 ? "" : body[(point + 1)..].TrimEnd('0');
        if (body.Length == 0 || !(point < 0 ? body : body.Remove(point, 1)).All(char.IsAsciiDigit))
        {
            throw new FormatException($"'{text}' is not a decimal number.");
        }

        if (places.Length > scale)
        {
            throw new InvalidCastException($"{text} has more than {scale} decimal places.");
        }

        return whole.Length > precision - scale ? throw new OverflowException($"{text} does not fit in DECIMAL({precision},{scale}).") : text;
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static FormatException Unexpected(object value, string type) =>
        new($"a {value.GetType().Name} value ({value}) is not a {type}.");
}
