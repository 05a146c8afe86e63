using System.Collections.Immutable;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Sql.DuckDb;

/// <summary>
/// Tables (in foreign-key order) or one query of a DuckDB database file, read-only. DuckDB reads
/// its own file and writes the lake's Parquet itself (<c>COPY (SELECT …) TO</c>): no row passes
/// through .NET. A cursor extract is written in parts of at most the staging budget (or
/// <c>chunk_rows:</c>), each committed as it comes.
/// </summary>
internal sealed partial class DuckDbSource(ConnectionSettings connection, PipelineSettings pipeline, SourceContext context) : ISource, IAsyncDisposable
{
    private readonly Dictionary<string, (string From, ImmutableArray<CatalogColumn> Columns, bool Table)> plans = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim opening = new(1, 1);
    private DuckDbSourceDatabase? database;

    /// <summary>Notes about the load order (self-references, cycles), for the log.</summary>
    public IReadOnlyList<string> Notes { get; private set; } = [];

    /// <summary>Types whose lake form (Parquet) is not exact when nested in a list, struct or map: they are exact only as top-level columns.</summary>
    [GeneratedRegex(@"\b(INTERVAL|U?HUGEINT|BIT|TIME WITH TIME ZONE|TIME_NS|VARINT|BIGNUM)\b")]
    private static partial Regex InexactWhenNested();

    public async Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        var source = await OpenAsync(cancellationToken);
        if (pipeline.Query is { } query)
        {
            plans[pipeline.Table] = ($"({query}) AS q", Describe(source.Connection, query), false);
            return [new SourceStream(pipeline.Table, "query", pipeline.Table, [])];
        }

        var catalog = DuckDbCatalogReader.Read(source, views: false);
        var selection = CatalogStreams.Select(catalog, pipeline, connection, connection.Path);
        Notes = selection.Notes;
        foreach (var table in selection.Tables)
        {
            plans[table.Name] = (source.From(table.Schema, table.Name), table.Columns, true);
        }

        return selection.Streams;
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        var (from, columns, isTable) = plans[stream.Name];
        var picked = request.Columns.IsEmpty ? columns : Schema.ColumnNames.Pick(columns, request.Columns, c => c.Name, stream.Name, "primary_key");
        foreach (var column in picked)
        {
            CheckExact(stream.Name, column);
        }

        var select = $"SELECT {string.Join(", ", picked.Select(c => Quote.Identifier(c.Name)))} FROM {from}";
        var source = await OpenAsync(cancellationToken);
        using var reader = source.Another();

