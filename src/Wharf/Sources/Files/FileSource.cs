using DuckDB.NET.Data;
using System.Collections.Immutable;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Files;

/// <summary>
/// CSV/TSV, JSON, NDJSON, Parquet and Excel files, from a local folder or a remote location (S3),
/// read by DuckDB's own readers. A pipeline's globs are resolved here by listing the location, so
/// a missing file or an empty glob is reported before anything is read; remote files are
/// downloaded whole into the run's spool (see <see cref="Locations.FileSpool"/>), zips unpacked.
/// </summary>
/// <param name="context">What the run lends: the lake (earlier runs' child tables, <see cref="VanishedLists"/>; the spool), time, logging.</param>
internal sealed partial class FileSource(ConnectionSettings connection, PipelineSettings pipeline, SourceContext? context = null) : ISource, IAsyncDisposable
{
    private readonly List<string> notes = [];
    private readonly Dictionary<string, Locations.FileSpool.SpooledFile> spooled = new(StringComparer.Ordinal);
    private string? LakeDirectory => context?.LakeDirectory;
    private Locations.IFileLocation? location;
    private Locations.FileSpool? spool;
    private ImmutableHashSet<string> loadedBefore = [];
    private IReadOnlyList<Locations.LocationEntry> loadedNow = [];

    /// <summary>With <c>incremental: files</c>: the files the root stream's state says are loaded already.</summary>
    public void Resume(IReadOnlyList<Incremental.StreamState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        loadedBefore = [.. states.FirstOrDefault(s => s.Stream == pipeline.Table)?.LoadedFiles ?? []];
    }

    public async Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        var matched = await MatchAsync(cancellationToken);
        var selected = NewFiles(matched);
        loadedNow = selected;
        var files = SkipEmpty(await FetchAsync(selected, cancellationToken));
        ImmutableArray<string>? loaded = pipeline.Incremental.NewFilesOnly ? [.. matched.Select(e => e.Identity)] : null;
        if (files.Count == 0 && selected.Count > 0)
        {
            // Nothing to add; but a replace would have to empty the table, and a file cut short
            // on its way (a failed upload) must not do that: it says so instead.
            return pipeline.Mode != WriteMode.Replace
                ? [new SourceStream(pipeline.Table, $"only empty files matching {string.Join(", ", pipeline.Files)}", pipeline.Table, [], 0) { LoadedFiles = loaded }]
                : throw new SourceException(connection.Name, pipeline.Table,
                    $"Pipeline '{pipeline.Name}' ({pipeline.Location}): every file it reads is empty (0 bytes: no header, no rows: {string.Join(", ", selected.Select(e => e.Path))}), and mode: replace would empty the table. " +
                    "Nothing was loaded. To empty the table, give it a file with the header line only.");
        }

        if (files.Count == 0)
        {
            notes.Add(matched.Count == 0
                ? $"no new files: nothing matches {string.Join(", ", pipeline.Files)} in {Where}."
                : $"no new files: the {matched.Count} files matching {string.Join(", ", pipeline.Files)} in {Where} were all loaded before.");
            return [new SourceStream(pipeline.Table, $"no new files matching {string.Join(", ", pipeline.Files)}", pipeline.Table, [], 0) { LoadedFiles = loaded }];
        }

        var format = ResolveFormat(files);
        var description = files.Count == 1 ? Relative(files[0]) : $"{files.Count} {format.ToString().ToLowerInvariant()} files matching {string.Join(", ", pipeline.Files)}";
        if (location is not Locations.LocalFolderLocation)
        {
            description += $" in {Where}";
        }

        var root = new SourceStream(pipeline.Table, description, pipeline.Table, files, files.Sum(f => new FileInfo(f).Length)) { LoadedFiles = loaded };
        if (format is not (FileFormat.Json or FileFormat.NdJson))
        {
            return [root];
        }

        // Nested JSON: every list becomes a child table, extracted as a stream of its own; under a
        // cursor, with the root's part instead (see ExtractAsync), so they commit together.
        using var describe = DuckDbConnections.Open(null);
        var children = Nested(describe, format, files).Where(t => !t.Path.IsEmpty).ToList();
        if (children.Count > 0 && pipeline.Incremental.HasCursor)
        {
            if (pipeline.Incremental.DetectDeletes)
            {
                throw new SourceException(connection.Name, pipeline.Table,
                    $"Pipeline '{pipeline.Name}' ({pipeline.Location}): its JSON has lists ({string.Join(", ", children.Select(c => string.Join(".", c.Path)))}), which become child tables, " +
                    "and under a cursor the rows of child tables are not deleted with their parents yet. Remove 'detect_deletes:' (or 'cursor:'), or keep the lists as JSON columns with 'max_nesting: 0'.");
            }

            return [root];
        }

