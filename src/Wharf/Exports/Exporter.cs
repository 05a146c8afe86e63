using System.Data.Common;
using System.Globalization;
using Wharf.DuckDb;
using Wharf.Runs;
using Wharf.Warehouses;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>
/// Writes a table's or query's rows to a file, streaming from either warehouse: DuckDB's COPY for
/// the formats it writes, Wharf's writers for the others (and for every format on PostgreSQL).
/// The file is written beside its target and moved into place when complete, so a failed export
/// leaves what was there. Each export is a run of kind <c>export</c> in <c>_wharf.runs</c>.
/// </summary>
internal sealed class Exporter(IWarehouse warehouse, TimeProvider time)
{
    public async Task<RunRecord> ExportAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetUtcNow();
        var record = new RunRecord
        {
            RunId = RunId.New(started),
            Pipeline = request.Name,
            Stream = request.Name,
            Source = request.Table ?? "query",
            Target = request.Path,
            Mode = ExportFormats.Extension(request.Format).TrimStart('.'),
            StartedAt = started,
            Kind = "export",
        };
        var partial = request.Path + ".wharf-partial";
        try
        {
            Prepare(request, partial);
            var rows = request.Table is not null && request.PartitionBy.IsEmpty
                ? await WholeTableAsync(request, partial, cancellationToken)
                : await RowsAsync(request, partial, wholeTable: false, cancellationToken);
            Publish(request, partial);
            record = record with { RowsExtracted = rows, RowsLoaded = rows, Status = RunStatus.Succeeded, FinishedAt = time.GetUtcNow() };
        }
        catch (Exception ex) when (ex is WharfException or DbException or IOException or UnauthorizedAccessException)
        {
            Discard(partial);
            record = record with { Status = RunStatus.Failed, Error = $"Export {request.Name} to {request.Path} failed: {Reason(ex)}", FinishedAt = time.GetUtcNow() };
        }
        catch
        {
            // A bug or a cancellation still goes up as it is, but leaves no half-written file behind.
            Discard(partial);
            throw;
        }

