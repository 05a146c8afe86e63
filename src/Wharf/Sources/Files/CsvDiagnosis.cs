using System.Text;

namespace Wharf.Sources.Files;

/// <summary>
/// Finds the first line of a CSV file that breaks the dialect (a quote never closed, a row with
/// the wrong number of fields). Runs only after DuckDB has rejected a file, to say exactly where.
/// </summary>
internal static class CsvDiagnosis
{
    public static FileProblem? Find(string path, char delimiter, char quote, char escape, Encoding? encoding = null, int skip = 0)
    {
        using var reader = new StreamReader(path, encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return new Scanner(reader, delimiter, quote, escape).Find(skip);
    }

    /// <summary>One pass over the text, a character at a time, counting lines, columns and each row's fields.</summary>
    private sealed class Scanner(StreamReader reader, char delimiter, char quote, char escape)
    {
        private long line = 1, rowStartLine = 1, quoteLine;
        private int column, quoteColumn, fields = 1, expected = -1;
        private bool inQuotes, rowHasContent;

        public FileProblem? Find(int skip)
        {
            for (var skipped = 0; skipped < skip && reader.ReadLine() is not null; skipped++)
            {
                line++;
                rowStartLine++;
            }

            int c;
            while ((c = reader.Read()) >= 0)
            {
                column++;
                if (inQuotes)
                {
                    Quoted(c);
                }
                else if (Unquoted(c) is { } problem)
                {
                    return problem;
                }
            }

            if (inQuotes)
            {
                return new FileProblem(quoteLine, quoteColumn, $"the quote ({quote}) opened here is never closed");
            }

            return rowHasContent && expected >= 0 && fields != expected ? WrongFieldCount() : null;
        }

        private void Quoted(int c)
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
        }

        private FileProblem? Unquoted(int c)
        {
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
                return EndOfRow(c);
            }
            else
            {
                rowHasContent = true;
            }

            return null;
        }

        private FileProblem? EndOfRow(int c)
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
                    return WrongFieldCount();
                }
            }

            line++;
            rowStartLine = line;
            column = 0;
            fields = 1;
            rowHasContent = false;
            return null;
        }

        private FileProblem WrongFieldCount() => new(rowStartLine, 1, $"this row has {fields} fields but the first row has {expected}");
    }
}
