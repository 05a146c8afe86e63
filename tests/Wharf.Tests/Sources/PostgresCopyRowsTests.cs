using System.Buffers.Binary;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Tests.Sources;

/// <summary>
/// <see cref="PostgresCopyRows"/> on binary COPY output built by hand and handed over a few bytes
/// at a time (as a network read may): rows, NULLs, a value larger than the buffer, the end; and
/// output that is cut short or is no binary COPY at all.
/// </summary>
public sealed class PostgresCopyRowsTests
{
    private static readonly byte[] Header = [.. "PGCOPY\n"u8, 0xFF, .. "\r\n"u8, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4];

    private static byte[] Row(params byte[]?[] fields)
    {
        var row = new List<byte>();
        row.AddRange(BigEndian((short)fields.Length));
        foreach (var field in fields)
        {
            row.AddRange(BigEndian(field?.Length ?? -1));
            row.AddRange(field ?? []);
        }

        return [.. row];
    }

    private static byte[] BigEndian(short value) => [(byte)(value >> 8), (byte)value];

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static readonly byte[] Trailer = [0xFF, 0xFF];

    /// <summary>The rows' fields as hex (null for NULL), read from the output handed over <paramref name="chunk"/> bytes at a time.</summary>
    private static List<List<string?>> ReadAll(byte[] output, int chunk)
    {
        var rows = new PostgresCopyRows(new Trickle(output, chunk));
        rows.Begin();
        var read = new List<List<string?>>();
        for (var fields = rows.NextRow(); fields != -1; fields = rows.NextRow())
        {
            var row = new List<string?>();
            for (var i = 0; i < fields; i++)
            {
                row.Add(rows.NextField(out var value) ? Convert.ToHexString(value) : null);
            }

            read.Add(row);
        }

        return read;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 20)]
    public void Rows_WithNullsAndAValueLargerThanTheBuffer_AreReadWhateverTheReadSizes(int chunk)
    {
        var large = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        byte[] output = [.. Header, .. Row([0, 0, 0, 42], null, []), .. Row(null, large, [0xAB]), .. Trailer];

        var rows = ReadAll(output, chunk);

        rows.Count.ShouldBe(2);
        rows[0].ShouldBe(["0000002A", null, ""]);
        rows[1][0].ShouldBeNull();
        rows[1][1].ShouldBe(Convert.ToHexString(large));
        rows[1][2].ShouldBe("AB");
    }

    [Fact]
    public void Output_CutShortInARow_SaysSo()
    {
        byte[] output = [.. Header, .. Row([0, 0, 0, 42], [1, 2, 3])];

        Should.Throw<EndOfStreamException>(() => ReadAll(output[..^2], 5)).Message.ShouldContain("ended in the middle of a row");
    }

    [Fact]
    public void Output_ThatIsNoBinaryCopy_IsRefused()
    {
        var text = "1\tAna\n"u8.ToArray().Concat(new byte[32]).ToArray();

        Should.Throw<InvalidDataException>(() => ReadAll(text, 64)).Message.ShouldContain("binary COPY signature");
    }

    /// <summary>A stream that hands over at most a few bytes per read.</summary>
    private sealed class Trickle(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }
}
