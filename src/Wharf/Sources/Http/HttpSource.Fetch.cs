using System.Collections.Immutable;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>Fetching: every partition at once (a full extract), or partition by partition, each handed over as a part in order.</summary>
internal sealed partial class HttpSource
{
    /// <summary>Every partition, up to <c>max_concurrency</c> at once, into spool files; then numbers DuckDB would round are kept as text.</summary>
    private async Task<Fetched> FetchAllAsync(string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        using var http = HttpConnection.Create(connection, context.Logger, context.Time);
        var shape = new RecordShape();
        var fetcher = new PageFetcher(http, pipeline, pipeline.Table, shape, context.Logger);
        var results = await InParallelAsync(partitions!, http.Settings.MaxConcurrency,
            (partition, token) => fetcher.FetchAsync(partition, null, Path.Combine(folder, $"partition-{partition.Index:D6}.ndjson"), token), cancellationToken);
        var spools = new List<(string File, ImmutableArray<string> Pages)>();
        foreach (var result in results)
        {
            await result.Spool.KeepNumbersExactAsync(shape, cancellationToken);
            if (result.Spool.Records > 0)
            {
                spools.Add((result.Spool.Path, [.. result.Pages]));
            }
        }

        var records = results.Sum(r => r.Spool.Records);
        (IReadOnlyList<Files.NestedTable> Tables, Func<IReadOnlyList<string>, string>? SomeFiles) plan = ([], null);
        if (records > 0)
        {
            using var workArea = DuckDbConnections.Open(null);
            plan = SpoolTables.PlanByFile(workArea, [.. spools.Select(s => s.File)], pipeline, connection.Name, shape);
        }

        return new Fetched(folder, spools, [.. results.SelectMany(r => r.Pages)], records, plan.Tables, plan.SomeFiles);
    }

    /// <summary>
    /// Partition after partition (fetched up to <c>max_concurrency</c> ahead), each one lake part
    /// handed over in order; after a crash, starts after the partition the stream's checkpoint names.
    /// </summary>
    private async Task<IReadOnlyList<LakeManifest>> ExtractPartsAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken)
    {
        var all = partitions ?? await HttpPartitions.ListAsync(Request.ForEach, context, pipeline.Name, cancellationToken);
        var todo = Resume(all, request.Checkpoint);
        var folder = Path.Combine(SpoolFolder(), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var http = HttpConnection.Create(connection, context.Logger, context.Time);
        var shape = new RecordShape();
        var sampled = new SampledColumns();
        var fetcher = new PageFetcher(http, pipeline, stream.Name, shape, context.Logger);
        var incremental = request.From is { Values: [var from, ..] } && Request.Incremental is { } settings ? IncrementalParam.Format(from, settings.Format) : null;
        var manifests = new List<LakeManifest>();
        try
        {
            await InOrderAsync(todo, http.Settings.MaxConcurrency,
                (partition, token) => fetcher.FetchAsync(partition, incremental, Path.Combine(folder, $"partition-{partition.Index:D6}.ndjson"), token),
                async result =>
                {
                    if (await ToLakeAsync(result, shape, sampled, request, stream, cancellationToken) is { } manifest)
                    {
                        manifests.Add(manifest);
                    }
                },
                cancellationToken);
            return manifests;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One partition's records as a lake part, handed over; none for an empty partition.</summary>
    private async Task<LakeManifest?> ToLakeAsync(FetchResult result, RecordShape shape, SampledColumns sampled, ExtractRequest request, SourceStream stream, CancellationToken cancellationToken)
    {
        try
        {
            if (result.Spool.Records == 0)
            {
                return null;
            }

            await result.Spool.KeepNumbersExactAsync(shape, cancellationToken);
            var tables = SpoolTables.Plan(request.WorkArea, [result.Spool.Path], pipeline, connection.Name, shape, earlier: sampled);
            if (tables.Count > 1 && pipeline.Incremental.DetectDeletes)
            {
                throw new HttpSourceException(connection.Name,
                    $"Pipeline '{pipeline.Name}': its records have lists ({string.Join(", ", tables.Skip(1).Select(t => string.Join(".", t.Path)))}), which become child tables, " +
                    "and under a cursor the rows of child tables are not deleted with their parents yet. Remove 'detect_deletes:' (or 'incremental:'), or keep the lists as JSON columns with 'max_nesting: 0'. Nothing was loaded.")
                { Stream = stream.Name };
            }

            var target = request.Target with { Part = result.Partition.Index };
            var width = ExtractColumns.OfWidth(new FileInfo(result.Spool.Path).Length, result.Spool.Records);
            var manifest = await WritePartAsync(request, target, tables[0].Sql, [.. result.Pages], width, cancellationToken);
            manifest = Request.ForEach is null ? manifest : manifest with { Checkpoint = result.Partition.Key };
            var children = request.Columns.IsEmpty
                ? await Files.ChildParts.WriteAsync(request, tables, result.Partition.Index, [.. result.Pages], roots: null, cancellationToken)
                : [];
            if (request.OnPart is not null)
            {
                await request.OnPart(manifest, children, cancellationToken);
            }

            return manifest;
        }
        finally
        {
            File.Delete(result.Spool.Path);
        }
    }

    /// <summary>The partitions after the checkpoint's (all when there is none, or it is no longer among them).</summary>
    private IReadOnlyList<Partition> Resume(IReadOnlyList<Partition> all, string? checkpoint)
    {
        var done = checkpoint is null ? -1 : all.ToList().FindIndex(p => p.Key == checkpoint);
        if (done < 0)
        {
            return all;
        }

        HttpLog.Resuming(context.Logger, pipeline.Name, checkpoint!, all.Count - done - 1, all.Count);
        return [.. all.Skip(done + 1)];
    }
}
