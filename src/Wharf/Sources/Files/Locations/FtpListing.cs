using System.Globalization;
using System.Text.RegularExpressions;

namespace Wharf.Sources.Files.Locations;

/// <summary>One member of an FTP folder listing; <see cref="Modified"/> to the second from MLSD, to the minute from LIST (null when not given).</summary>
internal sealed record FtpItem(string Name, bool IsFolder, long Size, DateTimeOffset? Modified);

/// <summary>
/// Reads FTP folder listings: MLSD's machine-readable facts (RFC 3659), and, for servers without
/// it (vsftpd, older IIS), LIST's Unix <c>ls -l</c> and DOS formats, whose times are only to the minute.
/// </summary>
internal static partial class FtpListing
{
    /// <summary>An MLSD line (<c>type=file;size=12;modify=20261205112600; a.csv</c>); null for the folder itself, its parent, links and what cannot be read.</summary>
    public static FtpItem? ParseMlsd(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return null;
        }

        var facts = line[..space].Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0].ToLowerInvariant(), f => f[1], StringComparer.Ordinal);
        var name = line[(space + 1)..];
        var type = facts.GetValueOrDefault("type")?.ToLowerInvariant();
        if (type is not ("file" or "dir") || name.Length == 0)
        {
            return null; // cdir, pdir, OS.unix=symlink, …
        }

        var size = long.TryParse(facts.GetValueOrDefault("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;
        return new FtpItem(name, type == "dir", size, facts.GetValueOrDefault("modify") is { } modify ? ParseTime(modify) : null);
    }

    /// <summary>A time as MLSD and MDTM give it (<c>YYYYMMDDHHMMSS[.sss]</c>, UTC); null when it is not one.</summary>
    public static DateTimeOffset? ParseTime(string text) =>
        DateTime.TryParseExact(text.Trim(), ["yyyyMMddHHmmss", "yyyyMMddHHmmss.f", "yyyyMMddHHmmss.ff", "yyyyMMddHHmmss.fff"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? new DateTimeOffset(time, TimeSpan.Zero)
            : null;

    /// <summary>
    /// A LIST line in the Unix format (<c>-rw-r--r-- 1 owner group 12 Dec 05 11:20 a.csv</c>) or the
    /// DOS one (<c>12-05-26  11:20AM  12 a.csv</c>); null for totals, links and what cannot be read.
    /// Times are to the minute, taken as UTC; a Unix time without a year is in the twelve months before <paramref name="now"/>.
    /// </summary>
    public static FtpItem? ParseList(string line, DateTimeOffset now)
    {
        if (UnixLine().Match(line) is { Success: true } unix)
        {
            var kind = unix.Groups["kind"].Value;
            if (kind is not ("-" or "d"))
            {
                return null; // links, devices
            }

            var name = unix.Groups["name"].Value;
            if (name is "." or "..")
            {
                return null;
            }

            return new FtpItem(name, kind == "d", long.Parse(unix.Groups["size"].Value, CultureInfo.InvariantCulture),
                UnixTime(unix.Groups["month"].Value, unix.Groups["day"].Value, unix.Groups["when"].Value, now));
        }

        if (DosLine().Match(line) is { Success: true } dos)
        {
            var isFolder = dos.Groups["size"].Value.Equals("<DIR>", StringComparison.OrdinalIgnoreCase);
            DateTimeOffset? modified = DateTime.TryParseExact($"{dos.Groups["date"].Value} {dos.Groups["time"].Value}",
                ["MM-dd-yy hh:mmtt", "MM-dd-yyyy hh:mmtt", "MM-dd-yy HH:mm", "MM-dd-yyyy HH:mm"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? new DateTimeOffset(time, TimeSpan.Zero) : null;
            return new FtpItem(dos.Groups["name"].Value, isFolder, isFolder ? 0 : long.Parse(dos.Groups["size"].Value, CultureInfo.InvariantCulture), modified);
        }

        return null;
    }

    private static DateTimeOffset? UnixTime(string month, string day, string when, DateTimeOffset now)
    {
        var withYear = when.Contains(':', StringComparison.Ordinal) ? $"{month} {day} {now.Year} {when}" : $"{month} {day} {when} 00:00";
        if (!DateTime.TryParseExact(withYear, ["MMM d yyyy H:mm", "MMM dd yyyy H:mm", "MMM d yyyy HH:mm", "MMM dd yyyy HH:mm"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
        {
            return null;
        }

        var result = new DateTimeOffset(time, TimeSpan.Zero);
        return when.Contains(':', StringComparison.Ordinal) && result > now.AddDays(1) ? result.AddYears(-1) : result;
    }

    [GeneratedRegex(@"^(?<kind>[-dlbcps])[rwxsStTl-]{9}[.+@]?\s+\d+\s+\S+\s+(?:\S+\s+)?(?<size>\d+)\s+(?<month>[A-Za-z]{3})\s+(?<day>\d{1,2})\s+(?<when>\d{1,2}:\d{2}|\d{4})\s(?<name>.+)$")]
    private static partial Regex UnixLine();

    [GeneratedRegex(@"^(?<date>\d{2}-\d{2}-\d{2,4})\s+(?<time>\d{1,2}:\d{2}(?:[AaPp][Mm])?)\s+(?<size><DIR>|\d+)\s+(?<name>.+)$")]
    private static partial Regex DosLine();
}
