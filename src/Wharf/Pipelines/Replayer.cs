using System.Collections.Immutable;
using System.Diagnostics;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources.Files;
using Wharf.Warehouses;
using Wharf.Staging;

using Wharf.Runs;

namespace Wharf.Pipelines;

/// <summary>
/// <c>wharf replay</c>: reloads a pipeline's tables from its lake files, without the source. Runs
/// are applied in the order they happened, each with its own run id and load time, so the tables
/// come out as the original runs left them. The audit says which files each run committed (a
/// failed load's files are skipped); with no audit left, every file in the lake is used.
/// </summary>
internal sealed class Replayer(Project project, IWarehouse warehouse, TimeProvider time)
{
    // A lake on S3 is read from a spool of the replay's own: manifests first, then the files replayed.
    private LakeLayout layout = new(project.LakeDirectory);

    /// <summary>
    /// What to replay: every run (the tables are rebuilt), or the runs from one run or one moment
    /// on, reapplied over what the table holds. Later runs are always included: a merge or a
    /// history is only right when every run after the first replayed one is applied again.
    /// </summary>
    public sealed record Selection(string? RunId = null, DateTimeOffset? Since = null)
    {
        public bool RebuildsTables => RunId is null && Since is null;
    }

    /// <summary>One run's committed lake files of one stream.</summary>
    private sealed record LoadedRun(string RunId, string Target, ImmutableArray<LakeManifest> Data, ImmutableArray<LakeManifest> Keys);

    public async Task<RunSummary> ReplayAsync(string pipelineName, Selection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var pipeline = project.Select([pipelineName])[0];
        var now = time.GetUtcNow();
        var replayId = RunId.New(now);
        using var held = await PipelineLock.AcquireAsync(project.Directory, pipeline.Name, replayId, TimeSpan.Zero, time, cancellationToken);
        using var store = LakeStores.Open(project, time);
        if (store.IsLocal)
        {
            return await ReplayAsync(pipeline, replayId, now, selection, store, cancellationToken);
        }

        var spool = LakeStaging.NewFolder(project.LakeDirectory, "replay");
        layout = new LakeLayout(spool);
        try
        {
            LakeStaging.RemoveLeftovers(project.LakeDirectory, pipeline.Name, spool);
            await foreach (var file in store.ListAsync(pipeline.Name, cancellationToken))
            {
                if (file.IsManifest)
                {
                    await store.DownloadAsync(file.Path, Path.Combine(spool, file.Path), cancellationToken);
                }
            }

            return await ReplayAsync(pipeline, replayId, now, selection, store, cancellationToken);
        }
        finally
        {
            LakeStaging.Remove(spool);
        }
    }

    private async Task<RunSummary> ReplayAsync(PipelineSettings pipeline, string replayId, DateTimeOffset now, Selection selection, ILakeStore store, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await warehouse.StartPipelineAsync(pipeline.Name, cancellationToken);
        var runs = (await LoadedRunsAsync(pipeline, store, cancellationToken))
            .Where(r => selection.RunId is null || string.CompareOrdinal(r.RunId, selection.RunId) >= 0)
            .Where(r => selection.Since is not { } since || RunId.StartedAt(r.RunId) >= since)
            .ToList();
        if (runs.Count == 0 || (selection.RunId is { } first && runs[0].RunId != first))
        {
            throw new ReplayException(pipeline.Name, selection.RunId is { } id
                ? $"Pipeline '{pipeline.Name}' has no committed lake files from run {id}. 'wharf runs {pipeline.Name}' lists its runs."
                : $"Pipeline '{pipeline.Name}' has no committed lake files{(selection.Since is { } s ? $" since {s:u}" : "")} in {store.Describe()}; there is nothing to replay.");
        }

        if (!store.IsLocal)
        {
            // Downloaded before anything is applied, and checked as a local lake's files are.
            foreach (var manifest in runs.SelectMany(r => r.Data.Concat(r.Keys)))
            {
                await store.DownloadAsync(manifest.File, Path.Combine(layout.Root, manifest.File), cancellationToken);
            }
        }

        // Every file first: one found damaged halfway would leave the runs before it applied.
        foreach (var (run, manifest) in runs.SelectMany(r => r.Data.Concat(r.Keys).Select(m => (r, m))))
        {
            if (LakeFileCheck.Problem(Path.Combine(layout.Root, manifest.File), manifest) is { } problem)
            {
                throw new ReplayException(pipeline.Name,
                    $"The lake file {manifest.File} of run {run.RunId} {problem}, so nothing was replayed. Restore it from a backup of {store.Describe()}, " +
                    $"or replay only the runs after it with 'wharf replay {pipeline.Name} --run RUN' (the tables keep what they hold now).");
            }
        }

        var records = ImmutableArray.CreateBuilder<RunRecord>();
        // The child tables of nested JSON after their parent: its load says which documents it set aside.
        foreach (var stream in runs.GroupBy(r => r.Target, StringComparer.Ordinal).OrderBy(g => NestedJson.IsChildKey(PrimaryKeyOf(g.ToList(), pipeline))))
        {
            records.Add(await ReplayStreamAsync(pipeline, replayId, now, stream.Key, [.. stream], selection, cancellationToken));
        }

        return new RunSummary(records.ToImmutable(), clock.Elapsed);
    }

