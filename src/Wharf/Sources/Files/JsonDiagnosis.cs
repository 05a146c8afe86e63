using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Wharf.Sources.Files;

/// <summary>
/// Finds the first place a JSON file stops being JSON. Runs only after DuckDB has rejected a file:
/// DuckDB counts records, not lines, and its count is one past the broken record, so the line and
/// column a user can go to come from here. Newline-delimited files are read a line at a time (each
/// line must be one whole value); others as values one after another (an array, or objects).
/// Trailing commas pass, as they do in DuckDB's reader.
/// </summary>
internal static class JsonDiagnosis
{
    public static FileProblem? Find(string path, bool newlineDelimited)
    {
        using var file = File.OpenRead(path);
        using var stream = Decompressed(file, path);
        if (stream is null)
        {
            return null;
        }

        return newlineDelimited ? FindInLines(stream) : FindInValues(stream, path);
    }

    private static Stream? Decompressed(Stream file, string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".gz" => new GZipStream(file, CompressionMode.Decompress, leaveOpen: true),
        ".zst" => null,
        _ => new BufferedStream(file, 1 << 16),
    };

    private static FileProblem? FindInLines(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                // One value per line: anything after it is an error, as for DuckDB.
                var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(line), new JsonReaderOptions { AllowTrailingCommas = true });
                while (json.Read())
                {
                }
            }
            catch (JsonException error)
            {
                return new(number, Column(line, (int)(error.BytePositionInLine ?? 0)), Describe(error, endOfLine: true));
            }
        }

        return null;
    }

    /// <summary>The whole file as JSON values one after another, a buffer at a time, so a large file is never held in memory.</summary>
    private static FileProblem? FindInValues(Stream stream, string path)
    {
        var buffer = new byte[1 << 16];
        var state = new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true, AllowTrailingCommas = true });
        var kept = 0;
        var first = true;
        while (true)
        {
            var read = stream.Read(buffer, kept, buffer.Length - kept);
            var final = read == 0;
            var length = kept + read;
            var span = buffer.AsSpan(0, length);
            if (first && span.StartsWith(Encoding.UTF8.Preamble))
            {
                span = span[Encoding.UTF8.Preamble.Length..];
            }

            first = false;
            var json = new Utf8JsonReader(span, final, state);
            try
            {
                while (json.Read())
                {
                }
            }
            catch (JsonException error)
            {
                var line = (error.LineNumber ?? 0) + 1;
                return new(line, Column(path, line, error.BytePositionInLine ?? 0), Describe(error, endOfLine: false));
            }

            if (final)
            {
                return null;
            }

            state = json.CurrentState;
            var consumed = (int)json.BytesConsumed + (length - span.Length);
            kept = length - consumed;
            if (kept == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            Buffer.BlockCopy(buffer, consumed, buffer, 0, kept);
        }
    }

    /// <summary>System.Text.Json's reason, without the position it appends (the problem carries it).</summary>
    private static string Describe(JsonException error, bool endOfLine)
    {
        var message = error.Message;
        var position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        message = (position >= 0 ? message[..position] : message).Trim().TrimEnd('.');
        return endOfLine && (message.Contains("end of the JSON payload", StringComparison.Ordinal) || message.Contains("end of data", StringComparison.Ordinal))
            ? "the line ends before its value does (an object or array left open, or a value cut short)"
            : message;
    }

    /// <summary>A character column (from 1) for a byte position in a line.</summary>
    private static int Column(string line, int bytes)
    {
        var lineBytes = Encoding.UTF8.GetBytes(line);
        return Encoding.UTF8.GetCharCount(lineBytes, 0, Math.Min(bytes, lineBytes.Length)) + 1;
    }

    /// <summary>The column of a byte position on a line of the file, which is read again up to that line (an error path only).</summary>
    private static int Column(string path, long line, long bytes)
    {
        using var file = File.OpenRead(path);
        using var stream = Decompressed(file, path)!;
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        for (long number = 1; reader.ReadLine() is { } text; number++)
        {
            if (number == line)
            {
                return Column(text, (int)Math.Min(bytes, int.MaxValue));
            }
        }

        return (int)Math.Min(bytes + 1, int.MaxValue);
    }
}
