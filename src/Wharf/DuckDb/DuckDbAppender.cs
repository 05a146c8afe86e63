using System.Data.Common;
using Wharf.DuckDb.Native;
using Wharf.DuckDb.Vectors;

namespace Wharf.DuckDb;

/// <summary>
/// Appends rows to a table through DuckDB's appender, a data chunk (2,048 rows) at a time.
/// Rows become visible when the appender is flushed or disposed.
/// </summary>
public sealed class DuckDbAppender : IDisposable
{
    private readonly AppenderHandle handle;
    private readonly DataChunkHandle chunk;
    private readonly VectorWriter[] writers;
    private readonly ulong capacity = NativeMethods.duckdb_vector_size();
    private readonly string table;
    private ulong row;
    private bool chunkBound;

    private DuckDbAppender(AppenderHandle handle, DataChunkHandle chunk, VectorWriter[] writers, string table)
    {
        this.handle = handle;
        this.chunk = chunk;
        this.writers = writers;
        this.table = table;
    }

    /// <summary>The number of columns of the target table.</summary>
    public int ColumnCount => writers.Length;

    /// <summary>Rows appended so far.</summary>
    public long RowsAppended { get; private set; }

    internal static DuckDbAppender Create(DuckDbConnection connection, string? catalog, string? schema, string table)
    {
        var qualified = string.Join('.', new[] { catalog, schema, table }.Where(p => p is not null));
        var status = NativeMethods.duckdb_appender_create_ext(connection.Handle, catalog, schema, table, out var pointer);
        var appender = new AppenderHandle(pointer);
        if (status != NativeMethods.Success)
        {
            var error = NativeMethods.ReadUtf8(NativeMethods.duckdb_appender_error(pointer));
            appender.Dispose();
            throw new DuckDbException($"Cannot append to {qualified}: {error}");
        }

        var count = (int)NativeMethods.duckdb_appender_column_count(pointer);
        var types = new IntPtr[count];
        var writers = new VectorWriter[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                types[i] = NativeMethods.duckdb_appender_column_type(pointer, (ulong)i);
                writers[i] = VectorWriter.Create(DuckDbColumnType.FromHandle(types[i]), $"{qualified} column {i + 1}");
            }

            return new DuckDbAppender(appender, new DataChunkHandle(NativeMethods.duckdb_create_data_chunk(types, (ulong)count)), writers, qualified);
        }
        catch
        {
            appender.Dispose();
            throw;
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                NativeMethods.duckdb_destroy_logical_type(ref types[i]);
            }
        }
    }

    /// <summary>Appends one row; values in table column order.</summary>
    public void AppendRow(params ReadOnlySpan<object?> values)
    {
        if (values.Length != writers.Length)
        {
            throw new ArgumentException($"{table} has {writers.Length} columns but the row has {values.Length} values.", nameof(values));
        }

        BindChunk();
        for (var i = 0; i < writers.Length; i++)
        {
            writers[i].Write(row, values[i]);
        }

        EndRow();
    }

    /// <summary>Appends every remaining row of a reader whose columns match the table's, in order.</summary>
    public long AppendReader(DbDataReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.FieldCount != writers.Length)
        {
            throw new ArgumentException($"{table} has {writers.Length} columns but the reader has {reader.FieldCount}.", nameof(reader));
        }

        long count = 0;
        while (reader.Read())
        {
            BindChunk();
            for (var i = 0; i < writers.Length; i++)
            {
                writers[i].WriteFrom(row, reader, i);
            }

            EndRow();
            if ((++count & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return count;
    }

    private void BindChunk()
    {
        if (chunkBound)
        {
            return;
        }

        var pointer = chunk.DangerousGetHandle();
        for (var i = 0; i < writers.Length; i++)
        {
            writers[i].Bind(NativeMethods.duckdb_data_chunk_get_vector(pointer, (ulong)i));
        }

        chunkBound = true;
    }

    private void EndRow()
    {
        row++;
        RowsAppended++;
        if (row == capacity)
        {
            SendChunk();
        }
    }

    private void SendChunk()
    {
        if (row == 0)
        {
            return;
        }

        var pointer = chunk.DangerousGetHandle();
        NativeMethods.duckdb_data_chunk_set_size(pointer, row);
        if (NativeMethods.duckdb_append_data_chunk(handle.DangerousGetHandle(), pointer) != NativeMethods.Success)
        {
            throw Failure("Appending to");
        }

        NativeMethods.duckdb_data_chunk_reset(pointer);
        row = 0;
        chunkBound = false;
    }

    /// <summary>Sends buffered rows to the table.</summary>
    public void Flush()
    {
        SendChunk();
        if (NativeMethods.duckdb_appender_flush(handle.DangerousGetHandle()) != NativeMethods.Success)
        {
            throw Failure("Appending to");
        }
    }

    /// <summary>Flushes and closes. Disposing without <see cref="Close"/> also flushes, but swallows nothing: errors surface here.</summary>
    public void Close()
    {
        Flush();
        if (NativeMethods.duckdb_appender_close(handle.DangerousGetHandle()) != NativeMethods.Success)
        {
            throw Failure("Closing the appender for");
        }
    }

    private DuckDbException Failure(string what) =>
        new($"{what} {table} failed: {NativeMethods.ReadUtf8(NativeMethods.duckdb_appender_error(handle.DangerousGetHandle()))}");

    public void Dispose()
    {
        chunk.Dispose();
        handle.Dispose();
    }
}
