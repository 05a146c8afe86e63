using System.Collections.Immutable;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources.Files;

namespace Wharf.Sources.Http;

/// <summary>
/// A pipeline over an <c>http</c> connection (REST, JSON). Two ways, chosen by what must survive a crash:
/// <list type="bullet">
/// <item>A full extract (no <c>incremental:</c>; <c>for_each:</c> with <c>replace</c> or deletes): every
/// page of every partition is fetched when the streams are listed, spooled on disk, and read by DuckDB
/// as nested JSON is for files: objects become columns, lists child tables, each its own stream.</item>
/// <item>A committed-as-it-goes extract (<c>incremental:</c>, or <c>for_each:</c> partitions): each
/// partition becomes one lake part (and one per child table of its lists), handed over (and so
/// committed, the lists with it) in partition order with its key
/// as the stream's checkpoint, so a killed run resumes after the last committed partition; an
/// incremental stream is one part whose greatest cursor becomes the watermark.</item>
/// </list>
/// </summary>
internal sealed partial class HttpSource(ConnectionSettings connection, PipelineSettings pipeline, SourceContext context) : ISource
{
    private IReadOnlyList<Partition>? partitions;
    private Fetched? fetched;
    private int streamsLeft;

    private HttpRequestSettings Request => pipeline.Http!;

    /// <summary>Whether each partition is committed as it is fetched (see the class remarks).</summary>
    private bool CommitsEachPart =>
        pipeline.Incremental.HasCursor || Request.ForEach is not null && pipeline.Mode != WriteMode.Replace && !pipeline.Incremental.DetectDeletes;

    /// <summary>What a full extract fetched: the spool files, the pages for the manifest, and the tables.</summary>
    /// <param name="Spools">Each spool file with the pages it holds, in partition order.</param>
    /// <param name="SomeFiles">The root table's query over some of the spool files, when each group may be a lake part of its own (see <see cref="SpoolTables.PlanByFile"/>).</param>
    private sealed record Fetched(string Folder, IReadOnlyList<(string File, ImmutableArray<string> Pages)> Spools, ImmutableArray<string> Pages, long Records, IReadOnlyList<NestedTable> Tables, Func<IReadOnlyList<string>, string>? SomeFiles);

    /// <summary>Spool bytes per lake part written from a group of spool files (see <see cref="ExtractAsync"/>).</summary>
    internal const long PartBytes = 64L << 20;

    /// <summary>The dry run's view: the request, without fetching anything.</summary>
    public Task<IReadOnlyList<SourceStream>> PlanStreamsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SourceStream>>([Root(Description(null))]);

    public async Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        partitions = await HttpPartitions.ListAsync(Request.ForEach, context, pipeline.Name, cancellationToken);
        var spool = SpoolFolder();
        if (Directory.Exists(spool))
        {
            // Left by a run that died; the pipeline's lock says no other run is using it.
            Directory.Delete(spool, recursive: true);
        }

        if (CommitsEachPart)
        {
            return [Root(Description(null)) with { CommitsEachPart = true }];
        }

        // Every page is fetched now, to find the lists' child tables: the root stream carries the bytes read.
        var bodies = SourceBytes.Start();
        fetched = await FetchAllAsync(Path.Combine(spool, Guid.NewGuid().ToString("N")), cancellationToken);
        var description = Description(fetched);
        var root = Root(description) with { Bytes = bodies.Total };
        if (fetched.Records == 0)
        {
            streamsLeft = 1;
            return [root];
        }