        var listed = children.Select(c => c.Table).ToHashSet(StringComparer.Ordinal);
        return [root, .. children.Select(c => new SourceStream(c.Table, $"{description}, list {string.Join(".", c.Path)}", c.Table, files)
        {
            PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex],
            NestedPath = c.Path,
            LoadedFiles = loaded,
        }), .. await VanishedLists.FindAsync(context?.Lake, pipeline, listed, files, description, cancellationToken)];
    }

    /// <summary>
    /// The files with something in them. A file of 0 bytes has no header and no rows: read with the
    /// others it would add a column of DuckDB's naming (<c>column0</c>) to the table, so it is left
    /// out, and the run's notes name it.
    /// </summary>
    private List<string> SkipEmpty(IReadOnlyList<string> files)
    {
        var empty = files.Where(f => new FileInfo(f).Length == 0).ToList();
        if (empty.Count > 0)
        {
            notes.Add($"skipped {(empty.Count == 1 ? "an empty file" : $"{empty.Count} empty files")} (0 bytes: no header, no rows): {string.Join(", ", empty.Select(Relative))}.");
        }

        return [.. files.Except(empty)];
    }

    /// <summary>The tables nested JSON files become (the root first).</summary>
    private IReadOnlyList<NestedTable> Nested(DuckDBConnection workArea, FileFormat format, IReadOnlyList<string> files)
    {
        try
        {
            return NestedJson.Plan(workArea, FileReaderSql.Build(format, files, pipeline.Csv), pipeline.Table, pipeline.PrimaryKey, pipeline.Rules.MaxNesting);
        }
        catch (DuckDbException ex)
        {
            throw FileErrors.Explain(ex, format, files, pipeline, connection, Relative);
        }
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        if (stream.Files.Count == 0 && stream.EmptiedColumns.IsEmpty)
        {
            return [];
        }

        var format = ResolveFormat(stream.Files);

        // A whole workbook into one part per chunk of rows, written while the next rows are read.
        var early = format == FileFormat.Excel && request.OnPart is null && request.Columns.IsEmpty && request.From is null && stream.EmptiedColumns.IsEmpty;
        await using var parts = early ? new Excel.ExcelLakeParts(request, cancellationToken) : null;
        using var excel = format == FileFormat.Excel ? ReadWorkbooks(stream, parts is null ? null : parts.Add) : null;
        var relation = excel?.Relation(stream.Description) ?? FileReaderSql.Build(format, stream.Files, pipeline.Csv);
        IReadOnlyList<NestedTable> nested = [];
        if (!stream.EmptiedColumns.IsEmpty)
        {
            relation = $"({VanishedLists.EmptySelect(stream.EmptiedColumns)})";
        }
        else if (format is FileFormat.Json or FileFormat.NdJson)
        {
            nested = Nested(request.WorkArea, format, stream.Files);
            var table = nested.FirstOrDefault(t => t.Table == stream.Target)
                ?? throw new SourceException(connection.Name, pipeline.Table,
                    $"Pipeline '{pipeline.Name}' ({pipeline.Location}): the JSON no longer has the list that {stream.Target} was made from. Run again: the tables are found anew each run.");
            relation = $"({table.Sql})";
        }

        var sourceFiles = stream.Files.Select(Identified).ToImmutableArray();
        var numbersAsText = ImmutableDictionary<string, string>.Empty;
        try
        {
            var csv = format is FileFormat.Csv or FileFormat.Tsv;
            // Where a line or an array's element is a row, it says how wide the rows are (the lake's
            // row groups are sized to them); a list's child rows and a selection of columns are narrower.
            var whole = request.Columns.IsEmpty && stream.EmptiedColumns.IsEmpty && stream.NestedPath.IsEmpty;
            var width = !whole ? null
                : csv || format == FileFormat.NdJson ? RowWidth.OfLines(stream.Files[0])
                : format == FileFormat.Json ? RowWidth.OfArrayElements(stream.Files[0])
                : null;
            // A workbook's spool is typed cell by cell already (only a selection of columns asks DuckDB again).
            var known = excel?.Columns;
            if (parts is not null)
            {
                return await parts.KeepAsync(known!, sourceFiles, cancellationToken);
            }

            var select = $"SELECT * FROM {relation}";
            if (csv || !request.Columns.IsEmpty || request.From is not null)
            {
                var columns = Describe(request.WorkArea, relation);
                var selected = request.Columns.IsEmpty ? columns : Schema.ColumnNames.Pick(columns, request.Columns, c => c.Name, stream.Name, "primary_key");
                var declaredText = csv ? DeclaredText(selected, stream.Target) : [];
                if (csv)
                {
                    RefuseAmbiguousDates(request.WorkArea, format, stream.Files, [.. selected.Where(c => !declaredText.Contains(c.Name)).Select(c => (c.Name, c.Type))]);
                    numbersAsText = NumbersAsText([.. selected.Where(c => !declaredText.Contains(c.Name))], request.Cursor, stream.Name);
                    if (!numbersAsText.IsEmpty || declaredText.Count > 0)
                    {
                        relation = FileReaderSql.Build(format, stream.Files, pipeline.Csv, [.. numbersAsText.Keys, .. declaredText]);
                    }
                }

                // DuckDB has sniffed the files once: the lake writer takes the columns from here.
                // Reading some as text changes only their type.
                select = Select(request, relation, columns, selected, stream.Name);
                known = new ExtractColumns([.. selected.Select(c => KeyValuePair.Create(c.Name, numbersAsText.ContainsKey(c.Name) || declaredText.Contains(c.Name) ? "VARCHAR" : c.Type))])
                {
                    NumbersAsText = numbersAsText,
                    RowBytes = width?.RowBytes,
                };
            }

            known ??= width;

            var manifest = await request.Lake.WriteAsync(request.WorkArea, request.Target, select, sourceFiles, known, cancellationToken);

            // Under a cursor, the lists of the records past the bound are the part's child tables.
            var children = nested.Count > 1 && request.Cursor.Length > 0 && request.Columns.IsEmpty && stream.NestedPath.IsEmpty
                ? await ChildParts.WriteAsync(request, nested, request.Target.Part, sourceFiles, request.From is null ? null : $"SELECT {NestedJson.Id} FROM ({select})", cancellationToken)
                : [];
            if (request.OnPart is not null)
            {
                await request.OnPart(manifest, children, cancellationToken);
            }

            return [manifest];
        }
        catch (DuckDbException ex)
        {
            var error = numbersAsText.IsEmpty ? ex : ReaderError(request.WorkArea, FileReaderSql.Build(format, stream.Files, pipeline.Csv), numbersAsText.Keys) ?? ex;
            throw FileErrors.Explain(error, format, stream.Files, pipeline, connection, Relative);
        }
    }

    /// <exception cref="SourceException">A file's dates never say whether the day or the month comes first.</exception>
    private void RefuseAmbiguousDates(DuckDBConnection workArea, FileFormat format, IReadOnlyList<string> files, IReadOnlyList<(string Name, string Type)> columns)
    {
        if (AmbiguousDates.Find(workArea, format, files, pipeline.Csv, columns) is not { } problem)
        {
            return;
        }

        var kind = problem.Setting == "date_format" ? "date" : "timestamp";
        throw new SourceException(connection.Name, pipeline.Table,
            $"Pipeline '{pipeline.Name}' ({pipeline.Location}): {Relative(problem.File)}, column '{problem.Column}': {kind}s such as '{problem.Example}' " +
            "read as day/month and as month/day give different dates, and no value in the file says which (none has a number above 12 in either place). " +
            $"Set csv: {{ {problem.Setting}: \"{problem.DayFirst}\" }} (day first) or \"{problem.MonthFirst}\" (month first) in the pipeline. Nothing was loaded.")
        { File = Relative(problem.File) };
    }

    /// <summary>
    /// The CSV columns declared <c>text</c> (<c>columns:</c>): read as the file has them, so
    /// <c>1.50</c>, <c>1e3</c> or <c>2024-1-2</c> stay what they are, instead of the text of the
    /// number or date DuckDB's sniffer would have read (<c>1.5</c>, <c>1000.0</c>, <c>2024-01-02</c>).
    /// </summary>
    private HashSet<string> DeclaredText(IReadOnlyList<FileColumn> selected, string table)
    {
        var declared = pipeline.RulesFor(table).Columns.Where(d => Schema.LogicalType.Parse(d.Value)?.Kind == Schema.LogicalKind.Text).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        return selected.Where(c => declared.Contains(c.Name) || declared.Contains(Schema.ColumnNames.ToSnakeCase(c.Name))).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The CSV columns DuckDB's sniffer reads as binary floating point, to be read as their text
    /// and typed DECIMAL(p,s) from all their values instead (see <see cref="Lake.DecimalText"/>),
    /// with the sniffer's type for when they are not plain decimals. Cursor columns keep the
    /// sniffer's type: the extract's bound compares them as numbers.
    /// </summary>
    private static ImmutableDictionary<string, string> NumbersAsText(IReadOnlyList<FileColumn> selected, ImmutableArray<string> cursor, string stream)
    {
        var cursorColumns = cursor.IsEmpty ? [] : Schema.ColumnNames.Pick(selected, cursor, c => c.Name, stream, "cursor").Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return selected
            .Where(c => c.Type is "DOUBLE" or "FLOAT" && !cursorColumns.Contains(c.Name))
            .ToImmutableDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
    }

    /// <summary>
    /// DuckDB's own reader error for a value in the columns read as text that is no number at all:
    /// read with the sniffer's types, the file fails as it always did, naming the line.
    /// </summary>
    private static DuckDbException? ReaderError(DuckDBConnection workArea, string relation, IEnumerable<string> columns)
    {
        try
        {
            workArea.Scalar($"SELECT count({string.Join(") + count(", columns.Select(Quote.Identifier))}) FROM {relation}");
            return null;
        }
        catch (DuckDbException ex)
        {
            return ex;
        }
    }

    private sealed record FileColumn(string Name, string Type);

    /// <summary>The files' columns: their names and types are only known once DuckDB has looked at them.</summary>
    private static List<FileColumn> Describe(DuckDBConnection workArea, string relation)
    {
        var columns = new List<FileColumn>();
        using var reader = workArea.Query($"DESCRIBE SELECT * FROM {relation}");
        while (reader.Read())
        {
            columns.Add(new FileColumn(reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    /// <summary>The rows to extract: all, some columns (keys), or those at or past a cursor bound.</summary>
    private static string Select(ExtractRequest request, string relation, IReadOnlyList<FileColumn> columns, IReadOnlyList<FileColumn> selected, string stream)
    {
        var projection = request.Columns.IsEmpty ? "*" : string.Join(", ", selected.Select(c => Quote.Identifier(c.Name)));
        var where = request.From is { } bound
            ? " WHERE " + bound.Where([.. Schema.ColumnNames.Pick(columns, request.Cursor, c => c.Name, stream, "cursor").Select(c => Quote.Identifier(c.Name))], Quote.Literal)
            : "";
        return $"SELECT {projection} FROM {relation}{where}";
    }

    /// <summary>The workbooks' rows in a spool DuckDB reads; its notes (error cells, empty sheets) become the run's.</summary>
    private Excel.ExcelSpool ReadWorkbooks(SourceStream stream, Action<Excel.ExcelChunk>? chunkWritten)
    {
        try
        {
            var spool = Excel.ExcelSpool.Write(stream.Files, pipeline.Excel, Relative, chunkWritten);
            notes.AddRange(spool.Notes);
            return spool;
        }
        catch (Excel.ExcelException ex)
        {
            throw new SourceException(connection.Name, pipeline.Table, $"Pipeline '{pipeline.Name}' ({pipeline.Location}): {ex.Message}", ex) { File = ex.Workbook };
        }
    }

    public IReadOnlyList<string> Notes => notes;

    private FileFormat ResolveFormat(IReadOnlyList<string> files)
    {
        if (pipeline.Format != FileFormat.Auto)
        {
            return pipeline.Format;
        }

        var formats = files.Select(f => FormatOf(f) ?? throw new SourceException(connection.Name, pipeline.Table,
            $"Pipeline '{pipeline.Name}' ({pipeline.Location}): cannot tell the format of {Relative(f)} from its extension. " +
            "Set 'format:' to csv, tsv, json, ndjson, parquet or excel.") { File = Relative(f) }).Distinct().ToList();
        return formats.Count == 1 ? formats[0] : throw new SourceException(connection.Name, pipeline.Table,
            $"Pipeline '{pipeline.Name}' ({pipeline.Location}): its files mix formats ({string.Join(", ", formats)}). " +
            "Give each format its own pipeline, or narrow 'files:'.");
    }

    internal static FileFormat? FormatOf(string file)
    {
        var name = file.ToLowerInvariant();
        foreach (var compression in new[] { ".gz", ".zst" })
        {
            if (name.EndsWith(compression, StringComparison.Ordinal))
            {
                name = name[..^compression.Length];
            }
        }

        return Path.GetExtension(name) switch
        {
            ".csv" => FileFormat.Csv,
            ".tsv" or ".tab" => FileFormat.Tsv,
            ".json" => FileFormat.Json,
            ".ndjson" or ".jsonl" => FileFormat.NdJson,
            ".parquet" or ".pq" => FileFormat.Parquet,
            ".xlsx" or ".xlsm" or ".xls" => FileFormat.Excel,
            _ => null,
        };
    }

    /// <summary>A file's name in messages and manifests: its path in the location (a zip member's after the zip's).</summary>
    private string Relative(string file) => spooled.TryGetValue(file, out var spooledFile) ? spooledFile.Name
        : Path.GetRelativePath(connection.Path, file).Replace('\\', '/');
}
