using Wharf.DuckDb.Native;

namespace Wharf.DuckDb;

/// <summary>
/// A connection to a <see cref="DuckDbDatabase"/>. DuckDB's C API is synchronous; the async
/// methods run the call on the thread pool and turn cancellation into <c>duckdb_interrupt</c>.
/// </summary>
public sealed class DuckDbConnection : IDisposable
{
    private readonly ConnectionHandle handle;

    internal DuckDbConnection(ConnectionHandle handle) => this.handle = handle;

    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle.DangerousGetHandle();
        }
    }

    /// <summary>
    /// Runs one or more statements and returns the rows the last one inserted, updated, deleted,
    /// created (CREATE TABLE AS) or copied (COPY).
    /// </summary>
    /// <exception cref="DuckDbException">DuckDB reported an error; its message is kept.</exception>
    public unsafe long Execute(string sql)
    {
        using var result = new DuckDbResult();
        if (NativeMethods.duckdb_query(Handle, sql, result.Pointer) != NativeMethods.Success)
        {
            throw new DuckDbException(result.Error ?? "DuckDB reported an unknown error.", sql);
        }

        return result.RowsChanged > 0 ? result.RowsChanged : result.CountColumn() ?? 0;
    }

    /// <summary>Runs one statement with <c>$1</c> parameters; returns the rows it changed.</summary>
    public long Execute(string sql, params ReadOnlySpan<object?> parameters)
    {
        using var statement = Prepare(sql);
        statement.Bind(parameters);
        return statement.ExecuteNonQuery();
    }

    /// <inheritdoc cref="Execute(string)"/>
    public Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken = default) =>
        RunInterruptibly(() => Execute(sql), cancellationToken);

    /// <summary>Prepares one statement with <c>$1</c>/<c>?</c> parameters.</summary>
    public DuckDbPreparedStatement Prepare(string sql)
    {
        var status = NativeMethods.duckdb_prepare(Handle, sql, out var prepared);
        var statement = new PreparedStatementHandle(prepared);
        if (status != NativeMethods.Success)
        {
            var error = NativeMethods.ReadUtf8(NativeMethods.duckdb_prepare_error(prepared));
            statement.Dispose();
            throw new DuckDbException(error ?? "DuckDB could not prepare the statement.", sql);
        }

        return new DuckDbPreparedStatement(this, statement, sql);
    }

    /// <summary>Runs a query and streams its rows chunk by chunk; the connection is busy until the reader is disposed.</summary>
    public DuckDbDataReader Query(string sql, params ReadOnlySpan<object?> parameters)
    {
        var statement = Prepare(sql);
        try
        {
            statement.Bind(parameters);
            return statement.ExecuteReader(ownsStatement: true);
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    /// <summary>Runs a query and returns the first column of its first row (or <see langword="null"/>).</summary>
    public object? Scalar(string sql, params ReadOnlySpan<object?> parameters)
    {
        using var reader = Query(sql, parameters);
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetValue(0) : null;
    }

    /// <summary>Opens an appender that writes rows into a table in chunks.</summary>
    public DuckDbAppender CreateAppender(string? schema, string table) => DuckDbAppender.Create(this, null, schema, table);

    /// <summary>Opens an appender on a temporary table of this connection.</summary>
    public DuckDbAppender CreateTemporaryTableAppender(string table) => DuckDbAppender.Create(this, "temp", "main", table);

    /// <summary>How far the running query has got; safe to call from another thread.</summary>
    public (double Percentage, ulong RowsProcessed, ulong TotalRows) Progress
    {
        get
        {
            var progress = NativeMethods.duckdb_query_progress(Handle);
            return (progress.Percentage, progress.RowsProcessed, progress.TotalRowsToProcess);
        }
    }

    /// <summary>Asks the running query to stop; safe to call from another thread.</summary>
    public void Interrupt() => NativeMethods.duckdb_interrupt(Handle);

    internal async Task<T> RunInterruptibly<T>(Func<T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var registration = cancellationToken.Register(Interrupt);
        try
        {
            return await Task.Run(work, CancellationToken.None);
        }
        catch (DuckDbException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The DuckDB query was interrupted.", cancellationToken);
        }
    }

    public void Dispose() => handle.Dispose();
}
