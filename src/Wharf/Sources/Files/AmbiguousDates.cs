using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Projects;

namespace Wharf.Sources.Files;

/// <summary>
/// CSV dates written day and month first (<c>01/02/2024</c>) are read by DuckDB's sniffer in the
/// order a file's sample allows, guessing day first when every value fits both; each file of a glob
/// and each run guesses alone, so <c>01/02/2024</c> could be 1 February in one file and 2 January
/// in the next. A file whose dates are all such is refused instead (unless <c>date_format</c> or
/// <c>timestamp_format</c> says the order): a value with a number above 12 in either place proves
/// the order, and is usually among the first rows; only a file without one is read to its end.
/// </summary>
internal static partial class AmbiguousDates
{
    /// <summary>Day and month (either order), then the year: the forms whose order a value may leave open.</summary>
    [GeneratedRegex(@"^\s*(?<a>\d{1,2})(?<sep>[/.\-])(?<b>\d{1,2})\k<sep>(?<year>\d{2}|\d{4})(?<time>[ T].*)?$")]
    private static partial Regex DayAndMonthFirst();

    public sealed record Problem(string File, string Column, string Example, string Setting, string DayFirst, string MonthFirst);

    /// <summary>The first file and column whose dates never say their order; null when every one does.</summary>
    /// <param name="columns">The columns as the sniffer typed them (name, DuckDB type).</param>
    public static Problem? Find(DuckDBConnection workArea, FileFormat format, IReadOnlyList<string> files, CsvOptions csv, IReadOnlyList<(string Name, string Type)> columns)
    {
        var dated = columns
            .Where(c => c.Type == "DATE" ? csv.DateFormat is null : c.Type is "TIMESTAMP" or "TIMESTAMP WITH TIME ZONE" && csv.TimestampFormat is null)
            .ToList();
        if (dated.Count == 0)
        {
            return null;
        }

        return files.Select(file => FindIn(workArea, format, file, csv, dated)).FirstOrDefault(problem => problem is not null);
    }

    private static Problem? FindIn(DuckDBConnection workArea, FileFormat format, string file, CsvOptions csv, List<(string Name, string Type)> dated)
    {
        var names = dated.Select(c => c.Name).ToList();
        try
        {
            var relation = FileReaderSql.Build(format, [file], csv, names);
            using var reader = workArea.Query($"SELECT {string.Join(", ", names.Select(Quote.Identifier))} FROM {relation}");
            var open = new string?[names.Count]; // a column's first value that leaves the order open, until one settles it
            var settled = new bool[names.Count];
            var left = names.Count;
            while (left > 0 && reader.Read())
            {
                for (var i = 0; i < names.Count; i++)
                {
                    if (settled[i] || reader.IsDBNull(i))
                    {
                        continue;
                    }

                    var text = reader.GetString(i);
                    var match = DayAndMonthFirst().Match(text);
                    var (a, b) = match.Success ? (int.Parse(match.Groups["a"].ValueSpan, provider: null), int.Parse(match.Groups["b"].ValueSpan, provider: null)) : (0, 0);
                    if (!match.Success || a > 12 || b > 12)
                    {
                        // Another form (ISO, month names), or a value only one order can read.
                        settled[i] = true;
                        open[i] = null;
                        left--;
                    }
                    else if (a != b)
                    {
                        // 05/05 reads the same either way; 01/02 does not.
                        open[i] ??= text;
                    }
                }
            }

            for (var i = 0; i < names.Count; i++)
            {
                if (open[i] is { } example)
                {
                    return Explain(file, names[i], dated[i].Type == "DATE", example);
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is DuckDBException or DuckDbException)
        {
            // A file DuckDB cannot read this way (broken, or without one of the columns): the
            // extract's own read reports a broken file, naming the line.
            return null;
        }
    }

    private static Problem Explain(string file, string column, bool date, string example)
    {
        var match = DayAndMonthFirst().Match(example);
        var separator = match.Groups["sep"].Value;
        var year = match.Groups["year"].Length == 4 ? "%Y" : "%y";
        var time = match.Groups["time"].Value.Trim() switch
        {
            "" => "",
            var t when t.Count(c => c == ':') >= 2 => " %H:%M:%S",
            _ => " %H:%M",
        };
        return new Problem(file, column, example, date ? "date_format" : "timestamp_format",
            $"%d{separator}%m{separator}{year}{time}", $"%m{separator}%d{separator}{year}{time}");
    }
}
