using DuckDB.NET.Native;

namespace Wharf.DuckDb;

/// <summary>
/// Streams a query's result one data chunk (2,048 rows) at a time, each column as the vector
/// DuckDB holds it (<see cref="DuckDbVector"/>). This is the hot path of a load into PostgreSQL:
/// DuckDB.NET's <c>DuckDBDataReader</c> hands over one value per call and turns every string
/// into a .NET string, which the binary COPY turned back into UTF-8 (the load phase cost 19% more
/// CPU than Wharf's own bindings did, bench/README.md). Built on DuckDB.NET.Bindings' native methods.
/// </summary>
internal sealed class DuckDbChunkReader : IDisposable
{
    private readonly DuckDBPreparedStatement statement;
    private readonly string sql;
    private DuckDBResult result;
    private DuckDBDataChunk? chunk;
    private bool done;

    private DuckDbChunkReader(DuckDBPreparedStatement statement, DuckDBResult result, string sql)
    {
        this.statement = statement;
        this.result = result;
        this.sql = sql;
        ColumnCount = (int)NativeMethods.Query.DuckDBColumnCount(ref this.result);
    }

    public int ColumnCount { get; }

    /// <summary>Rows in the current chunk.</summary>
    public int Rows { get; private set; }

    /// <exception cref="DuckDbException">DuckDB cannot prepare or run the query.</exception>
    public static DuckDbChunkReader Open(DuckDB.NET.Data.DuckDBConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (NativeMethods.PreparedStatements.DuckDBPrepare(connection.NativeConnection, sql, out var statement) != DuckDBState.Success)
        {
            var error = NativeMethods.PreparedStatements.DuckDBPrepareError(statement);
            statement.Dispose();
            throw new DuckDbException(error, sql);
        }

        if (NativeMethods.PreparedStatements.DuckDBExecutePreparedStreaming(statement, out var result) != DuckDBState.Success)
        {
            var error = NativeMethods.Query.DuckDBResultError(ref result);
            result.Close();
            statement.Dispose();
            throw new DuckDbException(error, sql);
        }

        return new DuckDbChunkReader(statement, result, sql);
    }

    /// <summary>Moves to the next chunk; false at the end of the result.</summary>
    /// <exception cref="DuckDbException">DuckDB failed while computing the chunk (a cast, a full disk…): never a silent end.</exception>
    public bool Next()
    {
        chunk?.Dispose();
        chunk = null;
        Rows = 0;
        if (done)
        {
            return false;
        }

        chunk = NativeMethods.StreamingResult.DuckDBStreamFetchChunk(result);
        if (chunk.IsInvalid)
        {
            done = true;
            var error = NativeMethods.Query.DuckDBResultError(ref result);
            return string.IsNullOrEmpty(error) ? false : throw new DuckDbException(error, sql);
        }

        Rows = (int)NativeMethods.DataChunks.DuckDBDataChunkGetSize(chunk);
        done = Rows == 0;
        return !done;
    }

    /// <summary>Column <paramref name="index"/> of the current chunk; valid until the next <see cref="Next"/>.</summary>
    public DuckDbVector Column(int index) =>
        new(NativeMethods.DataChunks.DuckDBDataChunkGetVector(chunk ?? throw new InvalidOperationException("Call Next() first."), index));

    public void Dispose()
    {
        chunk?.Dispose();
        result.Close();
        statement.Dispose();
    }
}