        var children = fetched.Tables.Where(t => !t.Path.IsEmpty).ToList();
        streamsLeft = 1 + children.Count;
        return [root, .. children.Select(c => new SourceStream(c.Table, $"{description}, list {string.Join(".", c.Path)}", c.Table, [])
        {
            PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex],
            NestedPath = c.Path,
        })];
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        if (stream.CommitsEachPart)
        {
            return await ExtractPartsAsync(stream, request, cancellationToken);
        }

        try
        {
            if (fetched is not { Records: > 0 } extract)
            {
                return [];
            }

            var table = extract.Tables.First(t => t.Table == stream.Target);
            // The records' width, from the spool: wide records make short Parquet row groups (LakeWriter.RowGroupBytes).
            var width = ExtractColumns.OfWidth(extract.Spools.Sum(s => new FileInfo(s.File).Length), extract.Records);
            if (extract.SomeFiles is { } someFiles)
            {
                // One part per group of spool files of about 64 MiB, in partition order: DuckDB's JSON
                // reader holds a buffer of up to 32 MiB for every file a statement reads, so one
                // statement over all the files grew with the partitions and their size (bench/README.md).
                var parts = new List<LakeManifest>();
                foreach (var group in Groups(extract.Spools))
                {
                    var target = request.Target with { Part = request.Target.Part + parts.Count };
                    parts.Add(await HandOverAsync(await WritePartAsync(request, target, someFiles([.. group.Select(s => s.File)]), [.. group.SelectMany(s => s.Pages)], width, cancellationToken)));
                }

                return parts;
            }

            return [await HandOverAsync(await WritePartAsync(request, request.Target, table.Sql, extract.Pages, width, cancellationToken))];

            async Task<LakeManifest> HandOverAsync(LakeManifest manifest)
            {
                if (request.OnPart is not null)
                {
                    await request.OnPart(manifest, [], cancellationToken);
                }

                return manifest;
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref streamsLeft) == 0 && fetched is not null && Directory.Exists(fetched.Folder))
            {
                Directory.Delete(fetched.Folder, recursive: true);
            }
        }
    }

    /// <summary>The spool files in order, grouped until a group holds <see cref="PartBytes"/> (one file at least).</summary>
    internal static List<List<(string File, ImmutableArray<string> Pages)>> Groups(IReadOnlyList<(string File, ImmutableArray<string> Pages)> spools)
    {
        var groups = new List<List<(string File, ImmutableArray<string> Pages)>>();
        long bytes = PartBytes;
        foreach (var spool in spools)
        {
            var size = new FileInfo(spool.File).Length;
            if (bytes + size > PartBytes)
            {
                groups.Add([]);
                bytes = 0;
            }

            groups[^1].Add(spool);
            bytes += size;
        }

        return groups;
    }

    /// <summary>A lake part from a table's query over spooled records; only the requested columns (a key) when some are.</summary>
    private static Task<LakeManifest> WritePartAsync(ExtractRequest request, LakeTarget target, string tableSql, ImmutableArray<string> pages, ExtractColumns width, CancellationToken cancellationToken)
    {
        var projection = request.Columns.IsEmpty ? "*" : string.Join(", ", request.Columns.Select(Quote.Identifier));
        return request.Lake.WriteAsync(request.WorkArea, target, $"SELECT {projection} FROM ({tableSql})", [.. pages], request.Columns.IsEmpty ? width : null, cancellationToken);
    }

    private SourceStream Root(string description) => new(pipeline.Table, description, pipeline.Table, []);

    private string SpoolFolder() => Path.Combine(context.LakeDirectory ?? Path.GetTempPath(), pipeline.Name, ".spool");

    /// <summary>What the stream reads, for messages and the manifest: <c>GET https://…/movies (page_number), 12 pages</c>.</summary>
    private string Description(Fetched? extract)
    {
        using var http = HttpConnection.Create(connection, context.Logger, context.Time);
        var url = http.Secrets.Url(http.Resolve(Request.Endpoint));
        var paging = Request.Paginate.Kind == PaginationKind.None ? "" : $" ({Schema.ColumnNames.ToSnakeCase(Request.Paginate.Kind.ToString())} pages)";
        var parts = partitions is { Count: > 1 } || Request.ForEach is not null ? $", {partitions?.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "each"} partitions" : "";
        var fetchedText = extract is null ? "" : $", {extract.Pages.Length:N0} pages";
        return $"{Request.Method} {url}{paging}{parts}{fetchedText}";
    }
}
