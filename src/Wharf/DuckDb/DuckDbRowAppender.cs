using System.Buffers.Binary;
using System.Data.Common;
using System.Numerics;
using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using NativeAppender = DuckDB.NET.Native.DuckDBAppender;

namespace Wharf.DuckDb;

/// <summary>
/// Appends rows of .NET values to a DuckDB table, writing them straight into a data chunk's
/// vectors and handing DuckDB 2,048 rows at a time (DuckDB's C appender through DuckDB.NET.Bindings).
/// It is the hot path of every extraction from a database: DuckDB.NET's row appender costs an
/// object per row and a generic dispatch per value, and copies a value's bytes whatever the
/// column's type. Here a value is converted to its column's type exactly (an integer to any
/// integer column it fits) or refused with the column named; decimals are refused, because the
/// sources stage them as checked text (<c>ExactDecimal</c>).
/// </summary>
internal sealed unsafe class DuckDbRowAppender : IDisposable
{
    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private readonly NativeAppender appender;
    private readonly DuckDBDataChunk chunk;
    private readonly DuckDBType[] types;
    private readonly IntPtr[] vectors;
    private readonly byte*[] data;
    private readonly ulong*[] validity;
    private readonly int capacity = (int)NativeMethods.Helpers.DuckDBVectorSize();
    private readonly string table;
    private byte[] text = new byte[256];
    private int row;

    private DuckDbRowAppender(NativeAppender appender, DuckDBDataChunk chunk, DuckDBType[] types, string table)
    {
        this.appender = appender;
        this.chunk = chunk;
        this.types = types;
        this.table = table;
        vectors = new IntPtr[types.Length];
        data = new byte*[types.Length];
        validity = new ulong*[types.Length];
        BindVectors();
    }

    /// <summary>Opens an appender on a table.</summary>
    /// <param name="catalog">The database, e.g. <c>temp</c> for a temporary table (default: the connection's).</param>
    /// <exception cref="DuckDbException">The table does not exist.</exception>
    /// <exception cref="NotSupportedException">The table has a column of a type Wharf never appends to (a decimal, a list…).</exception>
    public static DuckDbRowAppender Open(DuckDBConnection connection, string table, string? schema = null, string? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var name = string.Join('.', new[] { catalog, schema, table }.Where(part => part is not null));
        if (NativeMethods.Appender.DuckDBAppenderCreateExt(connection.NativeConnection, catalog, schema, table, out var appender) != DuckDBState.Success)
        {
            var error = Error(appender);
            appender.Dispose();
            throw new DuckDbException($"Cannot append to {name}: {error}", null);
        }

        var count = (int)NativeMethods.Appender.DuckDBAppenderColumnCount(appender);
        var logicalTypes = new DuckDBLogicalType[count];
        try
        {
            var types = new DuckDBType[count];
            for (var i = 0; i < count; i++)
            {
                logicalTypes[i] = NativeMethods.Appender.DuckDBAppenderColumnType(appender, (ulong)i);
                types[i] = NativeMethods.LogicalType.DuckDBGetTypeId(logicalTypes[i]);
                if (Size(types[i]) == 0)
                {
                    throw new NotSupportedException($"{name} column {i + 1} is a {types[i]}, which Wharf does not append to.");
                }
            }

            var chunk = NativeMethods.DataChunks.DuckDBCreateDataChunk([.. logicalTypes.Select(t => t.DangerousGetHandle())], (ulong)count);
            return new DuckDbRowAppender(appender, chunk, types, name);
        }
        catch
        {
            appender.Dispose();
            throw;
        }
        finally
        {
            foreach (var type in logicalTypes)
            {
                type?.Dispose();
            }
        }
    }

    /// <summary>Appends one row; values in table column order, <see langword="null"/> or <see cref="DBNull"/> for NULL.</summary>
    /// <exception cref="ArgumentException">Not one value per column, or a value that is not of (or does not fit) its column's type; nothing of the row is kept.</exception>
    /// <exception cref="DuckDbException">DuckDB refused the rows when they were handed over.</exception>
    public void AppendRow(params ReadOnlySpan<object?> values)
    {
        if (values.Length != types.Length)
        {
            throw new ArgumentException($"{table} has {types.Length} columns but the row has {values.Length} values.", nameof(values));
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
            throw new ArgumentException($"{table} column {column + 1} ({types[column]}): {ex.Message}", nameof(values), ex);
        }
        catch
        {
            ForgetRow();
            throw;
        }

        EndRow();
    }

