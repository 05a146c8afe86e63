using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using DuckDB.NET.Native;

namespace Wharf.DuckDb;

/// <summary>
/// Rows written straight into the vectors of a DuckDB data chunk, cell by cell from a source's
/// wire format (<see cref="Set{T}"/>, <see cref="SetBytes"/>, <see cref="SetNull"/>) or a row of
/// .NET values at once (<see cref="WriteRow"/>). It is the hot path of every extraction from a
/// database: DuckDB.NET's row appender costs an object per row and a generic dispatch per value,
/// and copies a value's bytes whatever the column's type. Here a value is converted to its
/// column's type exactly (an integer to any integer column it fits) or refused with the column
/// named; decimals are refused, because the sources stage them as checked text (<c>ExactDecimal</c>).
/// The chunk is an appender's (<see cref="DuckDbRowAppender"/>) or a table function's output
/// (<see cref="DuckDbRowFunction"/>).
/// </summary>
internal unsafe class DuckDbChunkRows
{
    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private readonly DuckDBType[] types;
    private readonly IntPtr[] vectors;
    private readonly byte*[] data;
    private readonly ulong*[] validity;
    private byte[] text = new byte[256];

    /// <param name="types">The chunk's column types (each one <see cref="Size"/> knows).</param>
    /// <param name="name">What the rows are for, in messages (a table's name).</param>
    protected DuckDbChunkRows(DuckDBType[] types, string name)
    {
        this.types = types;
        Name = name;
        vectors = new IntPtr[types.Length];
        data = new byte*[types.Length];
        validity = new ulong*[types.Length];
    }

    /// <summary>Rows a chunk holds (DuckDB's vector size, 2,048).</summary>
    public static int Capacity { get; } = (int)NativeMethods.Helpers.DuckDBVectorSize();

    /// <summary>Rows ended in the current chunk.</summary>
    public int Count { get; private set; }

    /// <summary>What the rows are for, in messages.</summary>
    protected string Name { get; }

    /// <summary>Writes one row of values in column order, <see langword="null"/> or <see cref="DBNull"/> for NULL; it ends with <see cref="EndRow"/>.</summary>
    /// <exception cref="ArgumentException">Not one value per column, or a value that is not of (or does not fit) its column's type; nothing of the row is kept.</exception>
    public void WriteRow(ReadOnlySpan<object?> values)
    {
        if (values.Length != types.Length)
        {
            throw new ArgumentException($"{Name} has {types.Length} columns but the row has {values.Length} values.", nameof(values));
        }

        var column = 0;
        try
        {
            for (; column < values.Length; column++)
            {
                Write(column, values[column]);
            }
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException)
        {
            ForgetRow();
            throw new ArgumentException($"{Name} column {column + 1} ({types[column]}): {ex.Message}", nameof(values), ex);
        }
        catch
        {
            ForgetRow();
            throw;
        }
    }

    /// <summary>
    /// For a reader that decodes a source's wire format itself: the current row's cell as NULL. A
    /// row written cell by cell (every column, any order) ends with <see cref="EndRow"/>.
    /// </summary>
    public void SetNull(int column)
    {
        if (validity[column] == null)
        {
            NativeMethods.Vectors.DuckDBVectorEnsureValidityWritable(vectors[column]);
            validity[column] = NativeMethods.Vectors.DuckDBVectorGetValidity(vectors[column]);
        }

        validity[column][Count >> 6] &= ~(1UL << (Count & 63));
    }

    /// <summary>The current row's cell of a fixed-width column, as DuckDB stores it (the caller knows the column's type: see <see cref="SetNull"/>).</summary>
    public void Set<T>(int column, T value) where T : unmanaged
    {
        System.Diagnostics.Debug.Assert(sizeof(T) == Size(types[column]), $"{Name} column {column + 1} is a {types[column]}, not {sizeof(T)} bytes wide.");
        *(T*)(data[column] + ((long)Count * sizeof(T))) = value;
    }

    /// <summary>The current row's cell of a VARCHAR (UTF-8) or BLOB column.</summary>
    public void SetBytes(int column, ReadOnlySpan<byte> bytes) => WriteBytes(column, bytes);

    /// <summary>Ends the current row; the chunk is full at <see cref="Capacity"/> rows.</summary>
    public virtual void EndRow() => Count++;

    /// <summary>Starts writing into <paramref name="chunk"/> (empty, of these columns); a new chunk's validity masks are asked for on the first NULL.</summary>
    protected void Bind(DuckDBDataChunk chunk)
    {
        for (var i = 0; i < types.Length; i++)
        {
            vectors[i] = NativeMethods.DataChunks.DuckDBDataChunkGetVector(chunk, i);
            data[i] = (byte*)NativeMethods.Vectors.DuckDBVectorGetData(vectors[i]);
            validity[i] = null;
        }

        Count = 0;
    }

