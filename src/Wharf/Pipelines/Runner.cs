using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.OpenLineage;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Sources;
using Wharf.Warehouses;

namespace Wharf.Pipelines;

/// <summary>
/// Runs pipelines end to end: for each, take its locks, list its streams, run each stream
/// (<see cref="StreamRun"/>: extractions in parallel, loads one at a time in foreign-key order),
/// then recreate its keys. A failing stream is recorded and the next pipeline still runs.
/// </summary>
internal sealed class Runner(Project project, IWarehouse warehouse, TimeProvider time, ILogger logger)
{
    // Every line of a run also goes to its file in .wharf/logs, for the dashboard's run page.
    private readonly RunLogFiles logger = new(project.Directory, logger, time);

    /// <summary>Ignore saved watermarks and snapshots and rebuild the pipelines' tables (<c>--full-refresh</c>).</summary>
    public bool FullRefresh { get; init; }

    /// <summary>How long to wait for another run of the same pipeline to finish (<c>--wait</c>); by default, none.</summary>
    public TimeSpan WaitForLock { get; init; }

    /// <summary>Makes a pipeline's source; by default (null) the one its connection's type names (tests give their own).</summary>
    public Func<ConnectionSettings, PipelineSettings, ISource>? Sources { get; init; }

    /// <summary>Runs the named pipelines (all when none are named), in the order of the project file.</summary>
    public async Task<RunSummary> RunAsync(IReadOnlyCollection<string> pipelineNames, IProgress<RunEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var pipelines = project.Select(pipelineNames);
        var clock = Stopwatch.StartNew();
        var records = ImmutableArray.CreateBuilder<RunRecord>();
        await using var lineage = OpenLineageEmitter.For(project, time, logger);
        using var store = LakeStores.Open(project, time, logger);
        // A lake on S3 is written to a staging folder of this run's own, uploaded from there, and
        // loaded from there; the folder goes when the run ends.
        var staging = store.IsLocal ? project.LakeDirectory : LakeStaging.NewFolder(project.LakeDirectory, "run");
        var lake = new LakeWriter(new LakeLayout(staging), time) { Store = store };
        var run = new RunContext(warehouse, lake, time, logger, lineage?.Beside(progress) ?? progress)
        {
            FullRefresh = FullRefresh,
            DrawsPercentages = progress is IDrawsPercentages,
        };
        try
        {
            foreach (var pipeline in pipelines)
            {
                records.AddRange(await RunPipelineAsync(run, pipeline, cancellationToken));
            }

            if (records.Count > 0)
            {
                records[^1] = await EndRunAsync(records[^1], cancellationToken);
            }
        }
        finally
        {
            if (!store.IsLocal)
            {
                LakeStaging.Remove(staging);
            }
        }

        return new RunSummary(records.ToImmutable(), clock.Elapsed);
    }

    /// <summary>
    /// The warehouse writes what the run committed to its storage, once for all its streams
    /// (<see cref="IWarehouse.EndRunAsync"/>); when it cannot, the last stream fails with the reason,
    /// as it would if its own commit had: the run does not pass while its loads are only in a log.
    /// </summary>
    private async Task<RunRecord> EndRunAsync(RunRecord last, CancellationToken cancellationToken)
    {
        try
        {
            await warehouse.EndRunAsync(last, cancellationToken);
            return last;
        }
        catch (Warehouses.LoadException ex)
        {
            // A stream that failed already keeps its own reason: it is the one to fix first.
            LogMessages.StreamFailed(logger, ex, last.RunId, last.Stream, ex.Message);
            return last.Status == RunStatus.Failed ? last : last with { Status = RunStatus.Failed, Error = ex.Message };
        }
    }