        await warehouse.RecordAsync(record, cancellationToken);
        return record;
    }

    private static string Reason(Exception ex) => DuckDbException.IsOutOfMemory(ex)
        ? $"{DuckDbException.Condense(ex.Message)} The export needs more memory than the warehouse's limit: {DuckDbException.RaiseMemoryLimit}."
        : ex.Message;

    /// <summary>The rows to export; partitioned by Wharf's writers, ordered by the partition columns so each partition's file is written once.</summary>
    private static string Query(ExportRequest request, bool ordered)
    {
        var query = request.Query is { } sql ? sql.Trim().TrimEnd(';') : $"SELECT * FROM {Table(request.Table!)}";
        return ordered && !request.PartitionBy.IsEmpty
            ? $"SELECT * FROM ({query}) AS e ORDER BY {string.Join(", ", request.PartitionBy.Select(Quote.Identifier))}"
            : query;
    }

    private static string Table(string table)
    {
        var parts = table.Split('.', 2);
        return parts.Length == 2 ? Quote.Qualified(parts[0], parts[1]) : Quote.Qualified("main", parts[0]);
    }

    /// <summary>
    /// A whole table, in one pass under a lean memory limit (<see cref="IWarehouse.ScanWholeTable"/>);
    /// a table too wide for it (DuckDB out of memory) is written again under the warehouse's own limit.
    /// </summary>
    private async Task<long> WholeTableAsync(ExportRequest request, string partial, CancellationToken cancellationToken)
    {
        using (var lean = warehouse.ScanWholeTable())
        {
            try
            {
                return await RowsAsync(request, partial, wholeTable: true, cancellationToken);
            }
            catch (Exception ex) when (lean is not null && DuckDbException.IsOutOfMemory(ex))
            {
                Discard(partial);
            }
        }

        return await RowsAsync(request, partial, wholeTable: true, cancellationToken);
    }

    private async Task<long> RowsAsync(ExportRequest request, string partial, bool wholeTable, CancellationToken cancellationToken) =>
        warehouse.Dialect.CopiesToFiles && DuckDbCopy.Writes(request.Format)
            ? await CopyAsync(request, partial, wholeTable, cancellationToken)
            : await WriteAsync(request, partial, cancellationToken);

    private async Task<long> CopyAsync(ExportRequest request, string partial, bool wholeTable, CancellationToken cancellationToken)
    {
        await using var connection = await warehouse.ConnectAsync(cancellationToken);
        var rowBytes = wholeTable ? await DuckDbCopy.RowBytesAsync(connection, Table(request.Table!), cancellationToken) : (double?)null;
        var query = Query(request, ordered: false);
        var columns = await DuckDbCopy.ColumnsAsync(connection, query, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = DuckDbCopy.Statement(DuckDbCopy.Exact(query, columns, request.Format, request.PartitionBy), partial, request.Format, request.PartitionBy, rowBytes)!;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<long> WriteAsync(ExportRequest request, string partial, CancellationToken cancellationToken)
    {
        using var reader = warehouse.Query(Query(request, ordered: true));
        var all = ExportColumn.Of(reader);
        var partitions = request.PartitionBy.Select(p => all.ToList().FindIndex(c => c.Name == p) is var i and >= 0 ? i
            : throw new WharfException($"--partition-by {p}: the rows have no such column (they have {string.Join(", ", all.Select(c => c.Name))}).")).ToList();
        var written = all.Select((c, i) => (Ordinal: i, Column: c)).Where(c => !partitions.Contains(c.Ordinal)).ToList();
        IExportWriter? writer = null;
        Stream? file = null;
        string? folder = null;
        long rows = 0;
        try
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var here = partitions.Count == 0 ? partial : Path.Combine(partial, Hive(reader, partitions, all));
                if (here != folder)
                {
                    await CloseAsync();
                    folder = here;
                    var path = partitions.Count == 0 ? here : Path.Combine(here, "part-0" + ExportFormats.Extension(request.Format));
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    file = File.Create(path);
                    writer = await OpenAsync(request, file, reader, written, cancellationToken);
                }

                await writer!.WriteRowAsync(reader, cancellationToken);
                rows++;
            }

            if (writer is null && partitions.Count == 0)
            {
                // No rows: still a file, with the header (or an empty array, an empty sheet).
                file = File.Create(partial);
                writer = await OpenAsync(request, file, reader, written, cancellationToken);
            }

            await CloseAsync();
            return rows;
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }

            file?.Dispose();
        }

        async Task CloseAsync()
        {
            if (writer is not null)
            {
                await writer.CompleteAsync(cancellationToken);
                await writer.DisposeAsync();
                writer = null;
            }

            if (file is not null)
            {
                await file.DisposeAsync();
                file = null;
            }
        }
    }

    private static async Task<IExportWriter> OpenAsync(ExportRequest request, Stream file, DbDataReader reader, IReadOnlyList<(int Ordinal, ExportColumn Column)> columns, CancellationToken cancellationToken) =>
        request.Format switch
        {
            ExportFormat.Csv => new CsvExportWriter(file, columns, gzip: false),
            ExportFormat.CsvGz => new CsvExportWriter(file, columns, gzip: true),
            ExportFormat.Json => new JsonExportWriter(file, columns, lines: false),
            ExportFormat.NdJson => new JsonExportWriter(file, columns, lines: true),
            ExportFormat.Markdown => new MarkdownExportWriter(file, columns),
            ExportFormat.Html => new HtmlExportWriter(file, columns, request.Name),
            ExportFormat.Xlsx => new XlsxExportWriter(file, columns, request.Name),
            _ => await ParquetExportWriter.CreateAsync(file, reader, columns, cancellationToken),
        };

    /// <summary><c>year=2024/month=5</c>: Hive's layout, values escaped for paths, NULL as Hive writes it.</summary>
    private static string Hive(DbDataReader reader, List<int> partitions, IReadOnlyList<ExportColumn> columns) =>
        Path.Combine([.. partitions.Select(i => $"{columns[i].Name}={(ExportValues.Text(reader, i, columns[i]) is { } value ? Uri.EscapeDataString(value) : "__HIVE_DEFAULT_PARTITION__")}")]);

    private static void Prepare(ExportRequest request, string partial)
    {
        if (!request.Overwrite && (File.Exists(request.Path) || Directory.Exists(request.Path)))
        {
            throw new WharfException($"{request.Path} exists. Add --overwrite (or overwrite: true) to replace it.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(request.Path)!);
        Discard(partial);
    }

    private static void Publish(ExportRequest request, string partial)
    {
        if (Directory.Exists(partial))
        {
            Discard(request.Path);
            Directory.Move(partial, request.Path);
        }
        else
        {
            if (Directory.Exists(request.Path))
            {
                Directory.Delete(request.Path, recursive: true);
            }

            File.Move(partial, request.Path, overwrite: true);
        }
    }

    private static void Discard(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
