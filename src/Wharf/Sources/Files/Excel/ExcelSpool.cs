using System.Text;
using ExcelDataReader;
using Wharf.Projects;

namespace Wharf.Sources.Files.Excel;

/// <summary>
/// Excel workbooks as a relation DuckDB can read: each chosen sheet's rows are streamed by
/// ExcelDataReader into CSV spool files with its header (<see cref="ExcelRowWriter"/>, a few
/// thousand rows in memory at a time, a file per chunk of rows), while each column's type is
/// followed from the cells (<see cref="ExcelColumnType"/>); the relation then reads the spool files
/// with those types, so nothing is guessed twice. Each chunk can be read on its own as soon as it is
/// written (<see cref="ExcelChunk"/>). The spool goes when this is disposed.
/// </summary>
internal sealed class ExcelSpool : IDisposable
{
    /// <summary>The column that says which sheet a row came from, with <c>sheet: "*"</c>.</summary>
    public const string SheetColumn = "_sheet";

    private readonly string folder = Directory.CreateTempSubdirectory("wharf-excel-").FullName;
    private readonly List<string> files = [];
    private readonly Dictionary<string, ExcelColumnType> types = new(StringComparer.Ordinal);
    private readonly List<string> order = [];
    private Action<ExcelChunk>? chunkWritten;
    private int chunkRows;
    private long rows;

