using System.Globalization;
using System.Text;

namespace Wharf.Sources.Files.Excel;

/// <summary>
/// A column's type as its cells show it, widened cell by cell: whole numbers are BIGINT until one
/// has a fraction (DOUBLE); dates are DATE until one has a time of day (TIMESTAMP); anything else
/// mixed is VARCHAR, with every value as its text. Declared <c>columns:</c> types apply afterwards.
/// </summary>
internal sealed record ExcelColumnType(string DuckDbType)
{
    public static readonly ExcelColumnType Empty = new("VARCHAR");
    public static readonly ExcelColumnType Boolean = new("BOOLEAN");
    public static readonly ExcelColumnType Integer = new("BIGINT");
    public static readonly ExcelColumnType Double = new("DOUBLE");
    public static readonly ExcelColumnType Date = new("DATE");
    public static readonly ExcelColumnType Timestamp = new("TIMESTAMP");
    public static readonly ExcelColumnType Time = new("TIME");
    public static readonly ExcelColumnType Text = new("VARCHAR");

    /// <summary>Excel stores numbers as doubles: whole ones up to 2^53 are exact integers.</summary>
    private const double MaxExactInteger = 9_007_199_254_740_992d;

    private static readonly DateTime FirstDay = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public bool IsEmpty => ReferenceEquals(this, Empty);

    /// <summary>Appends a cell's value to a spool line (text quoted, as CSV wants it) and returns its type.</summary>
    public static ExcelColumnType Append(StringBuilder line, object value)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (value)
        {
            case bool b:
                line.Append(b ? "true" : "false");
                return Boolean;
            case double d when double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) <= MaxExactInteger:
                line.Append(invariant, $"{(long)d}");
                return Integer;
            case double d when double.IsFinite(d):
                line.Append(invariant, $"{d:R}");
                return Double;
            case int or long or short or byte:
                line.Append(invariant, $"{Convert.ToInt64(value, invariant)}");
                return Integer;
            case float or decimal:
                line.Append(invariant, $"{value}");
                return Double;
            // A time of day is a serial number below 1, which the reader gives as a DateTime on Excel's
            // day 0 (before 1900-01-01, the first day a 1900-based workbook can hold): a TIME.
            case DateTime t when t < FirstDay:
                line.Append(invariant, $@"{t.TimeOfDay:hh\:mm\:ss\.ffffff}");
                return Time;
            case DateTime t when t.TimeOfDay == TimeSpan.Zero:
                line.Append(invariant, $"{t:yyyy-MM-dd}");
                return Date;
            case DateTime t:
                line.Append(invariant, $"{t:yyyy-MM-dd HH:mm:ss.ffffff}");
                return Timestamp;
            case TimeSpan span when span >= TimeSpan.Zero && span < TimeSpan.FromDays(1):
                line.Append(invariant, $@"{span:hh\:mm\:ss\.ffffff}");
                return Time;
            default:
                Quoted(line, Convert.ToString(value, invariant) ?? "");
                return Text;
        }
    }

    /// <summary>A CSV field, always quoted: an empty string stays apart from an empty cell (NULL).</summary>
    public static void Quoted(StringBuilder line, string text)
    {
        line.Append('"');
        foreach (var c in text)
        {
            line.Append(c == '"' ? "\"\"" : c);
        }

        line.Append('"');
    }

    /// <summary>The narrowest type that holds this column's values and <paramref name="next"/>'s.</summary>
    public ExcelColumnType Widen(ExcelColumnType next)
    {
        if (IsEmpty || ReferenceEquals(this, next))
        {
            return next;
        }

        if (next.IsEmpty)
        {
            return this;
        }

        return (this, next) switch
        {
            _ when ReferenceEquals(this, Integer) && ReferenceEquals(next, Double) => Double,
            _ when ReferenceEquals(this, Double) && ReferenceEquals(next, Integer) => Double,
            _ when ReferenceEquals(this, Date) && ReferenceEquals(next, Timestamp) => Timestamp,
            _ when ReferenceEquals(this, Timestamp) && ReferenceEquals(next, Date) => Timestamp,
            _ => Text,
        };
    }
}
