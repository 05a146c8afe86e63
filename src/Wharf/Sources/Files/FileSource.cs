using System.Collections.Immutable;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Files;

/// <summary>
/// CSV/TSV, JSON, NDJSON and Parquet files, read by DuckDB's own readers. A pipeline's globs
/// are resolved here, so a missing file or an empty glob is reported before anything is read.
/// </summary>
public sealed class FileSource(ConnectionSettings connection, PipelineSettings pipeline) : ISource
{
    public Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        var files = FileGlob.Expand(connection.Path, pipeline.Files, (glob, problem) =>
            new SourceException(connection.Name, pipeline.Table, $"Pipeline '{pipeline.Name}' ({pipeline.Location}): {problem}"));
        var format = ResolveFormat(files);
        var description = files.Count == 1 ? Relative(files[0]) : $"{files.Count} {format.ToString().ToLowerInvariant()} files matching {string.Join(", ", pipeline.Files)}";
        IReadOnlyList<SourceStream> streams = [new SourceStream(pipeline.Table, description, pipeline.Table, files, files.Sum(f => new FileInfo(f).Length))];
        return Task.FromResult(streams);
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        var format = ResolveFormat(stream.Files);
        var relation = FileReaderSql.Build(format, stream.Files, pipeline.Csv);
        var sourceFiles = stream.Files.Select(Relative).ToImmutableArray();
        try
        {
            var select = Select(request, relation, stream.Name);
            var manifest = await request.Lake.WriteAsync(request.WorkArea, request.Target, select, sourceFiles, cancellationToken);
            if (request.OnPart is not null)
            {
                await request.OnPart(manifest, cancellationToken);
            }

            return [manifest];
        }
        catch (DuckDbException ex)
        {
            throw FileErrors.Explain(ex, format, stream.Files, pipeline, connection, Relative);
        }
    }

    /// <summary>The rows to extract: all, some columns (keys), or those at or past a cursor bound.</summary>
    private static string Select(ExtractRequest request, string relation, string stream)
    {
        if (request.Columns.IsEmpty && request.From is null)
        {
            return $"SELECT * FROM {relation}";
        }

        // The files' column names are only known once DuckDB has looked at them.
        var names = new List<string>();
        using (var reader = request.WorkArea.Query($"DESCRIBE SELECT * FROM {relation}"))
        {
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        var columns = request.Columns.IsEmpty ? "*" : string.Join(", ", Schema.ColumnNames.Pick(names, request.Columns, n => n, stream, "primary_key").Select(Quote.Identifier));
        var where = request.From is { } bound
            ? " WHERE " + bound.Where([.. Schema.ColumnNames.Pick(names, request.Cursor, n => n, stream, "cursor").Select(Quote.Identifier)], Quote.Literal)
            : "";
        return $"SELECT {columns} FROM {relation}{where}";
    }

    private FileFormat ResolveFormat(IReadOnlyList<string> files)
    {
        if (pipeline.Format != FileFormat.Auto)
        {
            return pipeline.Format;
        }

        var formats = files.Select(f => FormatOf(f) ?? throw new SourceException(connection.Name, pipeline.Table,
            $"Pipeline '{pipeline.Name}' ({pipeline.Location}): cannot tell the format of {Relative(f)} from its extension. " +
            "Set 'format:' to csv, tsv, json, ndjson or parquet.") { File = Relative(f) }).Distinct().ToList();
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
            _ => null,
        };
    }

    private string Relative(string file) => Path.GetRelativePath(connection.Path, file).Replace('\\', '/');
}