    private void Write(int column, object? value)
    {
        if (value is null or DBNull)
        {
            SetNull(column);
            return;
        }

        var at = data[column] + ((long)Count * Size(types[column]));
        switch (types[column])
        {
            case DuckDBType.Boolean: *at = (bool)value ? (byte)1 : (byte)0; break;
            case DuckDBType.TinyInt: *(sbyte*)at = checked((sbyte)Integer(value)); break;
            case DuckDBType.SmallInt: *(short*)at = checked((short)Integer(value)); break;
            case DuckDBType.Integer: *(int*)at = checked((int)Integer(value)); break;
            case DuckDBType.BigInt: *(long*)at = value is long l ? l : checked((long)Integer(value)); break;
            case DuckDBType.UnsignedTinyInt: *at = checked((byte)Integer(value)); break;
            case DuckDBType.UnsignedSmallInt: *(ushort*)at = checked((ushort)Integer(value)); break;
            case DuckDBType.UnsignedInteger: *(uint*)at = checked((uint)Integer(value)); break;
            case DuckDBType.UnsignedBigInt: *(ulong*)at = checked((ulong)Integer(value)); break;
            case DuckDBType.HugeInt: *(Int128*)at = Integer(value); break;
            case DuckDBType.Float: *(float*)at = (float)value; break;
            case DuckDBType.Double: *(double*)at = value is float f ? f : (double)value; break;
            case DuckDBType.Varchar: WriteBytes(column, Utf8((string)value)); break;
            case DuckDBType.Blob: WriteBytes(column, (byte[])value); break;
            case DuckDBType.Uuid: *(Int128*)at = Uuid((Guid)value); break;
            case DuckDBType.Date: *(int*)at = ((DateOnly)value).DayNumber - UnixEpochDay; break;
            case DuckDBType.Time: *(long*)at = ((TimeOnly)value).Ticks / 10; break;
            case DuckDBType.Timestamp: *(long*)at = Micros(((DateTime)value).Ticks - DateTime.UnixEpoch.Ticks); break;
            case DuckDBType.TimestampTz: *(long*)at = Micros(((DateTimeOffset)value).UtcTicks - DateTime.UnixEpoch.Ticks); break;
            case DuckDBType.TimeTz:
                var time = (DateTimeOffset)value;
                *(ulong*)at = NativeMethods.DateTimeHelpers.DuckDBCreateTimeTz(time.TimeOfDay.Ticks / 10, (int)time.Offset.TotalSeconds).Bits;
                break;
            default: throw new InvalidOperationException($"{types[column]} has no writer.");
        }
    }

    /// <summary>Bytes per value in the column's vector; 0 for a type Wharf does not append to.</summary>
    internal static int Size(DuckDBType type) => type switch
    {
        DuckDBType.Boolean or DuckDBType.TinyInt or DuckDBType.UnsignedTinyInt => 1,
        DuckDBType.SmallInt or DuckDBType.UnsignedSmallInt => 2,
        DuckDBType.Integer or DuckDBType.UnsignedInteger or DuckDBType.Float or DuckDBType.Date => 4,
        DuckDBType.BigInt or DuckDBType.UnsignedBigInt or DuckDBType.Double or DuckDBType.Time or DuckDBType.TimeTz
            or DuckDBType.Timestamp or DuckDBType.TimestampTz => 8,
        DuckDBType.HugeInt or DuckDBType.Uuid or DuckDBType.Varchar or DuckDBType.Blob => 16,
        _ => 0,
    };

    /// <summary>Any .NET integer, for a column of any integer type it fits (checked by the caller's cast).</summary>
    private static Int128 Integer(object value) => value switch
    {
        int v => v,
        long v => v,
        short v => v,
        sbyte v => v,
        byte v => v,
        ushort v => v,
        uint v => v,
        ulong v => v,
        Int128 v => v,
        BigInteger v => (Int128)v,
        decimal => throw new InvalidCastException("decimals are staged as text and cast in DuckDB (ExactDecimal), never appended as numbers."),
        _ => throw new InvalidCastException($"a {value.GetType().Name} is not an integer."),
    };

    /// <summary>Ticks (100 ns) from 1970 as whole microseconds, rounded down also before 1970.</summary>
    private static long Micros(long ticks) => ticks % 10 < 0 ? (ticks / 10) - 1 : ticks / 10;

    /// <summary>DuckDB's UUID: the 128-bit big-endian value with its top bit flipped, so that it sorts as the text does.</summary>
    private static Int128 Uuid(Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        return new Int128(BinaryPrimitives.ReadUInt64BigEndian(bytes) ^ (1UL << 63), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    private ReadOnlySpan<byte> Utf8(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > text.Length)
        {
            text = new byte[Math.Max(max, text.Length * 2)];
        }

        return text.AsSpan(0, Encoding.UTF8.GetBytes(value, text));
    }

    private void WriteBytes(int column, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* pointer = bytes)
        {
            NativeMethods.Vectors.DuckDBVectorAssignStringElementLength(vectors[column], (ulong)Count, pointer, bytes.Length);
        }
    }

    /// <summary>Marks the current row's cells valid again, so the next row written there starts clean.</summary>
    private void ForgetRow()
    {
        foreach (var mask in validity)
        {
            if (mask != null)
            {
                mask[Count >> 6] |= 1UL << (Count & 63);
            }
        }
    }
}
