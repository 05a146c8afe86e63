using System.Data.Common;
using Wharf.DuckDb.Native;

namespace Wharf.DuckDb.Vectors;

/// <summary>
/// Writes .NET values into one column of a data chunk that an appender sends to DuckDB.
/// One small subclass per type family, as for <see cref="VectorReader"/>.
/// </summary>
internal abstract unsafe class VectorWriter(DuckDbColumnType type, string column)
{
    private IntPtr vector;

    public DuckDbColumnType Type { get; } = type;

    public string Column { get; } = column;

    protected void* Data { get; private set; }

    protected IntPtr Vector => vector;

    public void Bind(IntPtr target)
    {
        vector = target;
        Data = (void*)NativeMethods.duckdb_vector_get_data(target);
    }

    public void WriteNull(ulong row)
    {
        NativeMethods.duckdb_vector_ensure_validity_writable(vector);
        var validity = (ulong*)NativeMethods.duckdb_vector_get_validity(vector);
        validity[row >> 6] &= ~(1UL << (int)(row & 63));
    }

    /// <summary>Writes a boxed value; <see langword="null"/> and <see cref="DBNull"/> write NULL.</summary>
    public void Write(ulong row, object? value)
    {
        if (value is null or DBNull)
        {
            WriteNull(row);
            return;
        }

        try
        {
            WriteValue(row, value);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            throw new DuckDbException(
                $"Cannot write a {value.GetType().Name} value into column '{Column}' ({Type.SqlName}): {ex.Message}");
        }
    }

    /// <summary>Writes the current row's value of a reader column; typed writers avoid boxing.</summary>
    public virtual void WriteFrom(ulong row, DbDataReader reader, int ordinal) =>
        Write(row, reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal));

    protected abstract void WriteValue(ulong row, object value);

    public static VectorWriter Create(DuckDbColumnType type, string column) => type.Id switch
    {
        DuckDbType.Boolean => new BooleanWriter(type, column),
        DuckDbType.TinyInt => new IntegerWriter<sbyte>(type, column),
        DuckDbType.SmallInt => new IntegerWriter<short>(type, column),
        DuckDbType.Integer => new IntegerWriter<int>(type, column),
        DuckDbType.BigInt => new IntegerWriter<long>(type, column),
        DuckDbType.UTinyInt => new IntegerWriter<byte>(type, column),
        DuckDbType.USmallInt => new IntegerWriter<ushort>(type, column),
        DuckDbType.UInteger => new IntegerWriter<uint>(type, column),
        DuckDbType.UBigInt => new IntegerWriter<ulong>(type, column),
        DuckDbType.HugeInt => new IntegerWriter<Int128>(type, column),
        DuckDbType.UHugeInt => new IntegerWriter<UInt128>(type, column),
        DuckDbType.Float => new FloatWriter<float>(type, column),
        DuckDbType.Double => new FloatWriter<double>(type, column),
        DuckDbType.Decimal => new DecimalWriter(type, column),
        DuckDbType.VarChar or DuckDbType.Blob => new StringWriter(type, column),
        DuckDbType.Date => new DateWriter(type, column),
        DuckDbType.Time => new TimeWriter(type, column),
        DuckDbType.TimeTz => new TimeTzWriter(type, column),
        DuckDbType.Timestamp or DuckDbType.TimestampTz => new TimestampWriter(type, column),
        DuckDbType.Interval => new IntervalWriter(type, column),
        DuckDbType.Uuid => new UuidWriter(type, column),
        _ => throw new NotSupportedException(
            $"The appender cannot write DuckDB {type.SqlName} (column '{column}'); load it as VARCHAR and cast in SQL."),
    };
}