    private async Task<IReadOnlyList<RunRecord>> RunPipelineAsync(RunContext run, PipelineSettings pipeline, CancellationToken cancellationToken)
    {
        // To the millisecond, as the run id says: a replay reads the run's start back from its id.
        var now = time.GetUtcNow();
        var started = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        var connection = project.Connection(pipeline.Source);
        var source = Sources?.Invoke(connection, pipeline) ?? SourceFactory.Create(connection, pipeline, new SourceContext
        {
            LakeDirectory = project.LakeDirectory,
            Lake = run.Lake.Store,
            Logger = logger,
            Time = time,
            QueryWarehouse = (sql, _) => Task.FromResult(QueryWarehouse(sql)),
            WaitForLock = WaitForLock,
        });

        // A source that holds its database open (a DuckDB file, read-only) lets it go when the pipeline ends.
        await using var sourceLifetime = source as IAsyncDisposable;
        var record = new RunRecord
        {
            RunId = RunId.New(started),
            Pipeline = pipeline.Name,
            Stream = pipeline.Table,
            Source = $"{connection.Name}: {(pipeline.Query is not null ? "query" : string.Join(", ", pipeline.Files.IsEmpty ? pipeline.Tables : pipeline.Files))}",
            Target = $"{pipeline.Schema}.{pipeline.Table}",
            Mode = pipeline.Mode.ToString().ToLowerInvariant(),
            StartedAt = started,
        };
        using var lines = logger.Begin(record.RunId);
        if (run.FullRefresh && connection.DeliversOnce)
        {
            // Rebuilding from the broker would drop every acknowledged message: the table is kept.
            LogMessages.PipelineWarning(logger, record.RunId, pipeline.Name,
                $"--full-refresh keeps {record.Target}: {connection.Name} ({connection.Type}) cannot deliver the messages it already delivered again. " +
                $"Its new messages are loaded as in any run; 'wharf replay {pipeline.Name}' rebuilds the table from the lake.");
            run = run.KeepingTables();
        }

        PipelineLocks locks;
        try
        {
            locks = await PipelineLocks.AcquireAsync(project, warehouse, pipeline.Name, record.RunId, WaitForLock, time, cancellationToken);
        }
        catch (WharfException ex)
        {
            // Not recorded in the audit: the run that holds the lock owns the pipeline's rows there.
            LogMessages.StreamFailed(logger, ex, record.RunId, record.Stream, ex.Message);
            var refused = record with { FinishedAt = time.GetUtcNow(), Status = RunStatus.Failed, Error = ex.Message };
            run.Progress?.Report(new StreamFinished(refused));
            return [refused];
        }

        await using (locks)
        {
            if (run.Lake.Store is { IsLocal: false })
            {
                LakeStaging.RemoveLeftovers(project.LakeDirectory, pipeline.Name, run.Lake.Layout.Root);
            }

            IReadOnlyList<SourceStream> streams;
            IReadOnlyList<StreamState> states;
            try
            {
                states = await warehouse.StartPipelineAsync(pipeline.Name, cancellationToken);
                source.Resume(run.FullRefresh ? [] : states);
                streams = await source.ListStreamsAsync(cancellationToken);
                CheckPerTableRules(pipeline, streams);
            }
            catch (WharfException ex)
            {
                return [await run.FailAsync(record, ex, null, cancellationToken)];
            }

            var noted = LogNotes(source, 0, record, pipeline);

            if (pipeline.Keys)
            {
                await warehouse.DropForeignKeysAsync(pipeline.Schema, [.. streams.Select(s => s.Target)], cancellationToken);
            }

            var results = await RunStreamsAsync(run, pipeline, source, connection, streams, states, record, cancellationToken);
            LogNotes(source, noted, record, pipeline);
            if (pipeline.Keys && results.All(r => r.Status == RunStatus.Succeeded))
            {
                if (await ApplyKeysAsync(run, pipeline, streams, record, cancellationToken) is { } failed)
                {
                    results.Add(failed);
                }
            }

            await SweepLakeAsync(run, pipeline, record.RunId, results, cancellationToken);
            return results;
        }
    }

