using DuckDB.NET.Data;
using Wharf.DuckDb;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources;
using Wharf.Warehouses;

namespace Wharf.Runs;

/// <summary>
/// Runs pipelines end to end: extract each stream to the lake, load it into the warehouse with
/// its audit row and state, report progress. A failing stream is recorded and the next pipeline
/// still runs. Cursor streams commit chunk by chunk as they are extracted, so a run that dies
/// resumes after its last committed chunk.
/// </summary>
internal sealed class Runner(Project project, IWarehouse warehouse, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly LakeWriter lake = new(new LakeLayout(project.LakeDirectory), time);

    /// <summary>Ignore saved watermarks and snapshots and rebuild the pipelines' tables (<c>--full-refresh</c>).</summary>
    public bool FullRefresh { get; init; }

    /// <summary>How long to wait for another run of the same pipeline to finish (<c>--wait</c>); by default, none.</summary>
    public TimeSpan WaitForLock { get; init; }

    /// <summary>Runs the named pipelines (all when none are named), in the order of the project file.</summary>
    public async Task<RunSummary> RunAsync(IReadOnlyCollection<string> pipelineNames, IProgress<RunEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var pipelines = project.Select(pipelineNames);
        var clock = Stopwatch.StartNew();
        var records = ImmutableArray.CreateBuilder<RunRecord>();
        foreach (var pipeline in pipelines)
        {
            records.AddRange(await RunPipelineAsync(pipeline, progress, cancellationToken));
        }

        return new RunSummary(records.ToImmutable(), clock.Elapsed);
    }

    /// <summary>Everything one stream's run needs to know, fixed when the pipeline starts.</summary>
    /// <param name="Loads">Lets one load in at a time: the warehouse connection is shared, and each load is one transaction.</param>
    private sealed record StreamPlan(PipelineSettings Pipeline, SourceStream Stream, RunRecord Record, StreamState? State, DateTimeOffset RunStartedAt, SemaphoreSlim Loads)
    {
        public IncrementalSettings Incremental => Pipeline.Incremental;

        /// <summary>The pipeline's key, else the source's; a nested JSON child table's own (parent id, list index).</summary>
        public IReadOnlyList<string> PrimaryKey => Pipeline.PrimaryKey.IsEmpty || !Stream.NestedPath.IsEmpty ? Stream.PrimaryKey : Pipeline.PrimaryKey;
    }

    private async Task<IReadOnlyList<RunRecord>> RunPipelineAsync(PipelineSettings pipeline, IProgress<RunEvent>? progress, CancellationToken cancellationToken)
    {
        // To the millisecond, as the run id says: a replay reads the run's start back from its id.
        var now = time.GetUtcNow();
        var started = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        var runId = RunId.New(started);
        var connection = project.Connection(pipeline.Source);
        var source = SourceFactory.Create(connection, pipeline, new SourceContext
        {
            LakeDirectory = project.LakeDirectory,
            Logger = logger,
            Time = time,
            QueryWarehouse = (sql, _) => Task.FromResult(QueryWarehouse(sql)),
        });
        var record = new RunRecord
        {
            RunId = runId,
            Pipeline = pipeline.Name,
            Stream = pipeline.Table,
            Source = $"{connection.Name}: {(pipeline.Query is not null ? "query" : string.Join(", ", pipeline.Files.IsEmpty ? pipeline.Tables : pipeline.Files))}",
            Target = $"{pipeline.Schema}.{pipeline.Table}",
            Mode = pipeline.Mode.ToString().ToLowerInvariant(),
            StartedAt = started,
        };

        IReadOnlyList<SourceStream> streams;
        IReadOnlyList<StreamState> states;
        PipelineLock pipelineLock;
        IAsyncDisposable warehouseLock;
        try
        {
            pipelineLock = await PipelineLock.AcquireAsync(project.Directory, pipeline.Name, runId, WaitForLock, time, cancellationToken);
            try
            {
                warehouseLock = await warehouse.LockPipelineAsync(pipeline.Name, $"run {runId} pid {Environment.ProcessId}@{Environment.MachineName}", WaitForLock, cancellationToken);
            }
            catch
            {
                pipelineLock.Dispose();
                throw;
            }
        }
        catch (WharfException ex)
        {
            // Not recorded in the audit: the run that holds the lock owns the pipeline's rows there.
            LogMessages.StreamFailed(logger, ex, runId, record.Stream, ex.Message);
            var refused = record with { FinishedAt = time.GetUtcNow(), Status = RunStatus.Failed, Error = ex.Message };
            progress?.Report(new StreamFinished(refused));
            return [refused];
        }

        using var held = pipelineLock;
        await using var heldInWarehouse = warehouseLock;
        try
        {
            states = await warehouse.StartPipelineAsync(pipeline.Name, cancellationToken);
            streams = await source.ListStreamsAsync(cancellationToken);
        }
        catch (WharfException ex)
        {
            return [await FailAsync(record, ex, progress, cancellationToken)];
        }

        if (pipeline.PerTable.Keys.FirstOrDefault(t => streams.All(s => s.Target != t)) is { } unknown)
        {
            return [await FailAsync(record, new WharfException(
                $"Pipeline '{pipeline.Name}' ({pipeline.Location}) has rules under 'per_table:' for '{unknown}', which is not among its tables ({string.Join(", ", streams.Select(s => s.Target))}). Fix the name under 'per_table:'."),
                progress, cancellationToken)];
        }

        foreach (var note in source.Notes)
        {
            LogMessages.PipelineNote(logger, record.RunId, pipeline.Name, note);
        }

        if (pipeline.Keys)
        {
            await warehouse.DropForeignKeysAsync(pipeline.Schema, [.. streams.Select(s => s.Target)], cancellationToken);
        }

        // Extractions run ahead, up to `parallel` at once, each on its own work-area connection;
        // loads happen one at a time, in the streams' (foreign-key) order. Cursor streams also
        // commit each chunk as it is extracted.
        using var slots = new SemaphoreSlim(Math.Max(1, pipeline.Parallel));
        using var loads = new SemaphoreSlim(1);
        var plans = streams.Select(stream => new StreamPlan(pipeline, stream, record with
        {
            Stream = stream.Name,
            Source = $"{connection.Name}: {stream.Description}",
            Target = $"{pipeline.Schema}.{stream.Target}",
        }, FullRefresh ? null : states.FirstOrDefault(s => s.Stream == stream.Name), started, loads)).ToList();
        var extractions = plans.Select(plan => ExtractAsync(source, plan, slots, progress, cancellationToken)).ToList();
        var results = new List<RunRecord>();
        for (var i = 0; i < plans.Count; i++)
        {
            results.Add(await FinishAsync(plans[i], await extractions[i], progress, cancellationToken));
        }

        if (pipeline.Keys && results.All(r => r.Status == RunStatus.Succeeded))
        {
            try
            {
                foreach (var note in await warehouse.ApplyKeysAsync(pipeline.Schema, Keys(streams), cancellationToken))
                {
                    LogMessages.PipelineNote(logger, record.RunId, pipeline.Name, note);
                }
            }
            catch (WharfException ex)
            {
                results.Add(await FailAsync(record with { Stream = "(keys)", StartedAt = time.GetUtcNow() }, ex, progress, cancellationToken));
            }
        }

        return results;
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

    /// <summary>The source's keys in warehouse names; foreign keys only between tables this pipeline loaded.</summary>
    private static List<TableKeys> Keys(IReadOnlyList<SourceStream> streams)
    {
        var loaded = streams.Select(s => s.Target).ToHashSet(StringComparer.Ordinal);
        return [.. streams.Select(s => new TableKeys(
            s.Target,
            [.. s.PrimaryKey.Select(Schema.ColumnNames.ToSnakeCase)],
            [.. s.ForeignKeys.Where(f => loaded.Contains(f.ReferencedTable)).Select(f => new ForeignKey(
                [.. f.Columns.Select(Schema.ColumnNames.ToSnakeCase)], f.ReferencedTable, [.. f.ReferencedColumns.Select(Schema.ColumnNames.ToSnakeCase)]))]))];
    }

    /// <summary>
    /// What one stream's extraction gave: its lake files (for cursor streams, already loaded chunk
    /// by chunk), the source's keys for delete detection, or its error. Failures are recorded
    /// later, in load order, because the audit shares the warehouse connection with the loads.
    /// </summary>
    private sealed record Extraction(RunRecord Record, IReadOnlyList<LakeManifest>? Manifests, WharfException? Error = null)
    {
        public ImmutableArray<LakeManifest>? PresentKeys { get; init; }

        /// <summary>The watermark after the last committed chunk (cursor streams).</summary>
        public Watermark? Watermark { get; init; }

        /// <summary>What the state holds after the last committed chunk (cursor streams).</summary>
        public StateExpectation? Expected { get; init; }
    }

    private async Task<Extraction> ExtractAsync(ISource source, StreamPlan plan, SemaphoreSlim slots, IProgress<RunEvent>? progress, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        var record = plan.Record with { StartedAt = time.GetUtcNow() };
        CursorChunks? chunks = null;
        try
        {
            progress?.Report(new StreamStarted(record.Pipeline, record.Stream, plan.Stream.Description, plan.Stream.Bytes));
            LogMessages.StreamStarting(logger, record.RunId, record.Pipeline, record.Stream, plan.Stream.Description);
            using var workArea = warehouse.OpenWorkArea();
            var request = new ExtractRequest(workArea, lake, new LakeTarget(record.Pipeline, record.Stream, record.RunId, plan.RunStartedAt) { PrimaryKey = [.. plan.PrimaryKey] });
            var incremental = plan.Incremental;

            // A cursor extract holds only what changed: deletes need every key the source has now.
            await using var presentKeys = incremental.DetectDeletes && incremental.HasCursor && plan.PrimaryKey.Count > 0
                ? new PresentKeysReader(source, warehouse, plan.Stream, request with
                {
                    Target = request.Target with { Stream = record.Stream + ".keys" },
                    Columns = [.. plan.PrimaryKey],
                    PartRows = incremental.ChunkRows,
                }, cancellationToken)
                : null;
            Extraction extraction;
            if (incremental.HasCursor || plan.Stream.CommitsEachPart)
            {
                chunks = new CursorChunks(this, plan, workArea, record, progress);
                request = request with
                {
                    Cursor = incremental.Cursor,
                    From = incremental.HasCursor ? chunks.Bound() : null,
                    Checkpoint = FullRefresh ? null : plan.State?.Checkpoint,
                    OnPart = chunks.CommitAsync,
                    PartRows = incremental.ChunkRows,
                    OnSnapshot = presentKeys?.OnSnapshot,
                };
                var manifests = await WithProgress(record, workArea, progress, () => source.ExtractAsync(plan.Stream, request, cancellationToken));
                extraction = new Extraction(chunks.Record, manifests) { Watermark = chunks.Watermark, Expected = chunks.Expected };
            }
            else
            {
                var manifests = await WithProgress(record, workArea, progress, () => source.ExtractAsync(plan.Stream, request, cancellationToken));
                extraction = new Extraction(Extracted(record, manifests), manifests);
            }

            if (incremental.DetectDeletes && incremental.HasCursor)
            {
                if (presentKeys is null)
                {
                    throw new WharfException($"detect_deletes matches rows by key, and {record.Target} has none. Add 'primary_key:' to pipeline '{record.Pipeline}'.");
                }

                progress?.Report(new StreamPhase(record.Pipeline, record.Stream, "reading keys"));
                extraction = extraction with { PresentKeys = [.. await presentKeys.ReadAsync()] };
            }

            return extraction;
        }
        catch (WharfException ex) when (chunks is { Record.RowsExtracted: > 0 })
        {
            // Committed chunks stay: say so, and where the next run starts.
            var message = $"{ex.Message.Replace("Nothing was loaded.", "Nothing of this chunk was loaded.", StringComparison.Ordinal)} " +
                $"The {chunks.Record.RowsExtracted:N0} rows of earlier chunks are committed; the next run resumes after {chunks.Watermark}.";
            return new Extraction(chunks.Extracted, null, ex is Quality.CheckFailedException failed
                ? new Quality.CheckFailedException(message, failed.Results)
                : new WharfException(message, ex));
        }
        catch (WharfException ex)
        {
            return new Extraction(chunks?.Extracted ?? record, null, ex);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// Loads a cursor stream chunk by chunk as the source writes each part: every chunk's rows,
    /// the watermark they reach and the audit row are one transaction.
    /// </summary>
    private sealed class CursorChunks(Runner runner, StreamPlan plan, DuckDBConnection workArea, RunRecord record, IProgress<RunEvent>? progress)
    {
        /// <summary>The watermark the run starts from; none when the cursor changed since it was saved.</summary>
        private readonly Watermark? before = Saved(plan);
        private bool first = true;
        private bool allNew;

        /// <summary>What the state must hold when the next chunk commits (not checked for a full refresh's first chunk).</summary>
        public StateExpectation? Expected { get; private set; } = runner.FullRefresh ? null : StateExpectation.Of(plan.State);

        public RunRecord Record { get; private set; } = record with { WatermarkBefore = plan.State?.Watermark?.ToString() };

        /// <summary>What is committed, plus the rows and lake file of a chunk that failed to load (for the failed run's audit row).</summary>
        public RunRecord Extracted { get; private set; } = record with { WatermarkBefore = plan.State?.Watermark?.ToString() };

        /// <summary>The watermark of what is committed: the run's start, then each chunk's.</summary>
        public Watermark? Watermark { get; private set; } = Saved(plan);

        private static Watermark? Saved(StreamPlan plan) =>
            plan.State?.Watermark is { } saved && saved.Matches(plan.Incremental.Cursor) ? saved : null;

        /// <summary>Where the extract starts: the saved watermark (less the lookback), the initial value, or the beginning.</summary>
        public CursorBound? Bound()
        {
            var incremental = plan.Incremental;
            if (before is null)
            {
                // A first run that saw only NULL cursors saved no watermark, but it loaded those rows.
                return incremental.Initial is { } initial ? new CursorBound([initial])
                    : plan.State is { Watermark: null, Snapshot.IsEmpty: true } ? new CursorBound([])
                    : null;
            }

            return incremental.Lookback is { } lookback
                ? new CursorBound([WatermarkSql.Subtract(workArea, before, lookback)])
                : new CursorBound(before.Values);
        }

        public async Task CommitAsync(LakeManifest part, CancellationToken cancellationToken)
        {
            FailPoint.Hit(FailPoint.PartWritten);
            var reached = plan.Incremental.HasCursor
                ? WatermarkSql.Max(workArea, Watermark, WatermarkSql.Read(workArea, runner.lake.Layout.Root, [part], plan.Incremental.Cursor))
                : null;
            var attempt = Record with
            {
                RowsExtracted = Record.RowsExtracted + part.Rows,
                LakeFiles = Record.LakeFiles.Add(part.File),
                WatermarkAfter = reached?.ToString(),
            };
            if (first && before is null && plan.Pipeline.Mode is WriteMode.Merge or WriteMode.Scd2 && !plan.Stream.CommitsEachPart)
            {
                // A run from the beginning into an empty table reads each key once: nothing to compare with.
                allNew = runner.FullRefresh || await runner.IsEmptyAsync(plan, cancellationToken);
            }

            var request = runner.Request(plan, [part], attempt) with
            {
                AllNew = allNew,
                Final = false,
                TableChecks = false,
                Loaded = before,
                Recreate = runner.FullRefresh && first,
                Expected = Expected,
                State = new StreamState(plan.Pipeline.Name, plan.Stream.Name, reached, [], attempt.RunId, runner.Now) { Checkpoint = part.Checkpoint },
            };

            // Record and Watermark move only once the chunk has committed: they describe what is in the warehouse.
            Extracted = attempt with { WatermarkAfter = Record.WatermarkAfter };
            Record = await runner.LoadOneAsync(plan, request, cancellationToken);
            Extracted = Record;
            Watermark = reached;
            Expected = StateExpectation.Of(request.State);
            FailPoint.Hit(FailPoint.ChunkCommitted);
            first = false;
            progress?.Report(new StreamPhase(Record.Pipeline, Record.Stream, $"{Record.RowsLoaded:N0} rows committed"));
        }
    }

    private DateTimeOffset Now => time.GetUtcNow();

    private LoadRequest Request(StreamPlan plan, ImmutableArray<LakeManifest> files, RunRecord record) =>
        new(plan.Pipeline.Schema, plan.Stream.Target, plan.Pipeline.Mode, files, lake.Layout.Root, record)
        {
            PrimaryKey = plan.PrimaryKey,
            LoadedAt = plan.RunStartedAt,
            Deletes = plan.Incremental.Deletes,
            Track = plan.Incremental.Track,
            Rules = plan.Pipeline.RulesFor(plan.Stream.Target),
        };

    private Task<bool> IsEmptyAsync(StreamPlan plan, CancellationToken cancellationToken) =>
        OneAtATimeAsync(plan.Loads, () => warehouse.IsEmptyAsync(plan.Pipeline.Schema, plan.Stream.Target, cancellationToken), cancellationToken);

    private Task<RunRecord> LoadOneAsync(StreamPlan plan, LoadRequest request, CancellationToken cancellationToken) =>
        OneAtATimeAsync(plan.Loads, () => warehouse.LoadAsync(request, cancellationToken), cancellationToken);

    /// <summary>Runs warehouse work once the gate lets it in (no gate: at once).</summary>
    private static async Task<T> OneAtATimeAsync<T>(SemaphoreSlim? gate, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await (gate?.WaitAsync(cancellationToken) ?? Task.CompletedTask);
        try
        {
            return await work();
        }
        finally
        {
            gate?.Release();
        }
    }

    /// <summary>Ends a stream's run: loads a full extract, or applies a cursor stream's deletes; records it as succeeded.</summary>
    private async Task<RunRecord> FinishAsync(StreamPlan plan, Extraction extraction, IProgress<RunEvent>? progress, CancellationToken cancellationToken)
    {
        if (extraction.Manifests is not { } manifests)
        {
            return await FailAsync(extraction.Record, extraction.Error!, progress, cancellationToken, plan.Loads);
        }

        var record = extraction.Record;
        var incremental = plan.Incremental;
        try
        {
            progress?.Report(new StreamPhase(record.Pipeline, record.Stream, "loading"));
            LoadRequest request;
            if (incremental.HasCursor || plan.Stream.CommitsEachPart)
            {
                var tableChecks = await OneAtATimeAsync(plan.Loads, () => Task.FromResult(
                    Staging.StagedLoad.CheckRun(warehouse.WorkArea, Request(plan, [.. manifests], record))), cancellationToken);
                record = record with { Checks = LoadResult.Merge(record.Checks, tableChecks) };
                var summarized = extraction.PresentKeys is { } present && KeySummary.Holds(present);
                request = Request(plan, [], record with { LakeFiles = record.LakeFiles.AddRange(extraction.PresentKeys?.Select(k => k.File) ?? []) }) with
                {
                    PresentKeys = extraction.PresentKeys,
                    KnownKeys = summarized && ReadKnownKeys(plan.State, extraction.PresentKeys!.Value) is { } previous ? new KnownKeys(previous, [.. manifests]) : null,
                    Expected = extraction.Expected,
                    State = new StreamState(plan.Pipeline.Name, plan.Stream.Name, extraction.Watermark, [], record.RunId, time.GetUtcNow())
                    {
                        PresentKeys = summarized ? [.. extraction.PresentKeys!.Value.Select(k => k.File)] : [],
                    },
                };
            }
            else
            {
                var files = manifests.ToImmutableArray();
                var hash = incremental.ChangeDetection == ChangeDetection.Hash;
                request = Request(plan, files, record) with
                {
                    PresentKeys = incremental.DetectDeletes ? files : null,
                    Previous = hash && plan.State is { } state ? ReadSnapshot(state) : [],
                    Recreate = FullRefresh,
                    Expected = FullRefresh ? null : StateExpectation.Of(plan.State),
                    State = hash ? new StreamState(plan.Pipeline.Name, plan.Stream.Name, null, [.. files.Select(f => f.File)], record.RunId, time.GetUtcNow()) : null,
                };
            }

            var done = await LoadOneAsync(plan, request, cancellationToken);
            progress?.Report(new StreamFinished(done));
            LogMessages.StreamLoaded(logger, record.RunId, record.Stream, done.RowsLoaded, record.Target);
            return done;
        }
        catch (WharfException ex)
        {
            return await FailAsync(record, ex, progress, cancellationToken, plan.Loads);
        }
    }

    /// <summary>The previous snapshot's manifests; none (so every row is compared in the warehouse) when any is gone from the lake.</summary>
    private ImmutableArray<LakeManifest> ReadSnapshot(StreamState state) => ReadManifests(state.Snapshot);

    /// <summary>
    /// The key summary the table's rows were last reduced to, if the run that did it made the
    /// stream's last commit (the state at this run's start says so: any later commit clears it),
    /// and it summarizes the same key column as this run's (<paramref name="present"/>).
    /// </summary>
    private ImmutableArray<LakeManifest>? ReadKnownKeys(StreamState? state, ImmutableArray<LakeManifest> present)
    {
        var keys = state is null ? [] : ReadManifests(state.PresentKeys);
        return KeySummary.Holds(keys) && keys.All(k => k.PrimaryKey.SequenceEqual(present[0].PrimaryKey, StringComparer.Ordinal)) ? keys : null;
    }

    private ImmutableArray<LakeManifest> ReadManifests(ImmutableArray<string> files)
    {
        var manifests = files.Select(file => lake.Layout.ReadManifest(file)).ToList();
        return manifests.Any(m => m is null) || manifests.Count == 0 ? [] : [.. manifests!];
    }

    private static RunRecord Extracted(RunRecord record, IReadOnlyList<LakeManifest> manifests) =>
        record with { RowsExtracted = manifests.Sum(m => m.Rows), LakeFiles = [.. manifests.Select(m => m.File)] };

    /// <summary>Runs an extract while reporting DuckDB's progress on the work-area connection.</summary>
    private async Task<T> WithProgress<T>(RunRecord record, DuckDBConnection workArea, IProgress<RunEvent>? progress, Func<Task<T>> work)
    {
        var task = work();
        if (progress is null)
        {
            return await task;
        }

        var clock = Stopwatch.StartNew();
        while (await Task.WhenAny(task, Task.Delay(ProgressInterval, time)) != task)
        {
            progress.Report(new StreamProgressed(record.Pipeline, record.Stream, workArea.Progress(), clock.Elapsed));
        }

        return await task;
    }

    private async Task<RunRecord> FailAsync(RunRecord record, WharfException error, IProgress<RunEvent>? progress, CancellationToken cancellationToken, SemaphoreSlim? loads = null)
    {
        var failed = record with { FinishedAt = time.GetUtcNow(), Status = RunStatus.Failed, Error = error.Message };
        if (error is Quality.CheckFailedException checks)
        {
            failed = failed with { Checks = Warehouses.LoadResult.Merge(failed.Checks, checks.Results) };
        }

        LogMessages.StreamFailed(logger, error, record.RunId, record.Stream, error.Message);
        try
        {
            await OneAtATimeAsync(loads, async () =>
            {
                await warehouse.RecordAsync(failed, cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (WharfException auditError)
        {
            LogMessages.AuditFailed(logger, auditError, record.RunId);
        }

        progress?.Report(new StreamFinished(failed));
        return failed;
    }
}
