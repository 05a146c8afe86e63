namespace Wharf.Sources.Http;

/// <summary>
/// The forms of JSON strings that DuckDB's JSON reader can type as something other than VARCHAR:
/// a column whose strings all have one form becomes a DATE, TIME, TIMESTAMP or UUID. Timestamps
/// are told apart by their separator, fraction digits and <c>Z</c>, because the reader types a column
/// mixing two of them (<c>…T10:00:00</c> and <c>…T10:00:00.5</c>) as VARCHAR. A string that could be
/// read otherwise (an impossible date, a time offset, an hour 24) is <see cref="TextForms.Other"/>:
/// only forms that read the same whether detected or given are told apart.
/// </summary>
[Flags]
internal enum TextForms : uint
{
    None = 0,
    Date = 1,
    Time = 2,
    Uuid = 4,
    Other = 8,

    /// <summary>The first timestamp form; the others follow it, see <see cref="TextForm.Timestamp"/>.</summary>
    FirstTimestamp = 16,
}

internal static class TextForm
{
    private const int FractionLengths = 7;

    /// <summary>Every timestamp form: a space separator, a T, a T with Z; each with 0 to 6 fraction digits.</summary>
    private const TextForms Timestamps = (TextForms)(((1u << (3 * FractionLengths)) - 1) << 4);

    /// <summary>The form of one string.</summary>
    /// <param name="text">The string's UTF-8 bytes, without quotes (an escaped character never matches a form).</param>
    public static TextForms Of(ReadOnlySpan<byte> text)
    {
        if (text.Length == 10 && text[4] == '-')
        {
            return IsDate(text) ? TextForms.Date : TextForms.Other;
        }

        if (text.Length == 36 && text[8] == '-')
        {
            return IsUuid(text) ? TextForms.Uuid : TextForms.Other;
        }

        if (text.Length >= 8 && text[2] == ':')
        {
            return FractionOfTime(text) >= 0 ? TextForms.Time : TextForms.Other;
        }

        if (text.Length < 19 || !IsDate(text[..10]) || text[10] is not ((byte)'T' or (byte)' '))
        {
            return TextForms.Other;
        }

        var t = text[10] == 'T';
        var time = text[11..];
        var z = t && time[^1] == 'Z';
        var fraction = FractionOfTime(z ? time[..^1] : time);
        return fraction < 0 ? TextForms.Other : Timestamp(t, z, fraction);
    }

    /// <summary>The form of timestamps with a T (else a space) separator, a Z (only after a T) and <paramref name="fractionDigits"/> digits after the seconds.</summary>
    public static TextForms Timestamp(bool t, bool z, int fractionDigits) =>
        (TextForms)((uint)TextForms.FirstTimestamp << (((t ? 1 : 0) + (z ? 1 : 0)) * FractionLengths + fractionDigits));

    /// <summary>Whether <paramref name="forms"/> is exactly one form.</summary>
    public static bool IsOne(TextForms forms) => forms != TextForms.None && (forms & (forms - 1)) == TextForms.None;

    public static bool IsTimestamp(TextForms form) => (form & ~Timestamps) == TextForms.None && form != TextForms.None;

    /// <summary>Whether every string of these forms is a plain ISO date, time or timestamp, which a given DATE, TIME or TIMESTAMP reads as the reader's detection does.</summary>
    public static bool AllIsoTemporal(TextForms forms) => (forms & (TextForms.Uuid | TextForms.Other)) == TextForms.None;

    /// <summary><c>dddd-dd-dd</c>, a day of the calendar.</summary>
    private static bool IsDate(ReadOnlySpan<byte> text) =>
        text.Length == 10 && Number(text[..4]) is var year and >= 1 && text[4] == '-' && Number(text[5..7]) is var month and >= 1 and <= 12
        && text[7] == '-' && Number(text[8..]) is var day and >= 1 && day <= DateTime.DaysInMonth(year, month);

    /// <summary>The number of fraction digits of <c>hh:mm:ss[.f{1,6}]</c> (an hour of the day), or -1 when the text is not such a time.</summary>
    private static int FractionOfTime(ReadOnlySpan<byte> text)
    {
        if (text.Length < 8 || Number(text[..2]) is < 0 or > 23 || text[2] != ':' || Number(text[3..5]) is < 0 or > 59 || text[5] != ':' || Number(text[6..8]) is < 0 or > 59)
        {
            return -1;
        }

        var fraction = text[8..];
        return fraction.IsEmpty ? 0 : fraction[0] == '.' && fraction.Length is >= 2 and <= 7 && Number(fraction[1..]) >= 0 ? fraction.Length - 1 : -1;
    }

    /// <summary><c>xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c> in hexadecimal digits of either case.</summary>
    private static bool IsUuid(ReadOnlySpan<byte> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var hyphen = i is 8 or 13 or 18 or 23;
            if (hyphen ? text[i] != '-' : !char.IsAsciiHexDigit((char)text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value of a run of decimal digits, or -1 when some byte is not one.</summary>
    private static int Number(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var c in digits)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }

            value = value * 10 + c - '0';
        }

        return value;
    }
}