    /// <summary>
    /// <c>lake_retention:</c> after a successful run, still under the pipeline's lock. Removing old
    /// extracts is housekeeping: when it fails, the run has still succeeded, and says so in a warning.
    /// </summary>
    private async Task SweepLakeAsync(RunContext run, PipelineSettings pipeline, string runId, List<RunRecord> results, CancellationToken cancellationToken)
    {
        if ((pipeline.LakeRetention ?? project.LakeRetention) is not { } retention || results.Count == 0 || results.Any(r => r.Status != RunStatus.Succeeded) || run.Lake.Store is not { } store)
        {
            return;
        }

        try
        {
            await new LakeRetentionSweep(store, warehouse, time, logger).SweepAsync(runId, pipeline, retention, cancellationToken);
        }
        catch (WharfException ex)
        {
            LogMessages.PipelineWarning(logger, runId, pipeline.Name, $"lake retention could not remove old extracts: {ex.Message}");
        }
    }

    /// <summary>The source's notes from the <paramref name="from"/>th on (some come while it reads: a workbook's sheets that were skipped); how many there are.</summary>
    private int LogNotes(ISource source, int from, RunRecord record, PipelineSettings pipeline)
    {
        foreach (var note in source.Notes.Skip(from))
        {
            LogMessages.PipelineNote(logger, record.RunId, pipeline.Name, note);
        }

        return source.Notes.Count;
    }

    /// <summary>A query's rows from the warehouse, for sources that iterate over them (HTTP <c>for_each: { query: }</c>).</summary>
    private IReadOnlyList<IReadOnlyDictionary<string, string?>> QueryWarehouse(string sql)
    {
        try
        {
            using var reader = warehouse.Query(sql);
            return SourceContext.Rows(reader);
        }
        catch (System.Data.Common.DbException ex)
        {
            throw new WharfException(ex.Message, ex);
        }
    }

    /// <exception cref="StreamSettingsException">A 'per_table:' rule names a table the pipeline does not load.</exception>
    private static void CheckPerTableRules(PipelineSettings pipeline, IReadOnlyList<SourceStream> streams)
    {
        if (pipeline.PerTable.Keys.FirstOrDefault(t => streams.All(s => s.Target != t)) is { } unknown)
        {
            throw new StreamSettingsException(pipeline.Name, unknown,
                $"Pipeline '{pipeline.Name}' ({pipeline.Location}) has rules under 'per_table:' for '{unknown}', which is not among its tables ({string.Join(", ", streams.Select(s => s.Target))}). Fix the name under 'per_table:'.");
        }
    }

