using System.Buffers.Binary;
using System.Text;
using Wharf.DuckDb;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// Writes PostgreSQL's binary COPY format straight to the COPY stream: one buffer, no per-value
/// allocation. Npgsql's per-value importer cost as much CPU as the server itself (bench/pg-probe.sh);
/// this brings a load down to the server's own speed.
/// </summary>
internal sealed class BinaryCopyWriter(Stream stream) : IAsyncDisposable
{
    // The signature "PGCOPY\n\377\r\n\0", then no flags and no header extension.
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private readonly byte[] buffer = new byte[1 << 16];
    private int position;
    private MemoryStream? arrayStream;
    private BinaryCopyWriter? arrayWriter;

    public void WriteHeader() => Put(Header);

    public void StartRow(int fields) => Int16((short)fields);

    public void Null() => Int32(-1);

    public void Boolean(bool value)
    {
        Int32(1);
        Ensure(1);
        buffer[position++] = value ? (byte)1 : (byte)0;
    }

    public void Int2(short value)
    {
        Int32(2);
        Int16(value);
    }

    public void Int4(int value)
    {
        Int32(4);
        Int32(value);
    }

    public void Int8(long value)
    {
        Int32(8);
        Int64(value);
    }

    public void Float4(float value) => Int4(BitConverter.SingleToInt32Bits(value));

    public void Float8(double value) => Int8(BitConverter.DoubleToInt64Bits(value));

    /// <summary>jsonb's binary form: a version byte (1), then the text.</summary>
    public void Jsonb(ReadOnlySpan<byte> utf8)
    {
        Int32(utf8.Length + 1);
        Ensure(1);
        buffer[position++] = 1;
        Put(utf8);
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        Put(value);
    }

    /// <summary>A UUID's 16 bytes, most significant first.</summary>
    public void Uuid(ulong high, ulong low)
    {
        Int32(16);
        Int64((long)high);
        Int64((long)low);
    }

    /// <summary>Time of day with its zone: PostgreSQL sends the zone as seconds west of UTC.</summary>
    public void TimeTz(long microseconds, int secondsEastOfUtc)
    {
        Int32(12);
        Int64(microseconds);
        Int32(-secondsEastOfUtc);
    }

    public void Interval(int months, int days, long microseconds)
    {
        Int32(16);
        Int64(microseconds);
        Int32(days);
        Int32(months);
    }

    /// <summary>
    /// numeric: base-10000 digits aligned on the decimal point, a weight (the power of 10000 of
    /// the first digit), a sign and the display scale.
    /// </summary>
    public void Numeric(Int128 unscaled, int scale) =>
        Numeric(unscaled < 0 ? (UInt128)(-unscaled) : (UInt128)unscaled, unscaled < 0, scale);

    /// <inheritdoc cref="Numeric(Int128, int)"/>
    /// <param name="magnitude">The unscaled value without its sign (a UHUGEINT's whole range).</param>
    public void Numeric(UInt128 magnitude, bool negative, int scale)
    {
        var padded = (scale + 3) / 4 * 4;
        var divisor = UInt128.One;
        for (var i = 0; i < scale; i++)
        {
            divisor *= 10;
        }

        var integer = magnitude / divisor;
        var fraction = magnitude % divisor;
        for (var i = scale; i < padded; i++)
        {
            fraction *= 10;
        }

        Span<short> groups = stackalloc short[24];
        var count = 0;
        var integerGroups = 0;
        for (var rest = integer; rest > 0; rest /= 10000)
        {
            integerGroups++;
        }

        for (var rest = integer; rest > 0; rest /= 10000)
        {
            groups[integerGroups - 1 - count++] = (short)(rest % 10000);
        }

        var fractionGroups = padded / 4;
        for (var i = fractionGroups - 1; i >= 0; i--)
        {
            groups[count + i] = (short)(fraction % 10000);
            fraction /= 10000;
        }

        count += fractionGroups;
        var weight = integerGroups - 1;
        var first = 0;
        while (first < count && groups[first] == 0)
        {
            first++;
            weight--;
        }

        var last = count;
        while (last > first && groups[last - 1] == 0)
        {
            last--;
        }

        var digits = last - first;
        Int32(8 + (2 * digits));
        Int16((short)digits);
        Int16((short)(digits == 0 ? 0 : weight));
        Int16(negative && digits > 0 ? (short)0x4000 : (short)0);
        Int16((short)scale);
        for (var i = first; i < last; i++)
        {
            Int16(groups[i]);
        }
    }

    /// <summary>bit varying from DuckDB's text of a BIT (<c>0101…</c>): the length in bits, then the bits, first bit highest.</summary>
    public void VarBit(ReadOnlySpan<byte> digits)
    {
        var bits = new byte[(digits.Length + 7) / 8];
        for (var i = 0; i < digits.Length; i++)
        {
            if (digits[i] == (byte)'1')
            {
                bits[i / 8] |= (byte)(0x80 >> (i % 8));
            }
        }

        Int32(4 + bits.Length);
        Int32(digits.Length);
        Put(bits);
    }

    /// <summary>
    /// A one-dimensional array of the <paramref name="length"/> elements of <paramref name="elements"/>
    /// from <paramref name="offset"/>; <paramref name="writeElement"/> writes each non-NULL one as a field.
    /// </summary>
    public void Array(DuckDbVector elements, int offset, int length, uint elementOid, PostgresColumn.ValueWriter writeElement)
    {
        // The array's byte length comes first: write it to a reused scratch writer, then copy.
        var scratch = arrayStream ??= new MemoryStream();
        scratch.SetLength(0);
        var inner = arrayWriter ??= new BinaryCopyWriter(scratch);
        var hasNull = false;
        for (var i = offset; i < offset + length && !hasNull; i++)
        {
            hasNull = elements.IsNull(i);
        }

        inner.Int32(length == 0 ? 0 : 1);
        inner.Int32(hasNull ? 1 : 0);
        inner.Int32((int)elementOid);
        if (length > 0)
        {
            inner.Int32(length);
            inner.Int32(1);
        }

        for (var i = offset; i < offset + length; i++)
        {
            if (elements.IsNull(i))
            {
                inner.Null();
            }
            else
            {
                writeElement(inner, elements, i);
            }
        }

        inner.FlushToStream();
        Bytes(scratch.GetBuffer().AsSpan(0, (int)scratch.Length));
    }

    /// <summary>Writes the trailer and sends everything.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        Int16(-1);
        await stream.WriteAsync(buffer.AsMemory(0, position), cancellationToken);
        position = 0;
    }

    private void FlushToStream()
    {
        stream.Write(buffer, 0, position);
        position = 0;
    }

    private void Int16(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(position), value);
        position += 2;
    }

    private void Int32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(position), value);
        position += 4;
    }

    private void Int64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(position), value);
        position += 8;
    }

    private void Put(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > buffer.Length - position)
        {
            FlushToStream();
            if (bytes.Length > buffer.Length)
            {
                stream.Write(bytes);
                return;
            }
        }

        bytes.CopyTo(buffer.AsSpan(position));
        position += bytes.Length;
    }

    private void Ensure(int bytes)
    {
        if (buffer.Length - position < bytes)
        {
            FlushToStream();
        }
    }

    public ValueTask DisposeAsync()
    {
        arrayStream?.Dispose();
        return ValueTask.CompletedTask;
    }
}