    private async Task<RunRecord> ReplayStreamAsync(
        PipelineSettings pipeline, string replayId, DateTimeOffset started, string target, List<LoadedRun> runs, Selection selection, CancellationToken cancellationToken)
    {
        var incremental = pipeline.Incremental;
        var dot = target.IndexOf('.', StringComparison.Ordinal);
        var (schema, table) = (target[..dot], target[(dot + 1)..]);
        var record = new RunRecord
        {
            RunId = replayId,
            Pipeline = pipeline.Name,
            Stream = runs[0].Data.FirstOrDefault()?.Stream ?? table,
            Source = $"lake: {runs.Count} run(s), {runs[0].RunId} to {runs[^1].RunId}",
            Target = target,
            Mode = "replay",
            StartedAt = started,
        };

        // A child table of nested JSON (its lists, committed with a cursor stream's parts) has none
        // of the parent's cursor columns: it is loaded by its own key alone.
        var child = NestedJson.IsChildKey(PrimaryKeyOf(runs, pipeline));
        var cursor = incremental.HasCursor && !child;

        // What the original runs knew when they loaded: the watermark before them (append skips
        // what it already had) and the previous snapshot (hash change detection).
        Watermark? loaded = null;
        ImmutableArray<LakeManifest> previous = [];
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var last = i == runs.Count - 1;
            record = record with
            {
                RowsExtracted = record.RowsExtracted + run.Data.Sum(m => m.Rows),
                LakeFiles = record.LakeFiles.AddRange(run.Data.Select(m => m.File)),
            };
            var reached = cursor && !run.Data.IsEmpty
                ? WatermarkSql.Max(warehouse.WorkArea, loaded, WatermarkSql.Read(warehouse.WorkArea, layout.Root, run.Data, incremental.Cursor))
                : loaded;
            var request = new LoadRequest(schema, table, pipeline.Mode, run.Data, layout.Root, record)
            {
                PrimaryKey = run.Data.FirstOrDefault(m => !m.PrimaryKey.IsEmpty)?.PrimaryKey ?? pipeline.PrimaryKey,
                LoadedAt = RunId.StartedAt(run.RunId),
                RowsRunId = run.RunId,
                Deletes = incremental.Deletes,
                Track = child ? [] : incremental.Track,
                Rules = pipeline.RulesFor(table, list: child),
                Loaded = cursor ? loaded : null,
                PresentKeys = !incremental.DetectDeletes || child && incremental.HasCursor ? null : cursor ? (run.Keys.IsEmpty ? null : run.Keys) : run.Data,
                Previous = incremental.ChangeDetection == ChangeDetection.Hash ? previous : [],
                Recreate = selection.RebuildsTables && i == 0,
                ReplacesRun = !selection.RebuildsTables,
                RewindTo = !selection.RebuildsTables && i == 0 ? RunId.StartedAt(run.RunId) : null,
                Final = last,
                State = selection.RebuildsTables && last && (cursor || !incremental.HasCursor && incremental.ChangeDetection == ChangeDetection.Hash)
                    ? new StreamState(pipeline.Name, record.Stream, reached, incremental.HasCursor ? [] : [.. run.Data.Select(m => m.File)], run.RunId, time.GetUtcNow())
                    : null,
            };
            record = await warehouse.LoadAsync(request, cancellationToken);
            loaded = reached;
            previous = run.Data;
        }

        return record;
    }

    /// <summary>The key a table's files were loaded by: the pipeline's, or (a child table of nested JSON) its own.</summary>
    private static ImmutableArray<string> PrimaryKeyOf(List<LoadedRun> runs, PipelineSettings pipeline) =>
        runs.SelectMany(r => r.Data).FirstOrDefault(m => !m.PrimaryKey.IsEmpty)?.PrimaryKey ?? pipeline.PrimaryKey;

    /// <summary>Each run's committed files per target table, oldest run first.</summary>
    private async Task<List<LoadedRun>> LoadedRunsAsync(PipelineSettings pipeline, ILakeStore store, CancellationToken cancellationToken)
    {
        var audit = (await warehouse.ListRunsAsync(int.MaxValue, pipeline.Name, cancellationToken))
            .Where(r => r.Mode != "replay" && !r.LakeFiles.IsEmpty)
            .ToList();
        // Runs before a table's last full extract are not needed (lake retention may have removed
        // them), nor key files but the newest.
        var needed = ReplayWindow.Needed(audit);
        var files = audit.Count > 0
            ? ReplayWindow.Runs(audit)
                .SelectMany(r => r.LakeFiles.Select(f => (r.RunId, r.Target, File: f)))
                .Select(f => (f.RunId, f.Target, Manifest: layout.ReadManifest(f.File, fileToo: store.IsLocal) ?? (!needed.Contains(LakeObject.BaseOf(f.File)) ? (LakeManifest?)null : throw new ReplayException(pipeline.Name,
                    $"The lake file {f.File} of run {f.RunId} is gone from {store.Describe()}; the replay cannot rebuild {f.Target} without it."))))
                .Where(f => f.Manifest is not null)
                .Select(f => (f.RunId, f.Target, Manifest: f.Manifest!))
            : layout.Manifests(pipeline.Name).Select(m => (m.RunId, Target: $"{pipeline.Schema}.{KeysOf(m) ?? m.Stream}", Manifest: m));
        return [.. files
            .GroupBy(f => (f.RunId, f.Target))
            .Select(g => new LoadedRun(g.Key.RunId, g.Key.Target,
                [.. g.Select(f => f.Manifest).Where(m => KeysOf(m) is null).OrderBy(m => m.File, StringComparer.Ordinal)],
                [.. g.Select(f => f.Manifest).Where(m => KeysOf(m) is not null).OrderBy(m => m.File, StringComparer.Ordinal)]))
            .OrderBy(r => r.RunId, StringComparer.Ordinal)];
    }

    /// <summary>The stream whose keys a key file holds (delete detection), or null for a data file.</summary>
    private static string? KeysOf(LakeManifest manifest) =>
        manifest.Stream.EndsWith(".keys", StringComparison.Ordinal) ? manifest.Stream[..^".keys".Length] : null;
}
