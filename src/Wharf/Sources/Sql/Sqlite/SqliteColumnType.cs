using System.Text.RegularExpressions;

namespace Wharf.Sources.Sql.Sqlite;

/// <summary>
/// SQLite stores any value in any column; the declared type is only a hint. Wharf maps the
/// declared type by SQLite's own affinity rules (and common spellings of dates, decimals and
/// booleans), and a value that does not fit its column is an error naming table, column and row.
/// </summary>
internal static partial class SqliteColumnType
{
    [GeneratedRegex(@"^\s*(DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(,\s*(\d+)\s*)?\)", RegexOptions.IgnoreCase)]
    private static partial Regex Decimal();

    public static string ToDuckDb(string declared)
    {
        var type = declared.ToUpperInvariant();
        if (Decimal().Match(declared) is { Success: true } m)
        {
            var precision = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            var scale = m.Groups[4].Success ? int.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (precision is > 0 and <= 38 && scale <= precision)
            {
                return $"DECIMAL({precision},{scale})";
            }
        }

        return type switch
        {
            _ when type.Contains("BOOL", StringComparison.Ordinal) => "BOOLEAN",
            _ when type.Contains("INT", StringComparison.Ordinal) => "BIGINT",
            _ when type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("CLOB", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal) => "VARCHAR",
            _ when type.Contains("BLOB", StringComparison.Ordinal) => "BLOB",
            _ when type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal) => "DOUBLE",
            _ when type.Contains("TIMESTAMP", StringComparison.Ordinal) || type.Contains("DATETIME", StringComparison.Ordinal) => "TIMESTAMP",
            _ when type.Contains("DATE", StringComparison.Ordinal) => "DATE",

            // NUMERIC without precision, and no declared type at all: values vary, text keeps them exactly.
            _ => "VARCHAR",
        };
    }
}
