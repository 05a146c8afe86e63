using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Wharf.DuckDb;

/// <summary>A source's rows, read one at a time on whichever thread DuckDB asks from.</summary>
internal interface IRowSource
{
    /// <summary>Moves to the next row; false after the last.</summary>
    bool MoveNext();

    /// <summary>Writes every cell of the current row into <paramref name="rows"/> (the caller ends the row).</summary>
    void Write(DuckDbChunkRows rows);
}

/// <summary>
/// A table function over rows that .NET reads (a database's COPY stream, a data reader): as a
/// query over it runs, DuckDB asks for a chunk at a time, and the rows are written straight into
/// the chunk it gives. So <c>COPY (SELECT … FROM fn()) TO 'part.parquet'</c> streams a source into
/// a lake file with nothing held in between: no table to fill and read back, no memory that grows
/// with the rows (a staging table did both: bench/README.md). Each query reads on from where the
/// last one stopped, up to the limit it is given, so one source can fill part after part.
/// Registered through DuckDB.NET.Bindings' C API; the function lives as long as its database.
/// </summary>
internal sealed unsafe class DuckDbRowFunction : DuckDbChunkRows, IDisposable
{
    private readonly string[] names;
    private readonly DuckDBLogicalType[] logicalTypes;
    private IRowSource? source;
    private bool hasRow;
    private long limit;
    private CancellationToken cancellation;
    private ExceptionDispatchInfo? failure;
    private ExecutionContext? flow;

    private DuckDbRowFunction(string function, string[] names, DuckDBLogicalType[] logicalTypes, DuckDBType[] types)
        : base(types, function)
    {
        this.names = names;
        this.logicalTypes = logicalTypes;
    }

    /// <summary>The SQL that reads the function, e.g. <c>wharf_rows()</c>.</summary>
    public string Sql => $"{Name}()";

    /// <summary>Rows the current query read.</summary>
    public long Rows { get; private set; }

    /// <summary>Whether the source has rows that no query read yet.</summary>
    public bool HasMore => hasRow;

    /// <summary>Registers a function named <paramref name="function"/> on the connection, with columns of the given DuckDB types.</summary>
    /// <exception cref="NotSupportedException">A column of a type rows are never written to (a decimal, a list…).</exception>
    /// <exception cref="DuckDbException">DuckDB refused a type or the function.</exception>
    public static DuckDbRowFunction Register(DuckDBConnection connection, string function, IReadOnlyList<(string Name, string Type)> columns)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(columns);
        var logicalTypes = LogicalTypes(connection, columns);
        var types = logicalTypes.Select(NativeMethods.LogicalType.DuckDBGetTypeId).ToArray();
        if (Array.FindIndex(types, t => Size(t) == 0) is var unsupported and >= 0)
        {
            Array.ForEach(logicalTypes, t => t.Dispose());
            throw new NotSupportedException($"{function} column {columns[unsupported].Name} is a {types[unsupported]}, which Wharf does not write rows of.");
        }

        var rows = new DuckDbRowFunction(function, [.. columns.Select(c => c.Name)], logicalTypes, types);
        var handle = GCHandle.Alloc(rows);
        var native = NativeMethods.TableFunction.DuckDBCreateTableFunction();
        try
        {
            NativeMethods.TableFunction.DuckDBTableFunctionSetName(native, function);
            NativeMethods.TableFunction.DuckDBTableFunctionSetExtraInfo(native, GCHandle.ToIntPtr(handle), &Free);
            NativeMethods.TableFunction.DuckDBTableFunctionSetBind(native, &BindColumns);
            NativeMethods.TableFunction.DuckDBTableFunctionSetInit(native, &InitNothing);
            NativeMethods.TableFunction.DuckDBTableFunctionSetFunction(native, &Produce);
            if (NativeMethods.TableFunction.DuckDBRegisterTableFunction(connection.NativeConnection, native) != DuckDBState.Success)
            {
                throw new DuckDbException($"DuckDB refused the table function {function}.", null);
            }
        }
        catch
        {
            rows.Dispose();
            throw;
        }
        finally
        {
            // DuckDB keeps its own copy, and frees the handle (Free) when the database closes; a
            // function it refused frees it here.
            NativeMethods.TableFunction.DuckDBDestroyTableFunction(ref native);
        }

