using System.Collections.Concurrent;
using System.Text;
using ExcelDataReader;

namespace Wharf.Sources.Files.Excel;

/// <summary>
/// A sheet's rows into its CSV spool file, on a thread of its own: ExcelDataReader parses the
/// workbook's XML on one core while the cells read so far are formatted, typed and written on
/// another (the formatting was a quarter of a big sheet's time). The reader hands over each row's
/// values (immutable boxes, so they stay valid after it moves on) in batches; at most
/// <see cref="BatchesAhead"/> batches wait, so memory does not grow with the sheet. The spool is
/// written in chunk files of <see cref="ChunkRows"/> rows, each handed on when whole, so that
/// DuckDB can write it to the lake while the next rows are read.
/// </summary>
internal sealed class ExcelRowWriter : IDisposable
{
    private const int BatchRows = 1024;
    private const int BatchesAhead = 8;

    /// <summary>Rows per chunk file: a lake part of one Parquet row group (of several when the rows are wide: <see cref="Lake.ExtractColumns.RowBytes"/>).</summary>
    public const int ChunkRows = Lake.LakeWriter.RowGroupSize;

    private readonly Func<StreamWriter> openChunk;
    private readonly Action<int>? chunkWritten;
    private readonly int chunkRows;
    private StreamWriter? spool;
    private int rowsInChunk;
    private readonly ExcelHeader header;
    private readonly string sheet;
    private readonly BlockingCollection<object?[][]> batches = new(BatchesAhead);
    private readonly CancellationTokenSource failed = new();
    private readonly StringBuilder line = new();
    private readonly Task writing;
    private object?[][] batch = new object?[BatchRows][];
    private int count;

    /// <param name="openChunk">A new chunk file, its header line written; the first is opened here, so an empty sheet still has one.</param>
    /// <param name="chunkWritten">Told, on the writing thread, that the last chunk opened is whole and closed, with its rows.</param>
    public ExcelRowWriter(Func<StreamWriter> openChunk, ExcelHeader header, string sheet, Action<int>? chunkWritten = null, int chunkRows = ChunkRows)
    {
        this.openChunk = openChunk;
        this.chunkWritten = chunkWritten;
        this.chunkRows = chunkRows;
        spool = openChunk();
        this.header = header;
        this.sheet = sheet;
        writing = Task.Factory.StartNew(Write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The reader's current row (its header's columns); a formula's cached value, an error cell (#DIV/0!) as empty.</summary>
    public void Add(IExcelDataReader reader)
    {
        var values = new object?[header.Names.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var column = header.FirstColumn + i;
            values[i] = column < reader.FieldCount ? reader.GetValue(column) : null;
        }

        Add(values);
    }

    /// <summary>A row's values, one per header column.</summary>
    internal void Add(object?[] values)
    {
        batch[count++] = values;
        if (count == BatchRows)
        {
            Hand();
        }
    }

    /// <summary>Waits until every row is in the spool file and closes it; rethrows what failed the writing.</summary>
    public void Finish()
    {
        if (count > 0)
        {
            Hand();
        }

        batches.CompleteAdding();
        writing.GetAwaiter().GetResult();
    }

    private void Hand()
    {
        try
        {
            batches.Add(count == BatchRows ? batch : batch[..count], failed.Token);
        }
        catch (OperationCanceledException)
        {
            // The writer stopped (the disk is full): its error is the one to tell.
            writing.GetAwaiter().GetResult();
            throw;
        }

        batch = new object?[BatchRows][];
        count = 0;
    }

    private void Write()
    {
        try
        {
            foreach (var rows in batches.GetConsumingEnumerable())
            {
                foreach (var row in rows)
                {
                    WriteRow(row);
                }
            }

            if (spool is not null)
            {
                CloseChunk();
            }
        }
        catch
        {
            failed.Cancel();
            throw;
        }
    }

    private void WriteRow(object?[] values)
    {
        line.Clear();
        var any = false;
        if (header.AllSheets)
        {
            ExcelColumnType.Quoted(line, sheet);
            line.Append(',');
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            if (values[i] is not { } value || value is string { Length: 0 })
            {
                continue;
            }

            any = true;
            var type = ExcelColumnType.Append(line, value);
            if (!ReferenceEquals(type, header.Types[i]))
            {
                header.Types[i] = header.Types[i].Widen(type);
            }
        }

        // A row with no value in any cell is a gap in the sheet, not a row of NULLs.
        if (any)
        {
            spool ??= openChunk();
            spool.Write(line.Append('\n'));
            if (++rowsInChunk == chunkRows)
            {
                CloseChunk();
            }
        }
    }

    private void CloseChunk()
    {
        spool!.Dispose();
        spool = null;
        chunkWritten?.Invoke(rowsInChunk);
        rowsInChunk = 0;
    }

    /// <summary>Stops the writer (after a failed read too) and closes the spool file, so its folder can go.</summary>
    public void Dispose()
    {
        batches.CompleteAdding();
        try
        {
            writing.Wait();
        }
        catch (AggregateException)
        {
            // Told by Finish, or a read failed first and that error is the one on its way.
        }

        try
        {
            spool?.Dispose();
        }
        catch (IOException) when (failed.IsCancellationRequested)
        {
            // Flushing what is left fails as the writing did (a full disk): that error is the one on its way.
        }

        batches.Dispose();
        failed.Dispose();
    }
}
