using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Wharf.DuckDb;

namespace Wharf.Lake;

/// <summary>
/// Writes an extract to the lake as zstd Parquet through DuckDB. The file appears under its final
/// name only when complete (write to a temporary name, then rename), and is never overwritten.
/// </summary>
internal sealed class LakeWriter(LakeLayout layout, TimeProvider time)
{
    /// <summary>
    /// Rows per Parquet row group. Kept below DuckDB's own table row group (122,880 rows): with
    /// larger groups a DuckDB load of the file holds the whole table in memory until checkpoint
    /// (measured in bench/: 1.4 GiB and 40% slower at 5M rows; 818 MiB with 100,000).
    /// </summary>
    internal const int RowGroupSize = 100_000;

    /// <summary>
    /// About the most bytes a row group holds: wide rows make shorter groups. A warehouse load that
    /// adds Wharf's columns to rows read from groups of 100,000 rows of 2 KB failed "Out of Memory"
    /// under the default 512MB limit; from groups of 20,000 such rows it loads (bench/README.md).
    /// </summary>
    internal const int RowGroupBytes = 32 << 20;

    public LakeLayout Layout { get; } = layout;

    /// <summary>Where the files go once written: null or a local store keeps them where they are; a bucket gets them uploaded, each part before its manifest.</summary>
    public ILakeStore? Store { get; init; }

    /// <summary>Copies the rows of <paramref name="relationSql"/> into a new lake file.</summary>
    /// <param name="connection">The DuckDB work area that can read the relation.</param>
    /// <param name="relationSql">A SELECT (or table function call) that yields the extract.</param>
    public Task<LakeManifest> WriteAsync(
        DuckDBConnection connection,
        LakeTarget target,
        string relationSql,
        ImmutableArray<LakeSourceFile> sourceFiles,
        CancellationToken cancellationToken = default) =>
        WriteAsync(connection, target, relationSql, sourceFiles, known: null, cancellationToken);

    /// <summary>Copies the rows of <paramref name="relationSql"/> into a new lake file.</summary>
    /// <param name="connection">The DuckDB work area that can read the relation.</param>
    /// <param name="relationSql">A SELECT (or table function call) that yields the extract.</param>
    /// <param name="known">The relation's columns when the source knows them already; DuckDB is asked otherwise.</param>
    public Task<LakeManifest> WriteAsync(
        DuckDBConnection connection,
        LakeTarget target,
        string relationSql,
        ImmutableArray<LakeSourceFile> sourceFiles,
        ExtractColumns? known,
        CancellationToken cancellationToken = default) =>
        WriteAsync(connection, target, relationSql, sourceFiles, known, here: false, cancellationToken);

    /// <summary>
    /// Copies the rows of <paramref name="relationSql"/> into a new lake file, on the calling thread:
    /// for a relation whose rows .NET reads as DuckDB asks for them (a <see cref="DuckDbRowFunction"/>),
    /// called from a thread of the source's own (see <see cref="DuckDbCommands.ExecuteHere"/>).
    /// The connection's session must not preserve insertion order (<c>SET preserve_insertion_order
    /// = false</c>), so that row groups can be cut by bytes: the rows come from one thread, in order.
    /// </summary>
    public LakeManifest WriteHere(DuckDBConnection connection, LakeTarget target, string relationSql, CancellationToken cancellationToken) =>
        WriteAsync(connection, target, relationSql, [], known: null, here: true, cancellationToken).GetAwaiter().GetResult();

    private async Task<LakeManifest> WriteAsync(
        DuckDBConnection connection,
        LakeTarget target,
        string relationSql,
        ImmutableArray<LakeSourceFile> sourceFiles,
        ExtractColumns? known,
        bool here,
        CancellationToken cancellationToken)
    {
        var draft = await WriteDraftAsync(connection, target, relationSql, known, here, cancellationToken);
        return await KeepAsync(draft, sourceFiles, cancellationToken);
    }

