using System.Data.Common;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using NativeAppender = DuckDB.NET.Native.DuckDBAppender;

namespace Wharf.DuckDb;

/// <summary>
/// Appends rows of .NET values (or cells a source decodes itself) to a DuckDB table through
/// DuckDB's C appender (DuckDB.NET.Bindings), handing DuckDB 2,048 rows at a time: the rows are
/// written as <see cref="DuckDbChunkRows"/> says.
/// </summary>
internal sealed class DuckDbRowAppender : DuckDbChunkRows, IDisposable
{
    private readonly NativeAppender appender;
    private readonly DuckDBDataChunk chunk;

    private DuckDbRowAppender(NativeAppender appender, DuckDBDataChunk chunk, DuckDBType[] types, string table)
        : base(types, table)
    {
        this.appender = appender;
        this.chunk = chunk;
        Bind(chunk);
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
        WriteRow(values);
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

    /// <summary>Ends a row written with the Set methods.</summary>
    /// <exception cref="DuckDbException">DuckDB refused the rows when they were handed over.</exception>
    public override void EndRow()
    {
        base.EndRow();
        if (Count == Capacity)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (Count == 0)
        {
            return;
        }

        NativeMethods.DataChunks.DuckDBDataChunkSetSize(chunk, (ulong)Count);
        Check(NativeMethods.Appender.DuckDBAppendDataChunk(appender, chunk));
        NativeMethods.DataChunks.DuckDBDataChunkReset(chunk);
        Bind(chunk);
    }

    private void Check(DuckDBState state)
    {
        if (state != DuckDBState.Success)
        {
            throw new DuckDbException($"DuckDB refused rows for {Name}: {Error(appender)}", null);
        }
    }

    private static string Error(NativeAppender appender)
    {
        using var error = NativeMethods.Appender.DuckDBAppenderErrorData(appender);
        return NativeMethods.ErrorData.DuckDBErrorDataMessage(error);
    }
}