    /// <summary>Appends every remaining row of a reader whose columns match the table's, in order.</summary>
    public long AppendReader(DbDataReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var values = new object?[reader.FieldCount];
        long count = 0;
        while (reader.Read())
        {
            reader.GetValues(values!);
            AppendRow(values);
            if ((++count & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return count;
    }

    /// <summary>Hands the last rows to DuckDB and closes the appender.</summary>
    /// <exception cref="DuckDbException">DuckDB refused the rows.</exception>
    public void Complete()
    {
        Flush();
        Check(NativeMethods.Appender.DuckDBAppenderClose(appender));
    }

    public void Dispose()
    {
        chunk.Dispose();
        appender.Dispose();
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

        validity[column][row >> 6] &= ~(1UL << (row & 63));
    }

    /// <summary>The current row's cell of a fixed-width column, as DuckDB stores it (the caller knows the column's type: see <see cref="SetNull"/>).</summary>
    public void Set<T>(int column, T value) where T : unmanaged
    {
        System.Diagnostics.Debug.Assert(sizeof(T) == Size(types[column]), $"{table} column {column + 1} is a {types[column]}, not {sizeof(T)} bytes wide.");
        *(T*)(data[column] + ((long)row * sizeof(T))) = value;
    }

    /// <summary>The current row's cell of a VARCHAR (UTF-8) or BLOB column.</summary>
    public void SetBytes(int column, ReadOnlySpan<byte> bytes) => WriteBytes(column, bytes);

    /// <summary>Ends a row written with the Set methods.</summary>
    /// <exception cref="DuckDbException">DuckDB refused the rows when they were handed over.</exception>
    public void EndRow()
    {
        if (++row == capacity)
        {
            Flush();
        }
    }

    private void Write(int column, object? value)
    {
        if (value is null or DBNull)
        {
            SetNull(column);
            return;
        }

        var at = data[column] + ((long)row * Size(types[column]));
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
    private static int Size(DuckDBType type) => type switch
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
            NativeMethods.Vectors.DuckDBVectorAssignStringElementLength(vectors[column], (ulong)row, pointer, bytes.Length);
        }
    }

    /// <summary>Marks the current row's cells valid again, so the next row written there starts clean.</summary>
    private void ForgetRow()
    {
        foreach (var mask in validity)
        {
            if (mask != null)
            {
                mask[row >> 6] |= 1UL << (row & 63);
            }
        }
    }

    private void Flush()
    {
        if (row == 0)
        {
            return;
        }

        NativeMethods.DataChunks.DuckDBDataChunkSetSize(chunk, (ulong)row);
        Check(NativeMethods.Appender.DuckDBAppendDataChunk(appender, chunk));
        NativeMethods.DataChunks.DuckDBDataChunkReset(chunk);
        row = 0;
        BindVectors();
    }

    /// <summary>The chunk's vectors; a reset clears their validity masks, which are asked for again on the first NULL.</summary>
    private void BindVectors()
    {
        for (var i = 0; i < types.Length; i++)
        {
            vectors[i] = NativeMethods.DataChunks.DuckDBDataChunkGetVector(chunk, i);
            data[i] = (byte*)NativeMethods.Vectors.DuckDBVectorGetData(vectors[i]);
            validity[i] = null;
        }
    }

    private void Check(DuckDBState state)
    {
        if (state != DuckDBState.Success)
        {
            throw new DuckDbException($"DuckDB refused rows for {table}: {Error(appender)}", null);
        }
    }

    private static string Error(NativeAppender appender)
    {
        using var error = NativeMethods.Appender.DuckDBAppenderErrorData(appender);
        return NativeMethods.ErrorData.DuckDBErrorDataMessage(error);
    }
}
