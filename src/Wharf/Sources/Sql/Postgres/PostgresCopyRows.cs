using System.Buffers.Binary;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>
/// The rows of a <c>COPY … TO STDOUT (FORMAT BINARY)</c> as they arrive: each field's bytes, read
/// in place from a buffer refilled as it empties, never as a .NET object. This is the extract's
/// hot loop (Npgsql's binary exporter reads each value into an object, about 4 of its 6 CPU
/// seconds per 5M rows in bench/README.md). The format:
/// https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
/// </summary>
internal sealed class PostgresCopyRows(Stream copy)
{
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private byte[] buffer = new byte[1 << 16];
    private int start;
    private int end;

    /// <summary>Reads the header; call once, first.</summary>
    /// <exception cref="InvalidDataException">The stream is not a binary COPY.</exception>
    public void Begin()
    {
        Ensure(Signature.Length + 8);
        if (!buffer.AsSpan(start, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException("The server's COPY output does not start with PostgreSQL's binary COPY signature.");
        }

        start += Signature.Length + 4;
        var extension = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        Ensure(extension);
        start += extension;
    }

    /// <summary>The next row's number of fields, or -1 after the last row.</summary>
    public int NextRow() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    /// <summary>The next field of the row: false for NULL, else its bytes, valid until the next call.</summary>
    public bool NextField(out ReadOnlySpan<byte> value)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        if (length < 0)
        {
            value = default;
            return false;
        }

        value = Take(length);
        return true;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        Ensure(count);
        var taken = buffer.AsSpan(start, count);
        start += count;
        return taken;
    }

    /// <summary>At least <paramref name="count"/> unread bytes in the buffer: the rest moved to its start, and the buffer grown for a value larger than it.</summary>
    private void Ensure(int count)
    {
        if (end - start >= count)
        {
            return;
        }

        var unread = end - start;
        var target = count > buffer.Length ? new byte[Math.Max(count, 2 * buffer.Length)] : buffer;
        Buffer.BlockCopy(buffer, start, target, 0, unread);
        (buffer, start, end) = (target, 0, unread);
        while (end < count)
        {
            var read = copy.Read(buffer, end, buffer.Length - end);
            if (read == 0)
            {
                throw new EndOfStreamException("The server's COPY output ended in the middle of a row.");
            }

            end += read;
        }
    }
}