        return rows;
    }

    /// <summary>
    /// Starts reading <paramref name="rows"/>: moves to its first row, on the calling thread. DuckDB
    /// may ask for the rest on a thread of its own; they are read in the caller's execution context
    /// all the same, so what flows with it (the run's count of bytes read) sees every read.
    /// </summary>
    public void Start(IRowSource rows)
    {
        source = rows;
        flow = ExecutionContext.Capture();
        hasRow = rows.MoveNext();
    }

    /// <summary>Lets the next query read at most <paramref name="maxRows"/> rows.</summary>
    public void Next(long maxRows, CancellationToken cancellationToken)
    {
        (limit, cancellation, Rows, failure) = (maxRows, cancellationToken, 0, null);
    }

    /// <summary>After a query failed: the source's own exception, if it was the source that failed (DuckDB carries only its message).</summary>
    public void ThrowIfSourceFailed() => failure?.Throw();

    public void Dispose() => Array.ForEach(logicalTypes, t => t.Dispose());

    private void Fill(DuckDBDataChunk output)
    {
        Bind(output);
        cancellation.ThrowIfCancellationRequested();
        var room = (int)Math.Min(Capacity, limit - Rows);
        while (hasRow && Count < room)
        {
            source!.Write(this);
            EndRow();
            hasRow = source.MoveNext();
        }

        Rows += Count;
        NativeMethods.DataChunks.DuckDBDataChunkSetSize(output, (ulong)Count);
    }

    /// <summary>The columns' DuckDB types, as DuckDB itself reads their names (a query of typed NULLs, no rows).</summary>
    private static DuckDBLogicalType[] LogicalTypes(DuckDBConnection connection, IReadOnlyList<(string Name, string Type)> columns)
    {
        var sql = $"SELECT {string.Join(", ", columns.Select((c, i) => $"CAST(NULL AS {c.Type}) AS c{i}"))} LIMIT 0";
        var state = NativeMethods.Query.DuckDBQuery(connection.NativeConnection, sql, out var result);
        try
        {
            if (state != DuckDBState.Success)
            {
                throw new DuckDbException($"DuckDB does not know a column type of {sql}: {NativeMethods.Query.DuckDBResultError(ref result)}", null);
            }

            return [.. columns.Select((_, i) => NativeMethods.Query.DuckDBColumnLogicalType(ref result, i))];
        }
        finally
        {
            NativeMethods.Query.DuckDBDestroyResult(ref result);
        }
    }

    private static DuckDbRowFunction Of(IntPtr extraInfo) => (DuckDbRowFunction)GCHandle.FromIntPtr(extraInfo).Target!;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void BindColumns(IntPtr info)
    {
        try
        {
            var rows = Of(NativeMethods.TableFunction.DuckDBBindGetExtraInfo(info));
            for (var i = 0; i < rows.names.Length; i++)
            {
                NativeMethods.TableFunction.DuckDBBindAddResultColumn(info, rows.names[i], rows.logicalTypes[i]);
            }
        }
        catch (Exception ex)
        {
            NativeMethods.TableFunction.DuckDBBindSetError(info, ex.Message);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void InitNothing(IntPtr info)
    {
        // DuckDB requires an init; the state lives in the function object (one query at a time).
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Produce(IntPtr info, IntPtr output)
    {
        DuckDbRowFunction? rows = null;
        try
        {
            rows = Of(NativeMethods.TableFunction.DuckDBFunctionGetExtraInfo(info));
            var chunk = new DuckDBDataChunk(output);
            if (rows.flow is { } flow)
            {
                ExecutionContext.Run(flow, static state =>
                {
                    var (function, into) = ((DuckDbRowFunction, DuckDBDataChunk))state!;
                    function.Fill(into);
                }, (rows, chunk));
            }
            else
            {
                rows.Fill(chunk);
            }
        }
        catch (Exception ex)
        {
            // Nothing may cross into native code: the exception waits for ThrowIfSourceFailed.
            rows?.failure = ExceptionDispatchInfo.Capture(ex);
            NativeMethods.TableFunction.DuckDBFunctionSetError(info, ex.Message);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(IntPtr extraInfo) => GCHandle.FromIntPtr(extraInfo).Free();
}
