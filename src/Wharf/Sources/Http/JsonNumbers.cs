using System.Globalization;

namespace Wharf.Sources.Http;

/// <summary>
/// Which JSON numbers DuckDB's JSON reader keeps exactly. It reads integers as BIGINT (or HUGEINT up
/// to 2^64) and every other number as a DOUBLE: a number is kept exactly when it is such an integer,
/// or when the double nearest to it has the same value (<c>0.1</c>, <c>12.50</c>, <c>1e5</c>). Others
/// (<c>12345678901234567890123</c>, <c>0.1000000000000000055511</c>) would be rounded, so their
/// field is kept as the text the API sent.
/// </summary>
internal static class JsonNumbers
{
    /// <summary>
    /// <see cref="IsExact(string)"/> on the number's UTF-8 text, without allocating for the numbers most
    /// APIs send: an integer of up to 18 digits is a BIGINT, and a decimal of up to 15 digits without an
    /// exponent is the shortest text of the double nearest to it (15 digits always round-trip).
    /// </summary>
    public static bool IsExact(ReadOnlySpan<byte> text)
    {
        var digits = 0;
        var plain = true;
        foreach (var c in text)
        {
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
            }
            else if (c is not ((byte)'-' or (byte)'.'))
            {
                plain = false;
                break;
            }
        }

        return plain && digits <= (text.Contains((byte)'.') ? 15 : 18) || IsExact(System.Text.Encoding.UTF8.GetString(text));
    }

    /// <summary>Whether the number (its UTF-8 text) is an integer that fits a BIGINT, which DuckDB's JSON reader types a column of such numbers as.</summary>
    public static bool IsBigint(ReadOnlySpan<byte> text)
    {
        if (text.IndexOfAny(".eE"u8) >= 0)
        {
            return false;
        }

        return text.Length <= 18 || long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
    }

    public static bool IsExact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('.', StringComparison.Ordinal) && !text.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                || ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return false;
        }

        return Normalize(text) == Normalize(value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>A number's value as (digits without leading or trailing zeros, power of ten), so two spellings of one value compare equal.</summary>
    private static (bool Negative, string Digits, int Exponent) Normalize(string text)
    {
        var negative = text.StartsWith('-');
        var body = text.TrimStart('-', '+');
        var exponent = 0;
        var e = body.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var point = body.IndexOf('.', StringComparison.Ordinal);
        if (point >= 0)
        {
            exponent -= body.Length - point - 1;
            body = body.Remove(point, 1);
        }

        var digits = body.TrimStart('0');
        var trimmed = digits.TrimEnd('0');
        exponent += digits.Length - trimmed.Length;
        return trimmed.Length == 0 ? (false, "0", 0) : (negative, trimmed, exponent);
    }
}
