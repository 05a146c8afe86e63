using System.Globalization;

namespace Wharf.Sources.Http;

/// <summary>
/// The saved watermark (or <c>initial:</c>), written as the API expects it in the incremental
/// parameter: <c>iso</c> (<c>2024-01-01T00:00:00Z</c>), <c>date</c>, <c>unix</c>, <c>unix_ms</c>, or a
/// .NET date format. A watermark that is no time (a number, a version) is sent as it is.
/// </summary>
internal static class IncrementalParam
{
    public static string Format(string value, string format)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!TryParseMoment(value, out var moment))
        {
            return value;
        }

        return format switch
        {
            "iso" => moment.UtcDateTime.ToString(moment.Millisecond == 0 && moment.Microsecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            "date" => moment.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "unix" => moment.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            "unix_ms" => moment.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            _ => moment.UtcDateTime.ToString(format, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// DuckDB's watermark text (<c>2024-01-05 10:00:00.000000+00</c>, <c>2024-01-05 10:00:00</c>, a
    /// date) or an ISO 8601 time; times without an offset are UTC.
    /// </summary>
    private static bool TryParseMoment(string value, out DateTimeOffset moment)
    {
        var text = value.Trim();
        if (text.Length > 3 && text[^3] is '+' or '-' && char.IsAsciiDigit(text[^1]) && char.IsAsciiDigit(text[^2]) && text.Contains(':', StringComparison.Ordinal))
        {
            text += ":00";
        }

        var looksLikeTime = text.Length >= 10 && char.IsAsciiDigit(text[0]) && text[4] == '-' && text[7] == '-';
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out moment) && looksLikeTime;
    }
}
