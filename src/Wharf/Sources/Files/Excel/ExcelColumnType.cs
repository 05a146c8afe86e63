using System.Globalization;

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

    public bool IsEmpty => ReferenceEquals(this, Empty);

    /// <summary>A cell's value as the spool's text, and its type.</summary>
    public static (string Text, ExcelColumnType Type) Of(object value) => value switch
    {
        bool b => (b ? "true" : "false", Boolean),
        double d when double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) <= MaxExactInteger => (((long)d).ToString(CultureInfo.InvariantCulture), Integer),
        double d when double.IsFinite(d) => (d.ToString("R", CultureInfo.InvariantCulture), Double),
        int or long or short or byte => (Convert.ToString(value, CultureInfo.InvariantCulture)!, Integer),
        float or decimal => (Convert.ToString(value, CultureInfo.InvariantCulture)!, Double),
        DateTime t when t.TimeOfDay == TimeSpan.Zero => (t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Date),
        DateTime t => (t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture), Timestamp),
        TimeSpan s when s >= TimeSpan.Zero && s < TimeSpan.FromDays(1) => (s.ToString(@"hh\:mm\:ss\.ffffff", CultureInfo.InvariantCulture), Time),
        _ => (Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", Text),
    };

    /// <summary>The narrowest type that holds this column's values and <paramref name="next"/>'s.</summary>
    public ExcelColumnType Widen(ExcelColumnType next)
    {
        if (IsEmpty || ReferenceEquals(this, next))
        {
            return next;
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
