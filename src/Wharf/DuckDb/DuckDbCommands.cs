using DuckDB.NET.Data;

namespace Wharf.DuckDb;

/// <summary>
/// One-line statements on a <see cref="DuckDBConnection"/>, with values bound to <c>$1</c>, <c>$2</c>…
/// in order. DuckDB's errors come out as Wharf's <see cref="DuckDbException"/>. Queries stream (DuckDB.NET's <see cref="DuckDBCommand.UseStreamingMode"/>): a reader
/// holds one chunk of 2,048 rows at a time, whatever the result's size.
/// </summary>
internal static class DuckDbCommands
{
    /// <summary>Runs one or more statements; returns the rows the statements inserted, updated, deleted or copied.</summary>
    /// <exception cref="DuckDbException">DuckDB reported an error; its message is kept.</exception>
    public static long Execute(this DuckDBConnection connection, string sql, params ReadOnlySpan<object?> parameters)
    {
        using var command = Command(connection, sql, parameters);
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException(ex, sql);
        }
    }

    /// <inheritdoc cref="Execute"/>
    /// <remarks>Cancellation interrupts the running statement.</remarks>
    public static Task<long> ExecuteAsync(this DuckDBConnection connection, string sql, CancellationToken cancellationToken = default) =>
        connection.RunInterruptibly(() => connection.Execute(sql), cancellationToken);

    /// <inheritdoc cref="Execute"/>
    /// <remarks>
    /// Runs on the calling thread, which must be one of the caller's own: a query over a
    /// <see cref="DuckDbRowFunction"/> reads its source where DuckDB asks for rows, blocking, which on
    /// a pool thread would starve the pool. Cancellation interrupts the running statement.
    /// </remarks>
    public static long ExecuteHere(this DuckDBConnection connection, string sql, CancellationToken cancellationToken) =>
        Interruptibly(connection, () => connection.Execute(sql), cancellationToken);

    /// <summary>Runs a query and streams its rows; the connection is busy until the reader is disposed.</summary>
    /// <remarks>An error found while the rows stream comes from <see cref="DuckDBDataReader.Read"/> as DuckDB.NET's own <see cref="DuckDBException"/>.</remarks>
    public static DuckDBDataReader Query(this DuckDBConnection connection, string sql, params ReadOnlySpan<object?> parameters)
    {
        var command = Command(connection, sql, parameters);
        command.UseStreamingMode = true;
        try
        {
            return command.ExecuteReader();
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException(ex, sql);
        }
    }

    /// <summary>Runs a query and returns the first column of its first row (or <see langword="null"/>).</summary>
    public static object? Scalar(this DuckDBConnection connection, string sql, params ReadOnlySpan<object?> parameters)
    {
        using var command = Command(connection, sql, parameters);
        try
        {
            using var reader = command.ExecuteReader();
            if (!reader.Read() || reader.IsDBNull(0))
            {
                return null;
            }

            // A BLOB comes as a stream over the result's memory, which is freed with the reader.
            var value = reader.GetValue(0);
            if (value is Stream stream)
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }

            return value;
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException(ex, sql);
        }
    }

    /// <summary>
    /// Runs blocking DuckDB work on the thread pool; cancellation interrupts the connection's
    /// running statement (DuckDB's C API has no asynchronous calls).
    /// </summary>
    public static Task<T> RunInterruptibly<T>(this DuckDBConnection connection, Func<T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Interruptibly(connection, work, cancellationToken), CancellationToken.None);
    }

    /// <summary>Runs DuckDB work on the calling thread; cancellation interrupts the connection's running statement.</summary>
    private static T Interruptibly<T>(DuckDBConnection connection, Func<T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var registration = cancellationToken.Register(() => connection.NativeConnection.Interrupt());
        try
        {
            return work();
        }
        catch (Exception ex) when (ex is DuckDBException or DuckDbException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The DuckDB query was interrupted.", cancellationToken);
        }
    }

    /// <summary>
    /// Has DuckDB track how far the connection's queries have got (for <see cref="Progress"/>),
    /// without printing it. Only for a live progress line: the tracking costs 1.5–3% of a run.
    /// </summary>
    public static void TrackProgress(this DuckDBConnection connection) =>
        connection.Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false;");

    /// <summary>How far the connection's running query has got, in percent (−1 when unknown; always, unless <see cref="TrackProgress"/>); safe from another thread.</summary>
    public static double Progress(this DuckDBConnection connection) => connection.GetQueryProgress().Percentage;

    private static DuckDBCommand Command(DuckDBConnection connection, string sql, ReadOnlySpan<object?> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        }

        return command;
    }
}
