using System.Collections;
using System.Data.Common;
using Wharf.DuckDb.Native;
using Wharf.DuckDb.Vectors;

namespace Wharf.DuckDb;

/// <summary>
/// Streams a DuckDB result as an ADO.NET reader, one data chunk (2,048 rows) in memory at a time.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1010", Justification = "DbDataReader's enumerator is part of ADO.NET's contract.")]
public sealed class DuckDbDataReader : DbDataReader
{
    private readonly DuckDbResult result;
    private readonly DuckDbPreparedStatement? ownedStatement;
    private readonly DuckDbConnection connection;
    private readonly VectorReader[] columns;
    private readonly string[] names;
    private DataChunkHandle? chunk;
    private ulong chunkSize;
    private ulong row;
    private bool done;

    internal DuckDbDataReader(DuckDbResult result, DuckDbConnection connection, DuckDbPreparedStatement? ownedStatement, string sql)
    {
        this.result = result;
        this.connection = connection;
        this.ownedStatement = ownedStatement;
        Sql = sql;
        var count = result.ColumnCount;
        names = new string[count];
        columns = new VectorReader[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = result.ColumnName(i);
            columns[i] = VectorReader.Create(result.ColumnType(i));
        }
    }

    /// <summary>The query this reader streams.</summary>
    public string Sql { get; }

    /// <summary>The DuckDB type of a column.</summary>
    public DuckDbColumnType GetColumnType(int ordinal) => columns[ordinal].Type;

    public override int FieldCount => columns.Length;

    public override int RecordsAffected => -1;

    public override bool HasRows => true;

    public override bool IsClosed => done && chunk is null;

    public override int Depth => 0;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read()
    {
        if (done)
        {
            return false;
        }

        if (chunk is not null && ++row < chunkSize)
        {
            return true;
        }

        return NextChunk();
    }

    private bool NextChunk()
    {
        while (true)
        {
            chunk?.Dispose();
            chunk = result.FetchChunk();
            if (chunk.IsInvalid)
            {
                chunk.Dispose();
                chunk = null;
                done = true;
                var error = result.Error;
                if (error is not null)
                {
                    throw new DuckDbException(error, Sql);
                }

                return false;
            }

            chunkSize = NativeMethods.duckdb_data_chunk_get_size(chunk.DangerousGetHandle());
            if (chunkSize == 0)
            {
                continue;
            }

            for (var i = 0; i < columns.Length; i++)
            {
                columns[i].Bind(NativeMethods.duckdb_data_chunk_get_vector(chunk.DangerousGetHandle(), (ulong)i));
            }

            row = 0;
            return true;
        }
    }

    public override bool NextResult() => false;

    public override string GetName(int ordinal) => names[ordinal];

    public override int GetOrdinal(string name)
    {
        var index = Array.IndexOf(names, name);
        if (index < 0)
        {
            index = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        }

        return index >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(name), $"No column named '{name}'.");
    }

    public override string GetDataTypeName(int ordinal) => columns[ordinal].Type.SqlName;

    public override Type GetFieldType(int ordinal) => columns[ordinal].ClrType;

    public override bool IsDBNull(int ordinal) => !Column(ordinal).IsValid(row);

    public override object GetValue(int ordinal)
    {
        var column = Column(ordinal);
        return column.IsValid(row) ? column.GetValue(row) : DBNull.Value;
    }

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    public override T GetFieldValue<T>(int ordinal) => Column(ordinal) switch
    {
        VectorReader<T> typed when typed.IsValid(row) => typed.Read(row),
        var column when !column.IsValid(row) => throw new InvalidCastException($"Column '{names[ordinal]}' is NULL in this row."),
        var column => (T)Convert.ChangeType(column.GetValue(row), typeof(T), System.Globalization.CultureInfo.InvariantCulture),
    };

    public override bool GetBoolean(int ordinal) => GetFieldValue<bool>(ordinal);

    public override byte GetByte(int ordinal) => GetFieldValue<byte>(ordinal);

    public override short GetInt16(int ordinal) => GetFieldValue<short>(ordinal);

    public override int GetInt32(int ordinal) => GetFieldValue<int>(ordinal);

    public override long GetInt64(int ordinal) => GetFieldValue<long>(ordinal);

    public override float GetFloat(int ordinal) => GetFieldValue<float>(ordinal);

    public override double GetDouble(int ordinal) => GetFieldValue<double>(ordinal);

    public override decimal GetDecimal(int ordinal) => GetFieldValue<decimal>(ordinal);

    public override string GetString(int ordinal) => Column(ordinal) is Vectors.StringReader or EnumReader
        ? GetFieldValue<string>(ordinal)
        : Convert.ToString(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public override DateTime GetDateTime(int ordinal) => GetFieldValue<DateTime>(ordinal);

    public override Guid GetGuid(int ordinal) => GetFieldValue<Guid>(ordinal);

    /// <summary>A DECIMAL's unscaled integer (the value is this over 10^scale): exact at any width, beyond .NET's decimal.</summary>
    public Int128 GetUnscaledDecimal(int ordinal) => Column(ordinal) is DecimalReader number
        ? number.ReadUnscaled(row)
        : throw new InvalidCastException($"Column '{names[ordinal]}' is {columns[ordinal].Type.SqlName}, not DECIMAL.");

    /// <summary>A DATE as stored (covers BC dates and infinity, which <see cref="DateOnly"/> cannot).</summary>
    public DuckDbDate GetDuckDbDate(int ordinal) => Column(ordinal) is DateReader date
        ? date.ReadRaw(row)
        : throw new InvalidCastException($"Column '{names[ordinal]}' is {columns[ordinal].Type.SqlName}, not DATE.");

    /// <summary>A TIMESTAMP (any precision, with or without time zone) as microseconds since 1970, as stored.</summary>
    public DuckDbTimestamp GetDuckDbTimestamp(int ordinal) => Column(ordinal) is TimestampReader timestamp
        ? timestamp.ReadRaw(row)
        : throw new InvalidCastException($"Column '{names[ordinal]}' is {columns[ordinal].Type.SqlName}, not a TIMESTAMP.");

    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var bytes = GetFieldValue<byte[]>(ordinal);
        if (buffer is null)
        {
            return bytes.Length;
        }

        var count = (int)Math.Max(0, Math.Min(length, bytes.Length - dataOffset));
        Array.Copy(bytes, dataOffset, buffer, bufferOffset, count);
        return count;
    }

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var text = GetString(ordinal);
        if (buffer is null)
        {
            return text.Length;
        }

        var count = (int)Math.Max(0, Math.Min(length, text.Length - dataOffset));
        text.CopyTo((int)dataOffset, buffer, bufferOffset, count);
        return count;
    }

    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    private VectorReader Column(int ordinal)
    {
        if (chunk is null)
        {
            throw new InvalidOperationException("No current row: call Read() first.");
        }

        return columns[ordinal];
    }

    /// <summary>
    /// DuckDB keeps the transaction of a streaming result that was not read to the end open until
    /// the connection's next statement, and an open transaction stops every other connection's
    /// CHECKPOINT. An empty statement ends it now.
    /// </summary>
    private void EndTransaction()
    {
        try
        {
            connection.Execute("SELECT 1");
        }
        catch (Exception ex) when (ex is DuckDbException or ObjectDisposedException)
        {
            // The connection is gone or busy elsewhere: its transaction ends with it.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            chunk?.Dispose();
            chunk = null;
            var unfinished = !done;
            done = true;
            result.Dispose();
            ownedStatement?.Dispose();
            if (unfinished)
            {
                EndTransaction();
            }
        }

        base.Dispose(disposing);
    }
}
