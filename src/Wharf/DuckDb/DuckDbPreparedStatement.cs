using System.Text;
using Wharf.DuckDb.Native;

namespace Wharf.DuckDb;

/// <summary>A prepared statement. Parameters are 1-based, as in DuckDB's <c>$1</c>.</summary>
public sealed unsafe class DuckDbPreparedStatement : IDisposable
{
    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
    private readonly DuckDbConnection connection;
    private readonly PreparedStatementHandle handle;

    internal DuckDbPreparedStatement(DuckDbConnection connection, PreparedStatementHandle handle, string sql)
    {
        this.connection = connection;
        this.handle = handle;
        Sql = sql;
    }

    public string Sql { get; }

    public int ParameterCount => (int)NativeMethods.duckdb_nparams(Handle);

    private IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle.DangerousGetHandle();
        }
    }

    /// <summary>Binds all parameters in order (the first value to <c>$1</c>).</summary>
    public void Bind(ReadOnlySpan<object?> values)
    {
        if (values.Length != ParameterCount)
        {
            throw new ArgumentException($"The statement takes {ParameterCount} parameter(s) but {values.Length} were given.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            Bind(i + 1, values[i]);
        }
    }

    /// <summary>Binds one parameter from a .NET value; <see langword="null"/> and <see cref="DBNull"/> bind NULL.</summary>
    public void Bind(int index, object? value)
    {
        var i = (ulong)index;
        var h = Handle;
        var status = value switch
        {
            null or DBNull => NativeMethods.duckdb_bind_null(h, i),
            bool b => NativeMethods.duckdb_bind_boolean(h, i, b),
            sbyte v => NativeMethods.duckdb_bind_int8(h, i, v),
            short v => NativeMethods.duckdb_bind_int16(h, i, v),
            int v => NativeMethods.duckdb_bind_int32(h, i, v),
            long v => NativeMethods.duckdb_bind_int64(h, i, v),
            byte v => NativeMethods.duckdb_bind_uint8(h, i, v),
            ushort v => NativeMethods.duckdb_bind_uint16(h, i, v),
            uint v => NativeMethods.duckdb_bind_uint32(h, i, v),
            ulong v => NativeMethods.duckdb_bind_uint64(h, i, v),
            Int128 v => NativeMethods.duckdb_bind_hugeint(h, i, HugeInt.From(v)),
            float v => NativeMethods.duckdb_bind_float(h, i, v),
            double v => NativeMethods.duckdb_bind_double(h, i, v),
            decimal v => BindDecimal(h, i, v),
            string s => BindText(h, i, s),
            byte[] bytes => BindBlob(h, i, bytes),
            DateOnly d => NativeMethods.duckdb_bind_date(h, i, d.DayNumber - EpochDayNumber),
            TimeOnly t => NativeMethods.duckdb_bind_time(h, i, t.Ticks / 10),
            DateTime dt when dt.Kind == DateTimeKind.Utc => NativeMethods.duckdb_bind_timestamp_tz(h, i, ToMicros(dt)),
            DateTime dt => NativeMethods.duckdb_bind_timestamp(h, i, ToMicros(dt)),
            DateTimeOffset dto => NativeMethods.duckdb_bind_timestamp_tz(h, i, ToMicros(dto.UtcDateTime)),
            TimeSpan ts => NativeMethods.duckdb_bind_interval(h, i, new DuckDbInterval(0, 0, ts.Ticks / 10)),
            DuckDbInterval iv => NativeMethods.duckdb_bind_interval(h, i, iv),
            Guid g => BindText(h, i, g.ToString()),
            _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name} to a DuckDB parameter.", nameof(value)),
        };
        if (status != NativeMethods.Success)
        {
            throw new DuckDbException($"DuckDB could not bind parameter ${index} ({value?.GetType().Name ?? "null"}).", Sql);
        }
    }

    private static long ToMicros(DateTime value) => (value.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    private static int BindText(IntPtr h, ulong i, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
        {
            return NativeMethods.duckdb_bind_varchar_length(h, i, p, (ulong)bytes.Length);
        }
    }

    private static int BindBlob(IntPtr h, ulong i, byte[] bytes)
    {
        fixed (byte* p = bytes)
        {
            return NativeMethods.duckdb_bind_blob(h, i, p, (ulong)bytes.Length);
        }
    }

    private static int BindDecimal(IntPtr h, ulong i, decimal value)
    {
        var bits = decimal.GetBits(value);
        var scale = (byte)((bits[3] >> 16) & 0xFF);
        var magnitude = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        var unscaled = value < 0 ? -magnitude : magnitude;
        var decimalValue = NativeMethods.duckdb_create_decimal(new DuckDbDecimalStruct { Width = 38, Scale = scale, Value = HugeInt.From(unscaled) });
        try
        {
            return NativeMethods.duckdb_bind_value(h, i, decimalValue);
        }
        finally
        {
            NativeMethods.duckdb_destroy_value(ref decimalValue);
        }
    }

    /// <summary>Runs the statement and returns the rows changed.</summary>
    public long ExecuteNonQuery()
    {
        using var result = new DuckDbResult();
        if (NativeMethods.duckdb_execute_prepared(Handle, result.Pointer) != NativeMethods.Success)
        {
            throw new DuckDbException(result.Error ?? "DuckDB reported an unknown error.", Sql);
        }

        return result.RowsChanged;
    }

    /// <summary>Runs the statement and streams its rows.</summary>
    public DuckDbDataReader ExecuteReader() => ExecuteReader(ownsStatement: false);

    internal DuckDbDataReader ExecuteReader(bool ownsStatement)
    {
        var result = new DuckDbResult();
        if (NativeMethods.duckdb_execute_prepared_streaming(Handle, result.Pointer) != NativeMethods.Success)
        {
            var error = result.Error;
            result.Dispose();
            throw new DuckDbException(error ?? "DuckDB reported an unknown error.", Sql);
        }

        return new DuckDbDataReader(result, connection, ownsStatement ? this : null, Sql);
    }

    internal DuckDbConnection Connection => connection;

    public void Dispose() => handle.Dispose();
}
