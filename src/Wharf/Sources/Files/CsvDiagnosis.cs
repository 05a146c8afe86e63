using System.Text;

namespace Wharf.Sources.Files;

/// <summary>
/// Finds the first line of a CSV file that breaks the dialect (a quote never closed, a row with
/// the wrong number of fields). Runs only after DuckDB has rejected a file, to say exactly where.
/// </summary>
internal static class CsvDiagnosis
{
    public sealed record Problem(long Line, int Column, string Message);

    public static Problem? Find(string path, char delimiter, char quote, char escape, Encoding? encoding = null, int skip = 0)
    {
        using var reader = new StreamReader(path, encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        long line = 1, rowStartLine = 1, quoteLine = 0;
        int column = 0, quoteColumn = 0, fields = 1, expected = -1;
        bool inQuotes = false, rowHasContent = false;
        var skipped = 0;
        while (skipped < skip && reader.ReadLine() is not null)
        {
            skipped++;
            line++;
            rowStartLine++;
        }

        int c;
        while ((c = reader.Read()) >= 0)
        {
            column++;
            if (inQuotes)
            {
                if (c == escape && escape != quote && (reader.Peek() == quote || reader.Peek() == escape))
                {
                    reader.Read();
                    column++;
                }
                else if (c == quote)
                {
                    if (escape == quote && reader.Peek() == quote)
                    {
                        reader.Read();
                        column++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else if (c == '\n')
                {
                    line++;
                    column = 0;
                }

                continue;
            }

            if (c == quote)
            {
                inQuotes = true;
                quoteLine = line;
                quoteColumn = column;
                rowHasContent = true;
            }
            else if (c == delimiter)
            {
                fields++;
                rowHasContent = true;
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                if (rowHasContent)
                {
                    if (expected < 0)
                    {
                        expected = fields;
                    }
                    else if (fields != expected)
                    {
                        return new Problem(rowStartLine, 1, $"this row has {fields} fields but the first row has {expected}");
                    }
                }

                line++;
                rowStartLine = line;
                column = 0;
                fields = 1;
                rowHasContent = false;
            }
            else
            {
                rowHasContent = true;
            }
        }

        if (inQuotes)
        {
            return new Problem(quoteLine, quoteColumn, $"the quote ({quote}) opened here is never closed");
        }

        return rowHasContent && expected >= 0 && fields != expected
            ? new Problem(rowStartLine, 1, $"this row has {fields} fields but the first row has {expected}")
            : null;
    }
}