    static ExcelSpool()
    {
        // .xls files carry text in Windows code pages, which .NET only reads with this provider.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    private ExcelSpool()
    {
    }

    /// <summary>What a run should know: sheets skipped because they have no header row.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The rows of every chosen sheet of every workbook, typed.</summary>
    /// <param name="relative">A workbook's name as messages show it.</param>
    /// <exception cref="ExcelException">A workbook cannot be read, or the settings do not fit it.</exception>
    /// <param name="chunkWritten">Told of each chunk file once it is whole, on the thread that wrote it.</param>
    public static ExcelSpool Write(
        IReadOnlyList<string> workbooks, ExcelSettings settings, Func<string, string> relative, Action<ExcelChunk>? chunkWritten = null, int chunkRows = ExcelRowWriter.ChunkRows)
    {
        var spool = new ExcelSpool { chunkWritten = chunkWritten, chunkRows = chunkRows };
        try
        {
            foreach (var workbook in workbooks)
            {
                spool.WriteWorkbook(workbook, relative(workbook), settings);
            }

            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>DuckDB's reader over the spool with every column's type; columns that never held a value are left out.</summary>
    public string Relation(string workbooks)
    {
        if (files.Count == 0)
        {
            throw new ExcelException(workbooks, null, "has no rows under its header row in the sheets chosen. Check 'excel: { sheet, header_row, range }'.");
        }

        var empty = order.Where(c => IsUnnamedAndEmpty(c, types[c])).ToList();
        var read = ReadCsv(files, order.Select(c => KeyValuePair.Create(c, types[c].DuckDbType)), unionByName: true);
        return empty.Count == 0 ? read : $"(SELECT * EXCLUDE ({string.Join(", ", empty.Select(Quote.Identifier))}) FROM {read})";
    }

    /// <summary>
    /// The columns <see cref="Relation"/> yields, with their types (the lake writer need not ask
    /// DuckDB) and the bytes of a row of the spool (the lake's row groups are sized to them).
    /// </summary>
    public Lake.ExtractColumns Columns => ColumnsWith(c => types[c]).WithWidth(files.Sum(f => new FileInfo(f).Length), Interlocked.Read(ref rows));

    /// <summary>
    /// One chunk's rows as <paramref name="columns"/>: those the chunk's sheet lacks are NULL. The
    /// chunk's own columns that are not wanted (left out as unnamed and empty) are not read.
    /// </summary>
    public static string ChunkRelation(ExcelChunk chunk, Lake.ExtractColumns columns)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(columns);
        var wanted = columns.Columns.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        var read = ReadCsv([chunk.File], chunk.FileColumns.Select(c => KeyValuePair.Create(c, wanted.GetValueOrDefault(c, "VARCHAR"))), unionByName: false);
        var projection = columns.Columns.Select(c => chunk.FileColumns.Contains(c.Key)
            ? Quote.Identifier(c.Key)
            : $"CAST(NULL AS {c.Value}) AS {Quote.Identifier(c.Key)}");
        return $"(SELECT {string.Join(", ", projection)} FROM {read})";
    }

    private static string ReadCsv(IEnumerable<string> paths, IEnumerable<KeyValuePair<string, string>> columns, bool unionByName) =>
        $"read_csv([{string.Join(", ", paths.Select(Quote.Literal))}], header = true, delim = ',', quote = '\"', escape = '\"', " +
        $"nullstr = '', allow_quoted_nulls = false, strict_mode = true, union_by_name = {(unionByName ? "true" : "false")}, " +
        $"types = {{{string.Join(", ", columns.Select(c => $"{Quote.Literal(c.Key)}: '{c.Value}'"))}}})";

    private Lake.ExtractColumns ColumnsWith(Func<string, ExcelColumnType> typeOf) =>
        new([.. order.Where(c => !IsUnnamedAndEmpty(c, typeOf(c))).Select(c => KeyValuePair.Create(c, typeOf(c).DuckDbType))]);

    private static bool IsUnnamedAndEmpty(string column, ExcelColumnType type) => type.IsEmpty && column.StartsWith(ExcelHeader.UnnamedPrefix, StringComparison.Ordinal);

    private void WriteWorkbook(string path, string shown, ExcelSettings settings)
    {
        using var stream = File.Open(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        IExcelDataReader reader;
        try
        {
            reader = ExcelReaderFactory.CreateReader(stream);
        }
        catch (Exception ex) when (ex is ExcelDataReader.Exceptions.InvalidPasswordException)
        {
            throw new ExcelException(shown, null, "is protected by a password, which Wharf cannot open. Save a copy without the password (File → Info → Protect Workbook).", ex);
        }
        catch (Exception ex) when (ex is ExcelDataReader.Exceptions.ExcelReaderException or InvalidDataException or NotSupportedException or ArgumentException or IOException)
        {
            throw new ExcelException(shown, null, $"is not an Excel workbook that can be read, or it is damaged ({ex.Message}). Open it in Excel and save it again as .xlsx.", ex);
        }

        using (reader)
        {
            var sheets = new List<string>();
            var chosen = 0;
            do
            {
                sheets.Add(reader.Name);
                if (settings.AllSheets || (settings.SheetName is { } name ? reader.Name == name : sheets.Count == settings.SheetNumber))
                {
                    chosen++;
                    WriteSheet(reader, shown, settings);
                }
            }
            while (reader.NextResult());

            if (chosen == 0)
            {
                var wanted = settings.SheetName is { } name ? $"no sheet named '{name}'" : $"no sheet {settings.SheetNumber} (it has {sheets.Count})";
                throw new ExcelException(shown, null, $"has {wanted}. Its sheets: {string.Join(", ", sheets.Select(s => $"'{s}'"))}.");
            }
        }
    }

    private void WriteSheet(IExcelDataReader reader, string workbook, ExcelSettings settings)
    {
        var range = settings.Range;
        var headerRow = (settings.HeaderRow ?? (range?.FirstRow ?? 0) + 1) - 1;
        var firstColumn = range?.FirstColumn ?? 0;
        var row = -1;
        ExcelHeader? header = null;
        ExcelRowWriter? rows = null;
        try
        {
            while (reader.Read())
            {
                row++;
                if (row < headerRow)
                {
                    continue;
                }

                if (range?.LastRow is { } last && row > last)
                {
                    break;
                }

                if (row == headerRow)
                {
                    var lastColumn = Math.Min(range?.LastColumn ?? (reader.FieldCount - 1), reader.FieldCount - 1);
                    if (lastColumn < firstColumn)
                    {
                        throw new ExcelException(workbook, reader.Name, $"has {reader.FieldCount} column(s), so range {range!.Text} holds nothing.");
                    }

                    header = ExcelHeader.Read(reader, row, firstColumn, lastColumn, settings.AllSheets);
                    var sheetHeader = header;
                    rows = new ExcelRowWriter(() => OpenChunk(sheetHeader), header, reader.Name, chunk => ChunkWritten(sheetHeader, chunk), chunkRows);
                    continue;
                }

                if (row <= headerRow + settings.SkipRows)
                {
                    continue;
                }

                rows!.Add(reader);
            }

            rows?.Finish();
        }
        finally
        {
            rows?.Dispose();
        }

        for (var i = 0; header is not null && i < header.Names.Count; i++)
        {
            types[header.Names[i]] = types[header.Names[i]].Widen(header.Types[i]);
        }

        if (header is null)
        {
            var message = $"has {row + 1} row(s), so it has no header row {headerRow + 1}{(range is null ? "" : $" (range {range.Text})")}.";
            if (!settings.AllSheets)
            {
                throw new ExcelException(workbook, reader.Name, message + " Set 'excel: { header_row: N }' to the row that holds the column names.");
            }

            Notes.Add($"{workbook}, sheet '{reader.Name}' {message} It was skipped.");
        }
    }

    /// <summary>
    /// A new spool file for a sheet's next chunk of rows, with the header line. Called by the
    /// sheet's <see cref="ExcelRowWriter"/> (its first chunk on this thread, the next on its own),
    /// while this thread only waits for the sheet's rows: the lists are never touched at once.
    /// </summary>
    private StreamWriter OpenChunk(ExcelHeader header)
    {
        var path = Path.Combine(folder, $"chunk-{files.Count:D5}.csv");
        files.Add(path);
        var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        var names = FileColumns(header);
        foreach (var name in names)
        {
            if (!types.ContainsKey(name))
            {
                types[name] = name == SheetColumn ? ExcelColumnType.Text : ExcelColumnType.Empty;
                order.Add(name);
            }
        }

        writer.Write(string.Join(',', names.Select(Csv)));
        writer.Write('\n');
        return writer;
    }

    private static IReadOnlyList<string> FileColumns(ExcelHeader header) => header.AllSheets ? [SheetColumn, .. header.Names] : header.Names;

    /// <summary>The chunk just closed, with the columns the extract would have if its rows ended here, and its rows' width.</summary>
    private void ChunkWritten(ExcelHeader header, int rowsInChunk)
    {
        Interlocked.Add(ref rows, rowsInChunk);
        if (chunkWritten is null)
        {
            return;
        }

        var sheet = header.Names.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => header.Types[c.i], StringComparer.Ordinal);
        var columns = ColumnsWith(c => sheet.TryGetValue(c, out var type) ? types[c].Widen(type) : types[c]);
        chunkWritten(new ExcelChunk(files[^1], FileColumns(header), columns.WithWidth(new FileInfo(files[^1]).Length, rowsInChunk)));
    }

    private static string Csv(string text)
    {
        var quoted = new StringBuilder();
        ExcelColumnType.Quoted(quoted, text);
        return quoted.ToString();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; the run's result is not.
        }
    }
}

/// <summary>A whole chunk file of the spool, and the columns (with their types) of the rows read up to its last.</summary>
/// <param name="FileColumns">The columns in the file's header line, in order.</param>
internal sealed record ExcelChunk(string File, IReadOnlyList<string> FileColumns, Lake.ExtractColumns Columns);