    /// <summary>
    /// Writes the rows of <paramref name="relationSql"/> as a part's Parquet file under a temporary
    /// name, and no manifest yet: the part is in the lake only once <see cref="KeepAsync"/> names it,
    /// and <see cref="Discard"/> removes it. For a part written while the source is still read,
    /// whose columns may yet change.
    /// </summary>
    public Task<LakeDraft> DraftAsync(DuckDBConnection connection, LakeTarget target, string relationSql, ExtractColumns known, CancellationToken cancellationToken) =>
        WriteDraftAsync(connection, target, relationSql, known, here: false, cancellationToken);

    private async Task<LakeDraft> WriteDraftAsync(DuckDBConnection connection, LakeTarget target, string relationSql, ExtractColumns? known, bool here, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(target);
        var started = time.GetUtcNow();
        var path = Layout.PartPath(target.Pipeline, target.Stream, target.RunId, target.RunStartedAt, target.Part);
        if (File.Exists(path))
        {
            throw new LakeException(path, $"The lake file {path} already exists; lake files are never overwritten. Is another run using run id {target.RunId}?");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var draft = new LakeDraft(target, path, relationSql, started);
        try
        {
            var columns = known is not { Columns.Count: > 0 } ? Describe(connection, relationSql) : [.. known.Columns.Select(c => Column(c.Key, c.Value))];
            var projection = string.Join(", ", columns.Select(c => c.StoredAs is null
                ? Quote.Identifier(c.Name)
                : $"CAST({Quote.Identifier(c.Name)} AS {c.StoredAs}) AS {Quote.Identifier(c.Name)}"));
            var rows = await CopyAsync(connection, $"COPY (SELECT {projection} FROM ({relationSql})) TO {Quote.Literal(draft.Temporary)} {(here ? StreamedParquetOptions : ParquetOptions(known?.RowBytes))}", path, here, cancellationToken);
            if (known is { NumbersAsText.IsEmpty: false })
            {
                columns = await TypeNumbersAsync(connection, draft.Temporary, columns, known.NumbersAsText, known.RowBytes, cancellationToken);
            }

            return draft with { Rows = rows, Columns = columns, FinishedAt = time.GetUtcNow() };
        }
        catch
        {
            Discard(draft);
            throw;
        }
    }

    /// <summary>Puts a drafted part in the lake under its name, with its manifest, and uploads both to a remote lake.</summary>
    public async Task<LakeManifest> KeepAsync(LakeDraft draft, ImmutableArray<LakeSourceFile> sourceFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var (target, path) = (draft.Target, draft.Path);
        var keeping = time.GetUtcNow();
        LakeManifest manifest;
        try
        {
            manifest = new LakeManifest
            {
                RunId = target.RunId,
                Pipeline = target.Pipeline,
                Stream = target.Stream,
                File = Layout.Relative(path),
                Rows = draft.Rows,
                Bytes = new FileInfo(draft.Temporary).Length,
                Columns = draft.Columns,
                SourceFiles = sourceFiles,
                SourceQuery = draft.RelationSql,
                PrimaryKey = target.PrimaryKey,
                StartedAt = draft.StartedAt,
                FinishedAt = draft.FinishedAt + (time.GetUtcNow() - keeping),
            };
            // The manifest is what a replay reads: it too appears whole or not at all, and only
            // beside a whole Parquet file (a full disk fails one of the writes, leaving neither).
            var manifestPath = LakeLayout.ManifestPath(path);
            await File.WriteAllTextAsync(manifestPath + ".tmp", JsonSerializer.Serialize(manifest, LakeManifest.Json), cancellationToken);
            File.Move(draft.Temporary, path);
            File.Move(manifestPath + ".tmp", manifestPath);
        }
        catch
        {
            File.Delete(path);
            File.Delete(LakeLayout.ManifestPath(path) + ".tmp");
            throw;
        }
        finally
        {
            File.Delete(draft.Temporary);
        }

        await UploadAsync(path, cancellationToken);
        return manifest;
    }

    /// <summary>Removes a drafted part that will not be kept.</summary>
    public static void Discard(LakeDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        File.Delete(draft.Temporary);
    }

    /// <summary>
    /// Copies a part and then its manifest to a remote lake, before anything is loaded from the
    /// part: a bucket never holds a manifest beside a missing part, and a failed upload fails the
    /// stream before its commit. The local copies stay for the load (the run's staging folder).
    /// </summary>
    private async Task UploadAsync(string path, CancellationToken cancellationToken)
    {
        if (Store is not { IsLocal: false } store)
        {
            return;
        }

        var manifestPath = LakeLayout.ManifestPath(path);
        try
        {
            await store.UploadAsync(path, Layout.Relative(path), cancellationToken);
            await store.UploadAsync(manifestPath, Layout.Relative(manifestPath), cancellationToken);
        }
        catch (LakeException ex)
        {
            File.Delete(manifestPath);
            File.Delete(path);
            throw new LakeException(ex.File, ex.Message + " Nothing was loaded; the run can be repeated once the lake's bucket is reachable.", ex.InnerException, ex.IsTransient);
        }
    }

    /// <summary>
    /// Runs a COPY into the lake. DuckDB reports a full disk (or a file size limit) as an IO error
    /// of the statement, which for a file source would read like a problem with its input: it is
    /// said here as what it is, naming the lake file.
    /// </summary>
    private async Task<long> CopyAsync(DuckDBConnection connection, string copy, string path, bool here, CancellationToken cancellationToken)
    {
        try
        {
            return here ? connection.ExecuteHere(copy, cancellationToken) : await connection.ExecuteAsync(copy, cancellationToken);
        }
        catch (DuckDbException ex) when (ex.Message.Contains("Could not write file", StringComparison.Ordinal) || ex.Message.Contains("No space left", StringComparison.Ordinal))
        {
            var (reason, remedy) = ex.Message.Contains("File too large", StringComparison.Ordinal) ? ("a file size limit was reached (File too large)", "Raise the limit (ulimit -f)")
                : ex.Message.Contains("No space left", StringComparison.Ordinal) ? ("the disk is full (No space left on device)", $"Free space under {Layout.Root}")
                : (ex.Summary, $"Check that {Layout.Root} is writable and has space");
            throw new LakeException(path, $"Could not write the lake file {Layout.Relative(path)}: {reason}. {remedy} and run again. Nothing was loaded.");
        }
    }

    /// <summary>
    /// Groups of <see cref="RowGroupSize"/> rows, fewer when the source says its rows are wide
    /// (<see cref="ExtractColumns.RowBytes"/>): about <see cref="RowGroupBytes"/> each, in the rows' order.
    /// </summary>
    private static string ParquetOptions(double? rowBytes)
    {
        var rows = rowBytes is > 0 ? (int)Math.Clamp(RowGroupBytes / rowBytes.Value, MinRowGroupRows, RowGroupSize) : RowGroupSize;
        return string.Create(CultureInfo.InvariantCulture, $"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {rows})");
    }

    /// <summary>The fewest rows in a group (DuckDB's vector size).</summary>
    private const int MinRowGroupRows = 2_048;

    /// <summary>
    /// For rows a source hands over on one thread (<see cref="WriteHere"/>): groups cut at
    /// <see cref="RowGroupBytes"/> too. DuckDB cuts by bytes only in a session that need not keep
    /// the rows' order; from one thread they come, and are written, in the order they were read.
    /// </summary>
    private static readonly string StreamedParquetOptions =
        $"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {RowGroupSize}, ROW_GROUP_SIZE_BYTES {RowGroupBytes})";

    /// <summary>
    /// The columns of <paramref name="numbersAsText"/> typed from the values in the file just
    /// written. The file is rewritten (read back, those columns cast) only when some column keeps
    /// its reader's type, which is rare: the decimals, the common case, cost one scan of their
    /// columns.
    /// </summary>
    private async Task<ImmutableArray<LakeColumn>> TypeNumbersAsync(
        DuckDBConnection connection,
        string file,
        ImmutableArray<LakeColumn> columns,
        ImmutableDictionary<string, string> numbersAsText,
        double? rowBytes,
        CancellationToken cancellationToken)
    {
        var decimals = DecimalText.Infer(connection, file, [.. columns.Select(c => c.Name).Where(numbersAsText.ContainsKey)]);
        var typed = columns.Select(c => !decimals.TryGetValue(c.Name, out var type) ? c
            : type is not null ? new LakeColumn(c.Name, type) { StoredAs = "VARCHAR" }
            : new LakeColumn(c.Name, numbersAsText[c.Name])).ToImmutableArray();
        if (decimals.ContainsValue(null))
        {
            var rewritten = file + ".retyped";
            try
            {
                var casts = typed.Where(c => decimals.TryGetValue(c.Name, out var type) && type is null)
                    .Select(c => $"CAST({Quote.Identifier(c.Name)} AS {c.Type}) AS {Quote.Identifier(c.Name)}");
                await CopyAsync(connection,
                    $"COPY (SELECT * REPLACE ({string.Join(", ", casts)}) FROM read_parquet({Quote.Literal(file)})) TO {Quote.Literal(rewritten)} {ParquetOptions(rowBytes)}",
                    file, here: false, cancellationToken);
                File.Move(rewritten, file, overwrite: true);
            }
            finally
            {
                File.Delete(rewritten);
            }
        }

        return typed;
    }

    /// <summary>
    /// Types Parquet cannot hold exactly, kept as DuckDB's exact text instead: Parquet's INTERVAL
    /// has milliseconds and no sign, TIMETZ loses its offset, HUGEINT becomes a double, and a BIT
    /// comes back as a BLOB.
    /// </summary>
    private static readonly HashSet<string> StoredAsText = new(StringComparer.Ordinal)
    {
        "INTERVAL", "TIME WITH TIME ZONE", "HUGEINT", "UHUGEINT", "BIT",
    };

    private static ImmutableArray<LakeColumn> Describe(DuckDBConnection connection, string relationSql)
    {
        using var reader = connection.Query($"DESCRIBE {relationSql}");
        var columns = ImmutableArray.CreateBuilder<LakeColumn>();
        while (reader.Read())
        {
            columns.Add(Column(reader.GetString(0), reader.GetString(1)));
        }

        return columns.ToImmutable();
    }

    private static LakeColumn Column(string name, string type) => new(name, type) { StoredAs = StoredAsText.Contains(type) ? "VARCHAR" : null };
}

/// <summary>A part's Parquet file written under its temporary name (<see cref="LakeWriter.DraftAsync"/>), not yet in the lake.</summary>
internal sealed record LakeDraft(LakeTarget Target, string Path, string RelationSql, DateTimeOffset StartedAt)
{
    public string Temporary => Path + ".tmp";

    public long Rows { get; init; }

    /// <summary>The columns as the part's manifest will record them.</summary>
    public ImmutableArray<LakeColumn> Columns { get; init; } = [];

    /// <summary>When its file was written: the part's writing time, kept late or not, is its manifest's.</summary>
    public DateTimeOffset FinishedAt { get; init; }
}

/// <summary>Which lake file to write: pipeline, stream, run and part number.</summary>
internal sealed record LakeTarget(string Pipeline, string Stream, string RunId, DateTimeOffset RunStartedAt, int Part = 0)
{
    /// <summary>The stream's primary key, recorded in the manifest so a replay can merge without the source.</summary>
    public ImmutableArray<string> PrimaryKey { get; init; } = [];
}
