using System.Buffers;
using System.Text;

namespace Wharf.Sources.Files;

/// <summary>
/// Finds the first byte of a text file that is not UTF-8 (a Latin-1 or Windows-1252 export, say),
/// as a line and column. Runs only after DuckDB has rejected a file as "not utf-8 encoded", whose
/// own report quotes the wrong line.
/// </summary>
internal static class Utf8Diagnosis
{
    public static FileProblem? Find(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var buffer = new byte[1 << 16];
        var kept = 0;
        var position = 0;
        long line = 1;
        var column = 0;
        var first = true;
        while (true)
        {
            var read = stream.Read(buffer, kept, buffer.Length - kept);
            var length = kept + read;
            var final = read == 0;
            position = first && buffer.AsSpan(0, length).StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
            first = false;
            while (position < length)
            {
                var status = Rune.DecodeFromUtf8(buffer.AsSpan(position, length - position), out var rune, out var consumed);
                if (status == OperationStatus.NeedMoreData && !final)
                {
                    break;
                }

                if (status != OperationStatus.Done)
                {
                    return new FileProblem(line, column + 1, $"the byte 0x{buffer[position]:X2} is not UTF-8");
                }

                (line, column) = rune.Value == '\n' ? (line + 1, 0) : (line, column + rune.Utf16SequenceLength);
                position += consumed;
            }

            if (final)
            {
                return null;
            }

            kept = length - position;
            Buffer.BlockCopy(buffer, position, buffer, 0, kept);
        }
    }
}
