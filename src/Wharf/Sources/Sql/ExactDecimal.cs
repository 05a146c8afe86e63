using System.Globalization;

namespace Wharf.Sources.Sql;

/// <summary>
/// Decimals from a database travel as their exact text: .NET's decimal holds only 28 digits, and
/// DuckDB.NET's appender rounds extra decimal places away. The text is checked here against the
/// column's precision and scale (an error, never a rounding), staged as VARCHAR and cast to
/// DECIMAL in DuckDB, which is then exact.
/// </summary>
internal static class ExactDecimal
{
    /// <summary>The precision and scale of a <c>DECIMAL(p,s)</c> type; null for any other type.</summary>
    public static (int Precision, int Scale)? Of(string type) =>
        Schema.LogicalType.FromDuckDb(type) is { Kind: Schema.LogicalKind.Decimal } d ? (d.Precision, d.Scale) : null;

    /// <summary>DuckDB SQL: the staged text of column <paramref name="name"/> as <paramref name="type"/>, under its own name.</summary>
    public static string LakeExpression(string name, string type) => $"CAST({Quote.Identifier(name)} AS {type}) AS {Quote.Identifier(name)}";

    /// <summary>The value's exact text, when it has at most <paramref name="scale"/> decimal places and fits <paramref name="precision"/> digits.</summary>
    /// <exception cref="FormatException">Not a decimal number.</exception>
    /// <exception cref="InvalidCastException">More decimal places than the scale.</exception>
    /// <exception cref="OverflowException">More digits before the point than the precision allows.</exception>
    public static string Check(object value, int precision, int scale)
    {
        var text = value switch
        {
            string v => v.Trim(),
            double v => v.ToString("R", CultureInfo.InvariantCulture),
            IFormattable v => v.ToString(null, CultureInfo.InvariantCulture),
            _ => throw new FormatException($"a {value.GetType().Name} value ({value}) is not a DECIMAL({precision},{scale})."),
        };

        CheckText(text, precision, scale);
        return text;
    }

    /// <summary>The same check for a value's text as UTF-8 bytes (a database's numeric sent as text).</summary>
    public static void Check(ReadOnlySpan<byte> utf8, int precision, int scale)
    {
        Span<char> text = utf8.Length <= 128 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        CheckText(text[..System.Text.Encoding.UTF8.GetChars(utf8, text)], precision, scale);
    }

    private static void CheckText(ReadOnlySpan<char> text, int precision, int scale)
    {
        // Spans, not substrings: this runs for every value of a decimal column.
        var body = text[(text.StartsWith('-') || text.StartsWith('+') ? 1 : 0)..];
        var point = body.IndexOf('.');
        var whole = point < 0 ? body : body[..point];
        var places = point < 0 ? [] : body[(point + 1)..];
        if (whole.Length + places.Length == 0 || whole.ContainsAnyExceptInRange('0', '9') || places.ContainsAnyExceptInRange('0', '9'))
        {
            var special = text.Contains("NaN", StringComparison.OrdinalIgnoreCase) || text.Contains("inf", StringComparison.OrdinalIgnoreCase);
            throw new FormatException($"'{text}' is not a decimal number{(special ? " (NaN and infinity have no DECIMAL form)" : "")}.");
        }

        whole = whole.TrimStart('0');
        if (places.TrimEnd('0').Length > scale)
        {
            throw new InvalidCastException($"{text} has more than {scale} decimal places.");
        }

        if (whole.Length > precision - scale)
        {
            throw new OverflowException($"{text} does not fit in DECIMAL({precision},{scale}).");
        }
    }
}