        // The file is attached read-only and no writer can open it meanwhile: what is read now is what every part reads.
        request.OnSnapshot?.Invoke();
        try
        {
            if (request.Cursor.IsEmpty)
            {
                return [await WriteAsync(reader, request, request.Target, select, cancellationToken)];
            }

            var cursor = Schema.ColumnNames.Pick(columns, request.Cursor, c => c.Name, stream.Name, "cursor").Select(c => Quote.Identifier(c.Name)).ToList();
            if (request.From is { } bound)
            {
                select += $" WHERE {bound.Where(cursor, Quote.Literal)}";
            }

            return await WriteInPartsAsync(reader, request, select, cursor, isTable, cancellationToken);
        }
        catch (DuckDbException ex)
        {
            throw new SourceException(connection.Name, stream.Name,
                $"Pipeline '{pipeline.Name}': reading {stream.Description} from '{connection.Name}' ({connection.Path}) failed: {ex.Summary} Nothing was loaded.", ex);
        }
    }

    /// <summary>
    /// A cursor extract in cursor order, in parts: each part a prefix whose watermark can be
    /// committed. Ties in the cursor are broken by the row's id, so parts neither overlap nor
    /// skip rows; a query has no row id, and is written in one part.
    /// </summary>
    private static async Task<IReadOnlyList<LakeManifest>> WriteInPartsAsync(
        DuckDBConnection reader, ExtractRequest request, string select, List<string> cursor, bool isTable, CancellationToken cancellationToken)
    {
        var orderBy = Incremental.CursorBound.OrderBy(cursor) + (isTable ? ", rowid" : "");
        var partRows = (long)(request.PartRows ?? LakeParts.RowBudget);
        var rows = isTable ? Convert.ToInt64(reader.Scalar($"SELECT count(*) FROM ({select})"), System.Globalization.CultureInfo.InvariantCulture) : 0;
        var parts = isTable ? Math.Max(1, (rows + partRows - 1) / partRows) : 1;
        var manifests = new List<LakeManifest>();
        for (var part = 0; part < parts; part++)
        {
            var sql = parts == 1 ? $"{select} ORDER BY {orderBy}" : $"{select} ORDER BY {orderBy} LIMIT {partRows} OFFSET {part * partRows}";
            manifests.Add(await WriteAsync(reader, request, request.Target with { Part = request.Target.Part + part }, sql, cancellationToken));
        }

        return manifests;
    }

    private static async Task<LakeManifest> WriteAsync(DuckDBConnection reader, ExtractRequest request, LakeTarget target, string sql, CancellationToken cancellationToken)
    {
        var manifest = await request.Lake.WriteAsync(reader, target, sql, [], cancellationToken);
        if (request.OnPart is not null)
        {
            await request.OnPart(manifest, [], cancellationToken);
        }

        return manifest;
    }

    /// <exception cref="UnsupportedColumnException">The column nests a type whose Parquet form would not be exact.</exception>
    private static void CheckExact(string table, CatalogColumn column)
    {
        var nested = column.DataType.Contains('[', StringComparison.Ordinal) || column.DataType.Contains('(', StringComparison.Ordinal)
            && !column.DataType.StartsWith("DECIMAL(", StringComparison.Ordinal) && !column.DataType.StartsWith("ENUM(", StringComparison.Ordinal);
        if (nested && InexactWhenNested().Match(column.DataType) is { Success: true } inexact)
        {
            throw new UnsupportedColumnException(table, column.Name, column.DataType,
                $"{table}.{column.Name} is {column.DataType}: an {inexact.Value} inside a list, struct or map has no exact form in the lake's Parquet " +
                $"(an INTERVAL would lose its sign and microseconds, a HUGEINT its digits). Load it with a 'query:' that casts it, e.g. CAST({Quote.Identifier(column.Name)} AS VARCHAR) or to_json({Quote.Identifier(column.Name)}).");
        }
    }

    /// <summary>The columns of a query, as DuckDB describes them.</summary>
    private ImmutableArray<CatalogColumn> Describe(DuckDBConnection source, string query)
    {
        try
        {
            using var reader = source.Query($"DESCRIBE {query}");
            var columns = ImmutableArray.CreateBuilder<CatalogColumn>();
            while (reader.Read())
            {
                columns.Add(new CatalogColumn(reader.GetString(0), reader.GetString(1), true));
            }

            return columns.ToImmutable();
        }
        catch (DuckDbException ex)
        {
            throw new SourceException(connection.Name, pipeline.Table, $"Pipeline '{pipeline.Name}' ({pipeline.Location}): the query does not run on '{connection.Name}': {ex.Summary}", ex);
        }
    }

    /// <summary>The source database, opened on first use and kept until the pipeline's run ends (<see cref="DisposeAsync"/>).</summary>
    private async Task<DuckDbSourceDatabase> OpenAsync(CancellationToken cancellationToken)
    {
        await opening.WaitAsync(cancellationToken);
        try
        {
            return database ??= await DuckDbSourceDatabase.OpenAsync(connection, context.WaitForLock, context.Time, cancellationToken);
        }
        finally
        {
            opening.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        database?.Dispose();
        database = null;
        opening.Dispose();
        return ValueTask.CompletedTask;
    }
}
