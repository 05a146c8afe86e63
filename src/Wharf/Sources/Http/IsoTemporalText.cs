namespace Wharf.Sources.Http;

/// <summary>
/// Strings that DuckDB reads as the same date, time or timestamp whether its JSON reader detected
/// their format or was told the column's type: <c>2024-01-02</c>, <c>10:00:00</c>,
/// <c>2024-01-02T10:00:00.5Z</c>, <c>2024-01-02 10:00:00</c> (up to 6 fractional digits). Others
/// that the reader also detects are read differently when it is told the type: <c>24-01-02</c>
/// (the year 2024 when detected, 0024 when told) and <c>…T10:00:00+02:00</c> (shifted to UTC when
/// detected, the offset dropped when told).
/// </summary>
internal static class IsoTemporalText
{
    /// <param name="text">The string's UTF-8 bytes, without quotes (an escaped character never matches).</param>
    public static bool Matches(ReadOnlySpan<byte> text)
    {
        if (text.Length == 10 && text[4] == '-')
        {
            return IsDate(text);
        }

        if (text.Length >= 8 && text[2] == ':')
        {
            return IsTime(text);
        }

        if (text.Length < 19 || !IsDate(text[..10]) || text[10] is not ((byte)'T' or (byte)' '))
        {
            return false;
        }

        var time = text[11..];
        if (text[10] == 'T' && time[^1] == 'Z')
        {
            time = time[..^1];
        }

        return IsTime(time);
    }

    /// <summary><c>dddd-dd-dd</c>.</summary>
    private static bool IsDate(ReadOnlySpan<byte> text) =>
        text.Length == 10 && Digits(text[..4]) && text[4] == '-' && Digits(text[5..7]) && text[7] == '-' && Digits(text[8..]);

    /// <summary><c>dd:dd:dd</c> with up to 6 fractional digits.</summary>
    private static bool IsTime(ReadOnlySpan<byte> text)
    {
        if (text.Length < 8 || !Digits(text[..2]) || text[2] != ':' || !Digits(text[3..5]) || text[5] != ':' || !Digits(text[6..8]))
        {
            return false;
        }

        var fraction = text[8..];
        return fraction.IsEmpty || fraction[0] == '.' && fraction.Length is >= 2 and <= 7 && Digits(fraction[1..]);
    }

    private static bool Digits(ReadOnlySpan<byte> text)
    {
        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }
}