    /// <summary>
    /// Extractions run ahead, up to <c>parallel</c> at once, each on its own work-area connection;
    /// loads happen one at a time, in the streams' (foreign-key) order. When an extraction fails
    /// unexpectedly (not with one of Wharf's errors, which are recorded), the others are cancelled
    /// and waited for before the error goes up, so none outlives the pipeline's slots and locks.
    /// </summary>
    private async Task<List<RunRecord>> RunStreamsAsync(
        RunContext run, PipelineSettings pipeline, ISource source, ConnectionSettings connection, IReadOnlyList<SourceStream> streams,
        IReadOnlyList<StreamState> states, RunRecord record, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, pipeline.Parallel));
        using var loads = new WarehouseGate();
        using var loadsAhead = new SemaphoreSlim(Math.Max(1, pipeline.Parallel));
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = streams.Select(stream => new StreamRun(run, new StreamPlan(pipeline, stream, record with
        {
            Stream = stream.Name,
            Source = $"{connection.Name}: {stream.Description}",
            Target = $"{pipeline.Schema}.{stream.Target}",
        }, run.FullRefresh ? null : states.FirstOrDefault(s => s.Stream == stream.Name), record.StartedAt, loads, loadsAhead))).ToList();
        var extractions = runs.Select(stream => CancelSiblingsOnBugAsync(stream.ExtractAsync(source, slots, siblings.Token), siblings)).ToList();
        var results = new List<RunRecord>();
        try
        {
            for (var i = 0; i < runs.Count; i++)
            {
                var extraction = await extractions[i];
                if (i > 0 && extraction.Manifests is not null && !streams[i].NestedPath.IsEmpty && streams[0].NestedPath.IsEmpty && results[0].Status != RunStatus.Succeeded)
                {
                    // A child table of nested JSON is loaded only with its parent: alone, its rows would point at parents
                    // the run did not load, or (a list gone from the files) it would be emptied under a parent that kept its rows.
                    extraction = extraction with
                    {
                        Manifests = null,
                        Error = new ParentTableFailedException($"Not loaded, since {results[0].Target} failed: the child tables of nested JSON are loaded only with their parent table, so that they stay in step. Nothing was loaded."),
                    };
                }

                var finished = await runs[i].FinishAsync(extraction, cancellationToken);
                var result = finished[0];
                results.Add(result.Status == RunStatus.Succeeded ? await AfterLoadAsync(source, streams[i], result, loads, cancellationToken) : result);
                results.AddRange(finished.Skip(1));
            }
        }
        catch
        {
            await siblings.CancelAsync();
            await Task.WhenAll(extractions).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            // Replaces built while extracting that never got their turn roll back now, not when the process ends.
            foreach (var ahead in extractions.Where(e => e.IsCompletedSuccessfully).Select(e => e.Result.Ahead).OfType<ReplaceAhead>())
            {
                await ahead.DisposeAsync();
            }

            // The bug that stopped the others, rather than the cancellation it caused in them.
            if (extractions.FirstOrDefault(e => e.IsFaulted && e.Exception!.InnerException is not OperationCanceledException) is { } failed)
            {
                ExceptionDispatchInfo.Throw(failed.Exception!.InnerException!);
            }

            throw;
        }

        return results;
    }

    /// <summary>
    /// The source's <c>after_load:</c>, once the stream's rows are committed. What could not be done
    /// is a warning in the log and in the audit row's notes; the run still succeeded.
    /// </summary>
    private async Task<RunRecord> AfterLoadAsync(ISource source, SourceStream stream, RunRecord done, WarehouseGate loads, CancellationToken cancellationToken)
    {
        var warnings = await source.AfterLoadAsync(stream, cancellationToken);
        if (warnings.Count == 0)
        {
            return done;
        }

        foreach (var warning in warnings)
        {
            LogMessages.PipelineWarning(logger, done.RunId, done.Pipeline, warning);
        }

        var noted = done with { Notes = done.Notes.AddRange(warnings) };
        try
        {
            await WarehouseGate.RunAsync(loads, () => warehouse.RecordAsync(noted, cancellationToken), cancellationToken);
        }
        catch (WharfException ex)
        {
            LogMessages.AuditFailed(logger, ex, done.RunId, ex.Message);
        }

        return noted;
    }

    private static async Task<Extraction> CancelSiblingsOnBugAsync(Task<Extraction> extraction, CancellationTokenSource siblings)
    {
        try
        {
            return await extraction;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await siblings.CancelAsync();
            throw;
        }
    }

    /// <summary>Recreates the source's keys on the loaded tables; the failed record when that fails.</summary>
    private async Task<RunRecord?> ApplyKeysAsync(RunContext run, PipelineSettings pipeline, IReadOnlyList<SourceStream> streams, RunRecord record, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var note in await warehouse.ApplyKeysAsync(pipeline.Schema, TableKeysOf(streams), cancellationToken))
            {
                LogMessages.PipelineNote(logger, record.RunId, pipeline.Name, note);
            }

            return null;
        }
        catch (WharfException ex)
        {
            return await run.FailAsync(record with { Stream = "(keys)", StartedAt = time.GetUtcNow() }, ex, null, cancellationToken);
        }
    }

    /// <summary>The source's keys in warehouse names; foreign keys only between tables this pipeline loaded.</summary>
    private static List<TableKeys> TableKeysOf(IReadOnlyList<SourceStream> streams)
    {
        var loaded = streams.Select(s => s.Target).ToHashSet(StringComparer.Ordinal);
        return [.. streams.Select(s => new TableKeys(
            s.Target,
            [.. s.PrimaryKey.Select(Schema.ColumnNames.ToSnakeCase)],
            [.. s.ForeignKeys.Where(f => loaded.Contains(f.ReferencedTable)).Select(f => new ForeignKey(
                [.. f.Columns.Select(Schema.ColumnNames.ToSnakeCase)], f.ReferencedTable, [.. f.ReferencedColumns.Select(Schema.ColumnNames.ToSnakeCase)]))]))];
    }
}
