using System.Text.Json;
using Wharf.Lake;

namespace Wharf.Sources.Files;

/// <summary>
/// How wide a plain (uncompressed) file's rows are, from its first MiB: near enough to size the
/// lake's row groups (<see cref="ExtractColumns.RowBytes"/>). Null for a compressed or empty file.
/// </summary>
internal static class RowWidth
{
    private const int Sample = 1 << 20;

    /// <summary>A CSV or NDJSON file, where a line is a row.</summary>
    public static ExtractColumns? OfLines(string file)
    {
        var sample = Read(file);
        return sample.Length == 0 ? null : ExtractColumns.OfWidth(sample.Length, sample.Span.Count((byte)'\n'));
    }

    /// <summary>
    /// A JSON file that is an array of records: the bytes of the whole records in its first MiB
    /// over their number (a first record longer than that counts as one of the MiB). Null when the
    /// file does not start as an array (DuckDB's reader says what is wrong with it).
    /// </summary>
    public static ExtractColumns? OfArrayElements(string file)
    {
        var sample = Read(file);
        var text = sample.Span.StartsWith("\uFEFF"u8) ? sample.Span[3..] : sample.Span;
        var reader = new Utf8JsonReader(text, isFinalBlock: sample.Length < Sample,
            new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }));
        long elements = 0, end = 0;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray && reader.TrySkip())
            {
                elements++;
                end = reader.BytesConsumed;
            }
        }
        catch (JsonException)
        {
            // Broken further on: the records before it still tell the width.
        }

        return elements == 0 ? ExtractColumns.OfWidth(sample.Length, 1) : ExtractColumns.OfWidth(end, elements);
    }

    private static ReadOnlyMemory<byte> Read(string file)
    {
        if (Path.GetExtension(file).ToLowerInvariant() is ".gz" or ".zst")
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var buffer = new byte[Sample];
        using var stream = File.OpenRead(file);
        return buffer.AsMemory(0, stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false));
    }
}
