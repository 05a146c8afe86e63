using System.Collections.Immutable;
using System.Diagnostics;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Sources;
using Wharf.Sources.Files;
using Wharf.Staging;

namespace Wharf.Pipelines;

/// <summary>
/// One stream's run: extract it to the lake (a cursor stream loads each chunk as it comes, see
/// <see cref="CursorChunks"/>), then finish it in the warehouse: load a full extract, or a cursor
/// stream's deletes and table checks, with the audit row and the state. A failure is recorded, not thrown.
/// </summary>
internal sealed class StreamRun(RunContext run, StreamPlan plan)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Extracts the stream, once one of the pipeline's extraction slots is free.</summary>
    /// <remarks>Wharf's own errors come back in the <see cref="Extraction"/>; anything else (a bug) is thrown.</remarks>
    public async Task<Extraction> ExtractAsync(ISource source, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        var sourceBytes = SourceBytes.Start();
        var record = plan.Record with { StartedAt = run.Now };
        CursorChunks? chunks = null;
        ReplaceAhead? ahead = null;
        try
        {
            run.Progress?.Report(new StreamStarted(record.Pipeline, record.Stream, plan.Stream.Description, plan.Stream.Bytes) { RunId = record.RunId, Target = record.Target });
            LogMessages.StreamStarting(run.Logger, record.RunId, record.Pipeline, record.Stream, plan.Stream.Description);
            using var workArea = run.Warehouse.OpenWorkArea();
            if (run.DrawsPercentages)
            {
                workArea.TrackProgress();
            }

            var request = new ExtractRequest(workArea, run.Lake, new LakeTarget(record.Pipeline, record.Stream, record.RunId, plan.RunStartedAt) { PrimaryKey = [.. plan.PrimaryKey] });
            var incremental = plan.Incremental;

            // A cursor extract holds only what changed: deletes need every key the source has now.
            var detectDeletes = incremental.DetectDeletes && incremental.HasCursor && plan.PrimaryKey.Count > 0;
            await using var presentKeys = detectDeletes
                ? new PresentKeysReader(source, run.Warehouse, plan.Stream, request with
                {
                    Target = request.Target with { Stream = record.Stream + ".keys" },
                    Columns = [.. plan.PrimaryKey],
                    PartRows = incremental.ChunkRows,
                }, cancellationToken)
                : null;

            // Into an empty table, every row the run loads comes from the extract's one snapshot, so
            // none can be missing from the source: no key is read, nothing is compared. (An extract
            // that loses its connection reads on from a newer snapshot; then the keys are read after all.)
            var readsWhole = ReadsWhole(source);
            var intoEmpty = (detectDeletes || readsWhole) && (run.FullRefresh || await WarehouseGate.RunAsync(plan.Loads,
                () => run.Warehouse.IsEmptyAsync(plan.Pipeline.Schema, plan.Stream.Target, cancellationToken), cancellationToken));
            readsWhole &= intoEmpty;
            Extraction extraction;
            if (!readsWhole && (incremental.HasCursor || plan.Stream.CommitsEachPart))
            {
                chunks = new CursorChunks(run, plan, workArea, record);
                long overlappedTicks = 0;
                request = request with
                {
                    Cursor = incremental.Cursor,
                    From = incremental.HasCursor ? chunks.Bound() : null,
                    Checkpoint = run.FullRefresh ? null : plan.State?.Checkpoint,
                    OnPart = chunks.CommitAsync,
                    OnPartOverlapped = overlapped => Interlocked.Add(ref overlappedTicks, overlapped.Ticks),
                    PartRows = incremental.ChunkRows,
                    OnSnapshot = intoEmpty ? null : presentKeys?.OnSnapshot,
                };
                var clock = Stopwatch.StartNew();
                var manifests = await ResumingAsync(record, chunks, request, presentKeys,
                    attempt => WithProgress(record, workArea, () => source.ExtractAsync(plan.Stream, attempt, cancellationToken)), cancellationToken);

                // The chunks' loads ran inside the extract: their time is theirs, not the source's,
                // except where the source went on reading meanwhile.
                var loads = chunks.Record.Times.Stage + chunks.Record.Times.Load + chunks.Record.Times.Commit - TimeSpan.FromTicks(Interlocked.Read(ref overlappedTicks));
                extraction = new Extraction(Measured(chunks.Record, manifests, clock.Elapsed - loads, sourceBytes), manifests)
                {
                    Watermark = chunks.Watermark,
                    Expected = chunks.Expected,
                    Children = chunks.Children,
                };
            }
            else
            {
                ahead = ReplaceAhead.For(run, plan, firstLoad: readsWhole);
                long overlappedTicks = 0;
                request = request with
                {
                    OnPartWritten = ahead is null ? null : ahead.AddAsync,
                    OnPartOverlapped = overlapped => Interlocked.Add(ref overlappedTicks, overlapped.Ticks),
                };
                var clock = Stopwatch.StartNew();
                var manifests = await RestartingAsync(record, ahead, () => WithProgress(record, workArea, () => source.ExtractAsync(plan.Stream, request, cancellationToken)), cancellationToken);
                var extracted = record with { RowsExtracted = manifests.Sum(m => m.Rows), LakeFiles = [.. manifests.Select(m => m.File)] };
                var loads = (ahead?.LoadTime ?? TimeSpan.Zero) - TimeSpan.FromTicks(Interlocked.Read(ref overlappedTicks));
                extraction = new Extraction(Measured(extracted, manifests, clock.Elapsed - loads, sourceBytes), manifests) { Ahead = ahead };
                ahead = null;
                if (readsWhole)
                {
                    // One snapshot, read whole: its highest cursor is where the next run starts.
                    var reached = manifests.Count == 0 ? null : WatermarkSql.Read(workArea, run.Lake.Layout.Root, manifests, incremental.Cursor);
                    extraction = extraction with
                    {
                        Record = extraction.Record with { WatermarkBefore = plan.State?.Watermark?.ToString(), WatermarkAfter = reached?.ToString() },
                        Watermark = reached,
                        Whole = true,
                    };
                }
            }

            if (incremental.DetectDeletes && incremental.HasCursor)
            {
                if (presentKeys is null)
                {
                    throw new StreamSettingsException(record.Pipeline, record.Stream,
                        $"detect_deletes matches rows by key, and {record.Target} has none. Add 'primary_key:' to pipeline '{record.Pipeline}'.");
                }

                if (intoEmpty && !presentKeys.Restarted)
                {
                    extraction = extraction with { LoadedKeys = await SummarizeLoadedKeysAsync(source, request, extraction.Manifests!, cancellationToken) };
                }
                else
                {
                    run.Progress?.Report(new StreamPhase(record.Pipeline, record.Stream, "reading keys"));
                    extraction = extraction with { PresentKeys = [.. await presentKeys.ReadAsync()] };
                }
            }

            return extraction;
        }
        catch (WharfException ex) when (chunks is { Record.RowsExtracted: > 0 })
        {
            // Committed chunks stay: say so, and where the next run starts (a broker's stream has no
            // watermark: the broker keeps the failed batch).
            var next = chunks.Watermark is { } watermark ? $"resumes after {watermark}" : "goes on after them";
            var message = $"{ex.Message.Replace("Nothing was loaded.", "Nothing of this chunk was loaded.", StringComparison.Ordinal)} " +
                $"The {chunks.Record.RowsExtracted:N0} rows of earlier chunks are committed; the next run {next}.";
            return new Extraction(chunks.Extracted, null, ex is CheckFailedException failed
                ? new CheckFailedException(message, failed.Results)
                : new PartlyCommittedException(record.Pipeline, record.Stream, chunks.Record.RowsExtracted, message, ex))
            { Children = chunks.Children };
        }
        catch (WharfException ex)
        {
            return new Extraction(chunks?.Extracted ?? record, null, ex) { Children = chunks?.Children ?? [] };
        }
        finally
        {
            if (ahead is not null)
            {
                await ahead.DisposeAsync();
            }

            slots.Release();
        }
    }

    /// <summary>
    /// Whether the stream is a cursor stream's first load to read whole (<see cref="FirstLoad.Whole"/>),
    /// should its table be empty: from the beginning (no watermark, no <c>initial:</c>), from a source
    /// that reads one snapshot, in parallel where it can. In cursor order, a database reads one range,
    /// and every chunk committed costs a transaction (bench/README.md, "First loads").
    /// Merge and scd2 need the source's own primary key: read out of cursor order, a key that repeats
    /// would have no latest version to keep.
    /// </summary>
    private bool ReadsWhole(ISource source) =>
        source.ReadsSnapshots && plan.Incremental is { HasCursor: true, Initial: null, FirstLoad: FirstLoad.Whole }
        && !plan.Stream.CommitsEachPart && plan.Stream.NestedPath.IsEmpty
        && (run.FullRefresh || CursorChunks.Saved(plan) is null)
        && (plan.Pipeline.Mode == WriteMode.Append || IsTheSourcesKey(plan.PrimaryKey, plan.Stream.PrimaryKey));

    /// <summary>
    /// Whether the stream's key reaches the table as the source table's primary key holds it: no
    /// <c>transform:</c> (a derive, cast or lower may fold two keys into one) and no declared type
    /// on a key column.
    /// </summary>
    /// <param name="rules">The rules the load applies to the table.</param>
    private bool KeysUnchanged(TableRules rules)
    {
        var key = plan.PrimaryKey.Select(Schema.ColumnNames.ToSnakeCase).ToHashSet(StringComparer.Ordinal);
        return IsTheSourcesKey(plan.PrimaryKey, plan.Stream.PrimaryKey) && rules.Transform.IsEmpty
            && !rules.Columns.Keys.Any(c => key.Contains(Schema.ColumnNames.ToSnakeCase(c)));
    }

    private static bool IsTheSourcesKey(IReadOnlyList<string> key, IReadOnlyList<string> sourceKey) =>
        sourceKey.Count > 0 && key.Select(Schema.ColumnNames.ToSnakeCase).Order(StringComparer.Ordinal)
            .SequenceEqual(sourceKey.Select(Schema.ColumnNames.ToSnakeCase).Order(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// The key summary (<see cref="KeySummary"/>) of the rows a load into an empty table wrote, from
    /// their lake files: the table's keys exactly, as the source would have summarized them. The
    /// state keeps it, so the next run compares the source's new summary with it instead of
    /// summarizing the table. Null when the source makes no summary or the key is not one integer column.
    /// </summary>
    private async Task<ImmutableArray<LakeManifest>?> SummarizeLoadedKeysAsync(ISource source, ExtractRequest request, IReadOnlyList<LakeManifest> parts, CancellationToken cancellationToken)
    {
        var key = parts.Count > 0 && plan.PrimaryKey.Count == 1 ? parts[0].Columns.FirstOrDefault(c => c.Name == plan.PrimaryKey[0]) : null;
        if (source is not IKeySummarySource || key is null || !KeySummary.Fits(key.Type))
        {
            return null;
        }

        var files = LakeLayout.ParquetList(run.Lake.Layout.Root, parts);
        var target = request.Target with { Stream = request.Target.Stream + ".keys" };
        return [await run.Lake.WriteAsync(request.WorkArea, target, KeySummary.Select(key.ReadExpression, $"read_parquet([{files}], union_by_name = true)"), [], cancellationToken)];
    }

    /// <summary>How often an extract is tried when the source drops the connection.</summary>
    internal const int SourceAttempts = 3;

    /// <summary>
    /// An extract whose source lost its connection (a restarted server, a killed session) is tried
    /// again, a few times, 2 s and then 4 s apart; <paramref name="onRetry"/> says so and prepares the
    /// next attempt (given the reason, the delay and the attempt's number).
    /// </summary>
    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> extract, Func<string, TimeSpan, int, Task> onRetry, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await extract();
            }
            catch (SourceException ex) when (ex.IsTransient && attempt < SourceAttempts)
            {
                var delay = TimeSpan.FromSeconds(2 * attempt);
                await onRetry(ex.Message.Replace(" Nothing was loaded.", "", StringComparison.Ordinal), delay, attempt + 1);
                await Task.Delay(delay, run.Time, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A full extract is read again from the start: nothing of it is committed before it ends, so
    /// starting over neither loses nor repeats a row. Its parts are written again under the same names.
    /// </summary>
    /// <param name="ahead">The new table built as the parts came, which starts over with them.</param>
    private Task<T> RestartingAsync<T>(RunRecord record, ReplaceAhead? ahead, Func<Task<T>> extract, CancellationToken cancellationToken) =>
        WithRetriesAsync(extract, async (reason, delay, next) =>
        {
            LogMessages.SourceRetry(run.Logger, record.RunId, record.Pipeline, record.Stream, reason, delay.TotalSeconds, next, SourceAttempts);
            if (ahead is not null)
            {
                await ahead.RestartAsync();
            }
        }, cancellationToken);

    /// <summary>
    /// A cursor (or part-by-part) extract reads on after its last committed chunk, as the next run
    /// would: what is committed stays, and nothing is read past. The keys for delete detection are
    /// summarized again from the new attempt's snapshot.
    /// </summary>
    /// <returns>Every part of the stream, those committed by earlier attempts first.</returns>
    private Task<IReadOnlyList<LakeManifest>> ResumingAsync(RunRecord record, CursorChunks chunks, ExtractRequest request, PresentKeysReader? presentKeys,
        Func<ExtractRequest, Task<IReadOnlyList<LakeManifest>>> extract, CancellationToken cancellationToken)
    {
        var attempt = request;
        return WithRetriesAsync<IReadOnlyList<LakeManifest>>(async () =>
        {
            var earlier = chunks.Committed;
            return [.. earlier, .. await extract(attempt)];
        }, async (reason, delay, next) =>
        {
            LogMessages.SourceResume(run.Logger, record.RunId, record.Pipeline, record.Stream, reason, chunks.Record.RowsExtracted, delay.TotalSeconds, next, SourceAttempts);
            if (presentKeys is not null)
            {
                await presentKeys.RestartAsync();
            }

            attempt = chunks.Resume(request);
        }, cancellationToken);
    }

    /// <summary>
    /// The record with the extract's measures: time reading the source and time writing the lake
    /// (the manifests' own times), bytes read (source files, or what the source sent) and written (lake files).
    /// </summary>
    /// <param name="elapsed">The extract's time, less any loads that ran within it.</param>
    private RunRecord Measured(RunRecord extracted, IReadOnlyList<LakeManifest> manifests, TimeSpan elapsed, SourceBytes sourceBytes)
    {
        var land = TimeSpan.FromTicks(manifests.Sum(m => (m.FinishedAt - m.StartedAt).Ticks));
        var times = extracted.Times with { Extract = extracted.Times.Extract + (elapsed - land > TimeSpan.Zero ? elapsed - land : TimeSpan.Zero), Land = extracted.Times.Land + land };
        return extracted with
        {
            Times = times,
            BytesRead = extracted.BytesRead + (plan.Stream.Bytes ?? 0) + sourceBytes.Total,
            BytesWritten = extracted.BytesWritten + manifests.Sum(m => m.Bytes),
        };
    }

    /// <summary>
    /// Ends the stream's run: loads a full extract, or applies a cursor stream's deletes and table
    /// checks; records it as succeeded or failed. Returns its record, then those of the child tables
    /// committed with its parts, which end as it does.
    /// </summary>
    public async Task<IReadOnlyList<RunRecord>> FinishAsync(Extraction extraction, CancellationToken cancellationToken)
    {
        await using var ahead = extraction.Ahead;
        if (extraction.Manifests is not { } manifests)
        {
            return await FailedAsync(extraction.Record, extraction.Error!, extraction.Children, cancellationToken);
        }

        var record = extraction.Record;
        try
        {
            run.Progress?.Report(new StreamPhase(record.Pipeline, record.Stream, "loading"));
            var partByPart = !extraction.Whole && (plan.Incremental.HasCursor || plan.Stream.CommitsEachPart);
            var request = extraction.Whole ? WholeFirstLoad(extraction, [.. manifests])
                : partByPart ? LastStep(extraction, [.. manifests])
                : FullLoad(record, [.. manifests]);
            List<LoadRequest> children = [.. extraction.Children.Select(child => new LoadRequest(plan.Pipeline.Schema, child.Stream, plan.Pipeline.Mode, [], run.Lake.Layout.Root, child) { LoadedAt = plan.RunStartedAt })];
            if (partByPart && run.FullRefresh && plan.Stream.NestedPath.IsEmpty)
            {
                children.AddRange(await EmptiedListsAsync(extraction, cancellationToken));
            }

            var loaded = ahead is not null && children.Count == 0 && await ahead.FinishAsync(request, cancellationToken) is { } built ? [built]
                : await WarehouseGate.RunAsync(plan.Loads, () => run.Warehouse.LoadAsync([request, .. children], cancellationToken), cancellationToken);

            // The audit row was committed with the data, before its commit could be timed: it is
            // written again with the commit's time and the peak memory (a failure here loses only those).
            var done = loaded[0] with { PeakMemoryBytes = RunOrigin.PeakMemoryBytes() };
            try
            {
                await WarehouseGate.RunAsync(plan.Loads, () => run.Warehouse.RecordAsync(done, cancellationToken), cancellationToken);
            }
            catch (WharfException ex)
            {
                LogMessages.AuditFailed(run.Logger, ex, record.RunId, ex.Message);
            }

            foreach (var finished in loaded.Skip(1).Prepend(done))
            {
                run.Progress?.Report(new StreamFinished(finished));
                LogMessages.StreamLoaded(run.Logger, record.RunId, finished.Stream, finished.RowsLoaded, finished.Target);
            }

            return [done, .. loaded.Skip(1)];
        }
        catch (WharfException ex)
        {
            return await FailedAsync(record, ex, extraction.Children, cancellationToken);
        }
    }

    /// <summary>
    /// <c>--full-refresh</c> of a stream committed part by part rebuilt the child tables its parts
    /// brought. One that an earlier run made and no part brought (its list is gone from the source)
    /// is emptied in the last step's transaction, with the columns of its last extract (an empty
    /// lake file, so a replay empties it too): no row is left pointing at a parent the refresh dropped.
    /// </summary>
    private async Task<List<LoadRequest>> EmptiedListsAsync(Extraction extraction, CancellationToken cancellationToken)
    {
        var emptied = new List<LoadRequest>();
        var brought = extraction.Children.Select(c => c.Stream).ToHashSet(StringComparer.Ordinal);
        var vanished = await VanishedLists.EarlierAsync(run.Lake.Store, plan.Pipeline.Name, plan.Stream.Target, brought, cancellationToken);
        if (vanished.Count == 0)
        {
            return emptied;
        }

        using var workArea = DuckDbConnections.Open(null);
        foreach (var (stream, path, columns) in vanished)
        {
            var record = plan.Record with
            {
                Stream = stream,
                Target = $"{plan.Pipeline.Schema}.{stream}",
                Source = $"{plan.Record.Source}, list {string.Join(".", path)}: in none of the parts of this --full-refresh, so {stream} is emptied",
                StartedAt = run.Now,
            };
            var target = new LakeTarget(record.Pipeline, stream, record.RunId, plan.RunStartedAt) { PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex] };
            var manifest = await run.Lake.WriteAsync(workArea, target, VanishedLists.EmptySelect(columns), [], cancellationToken);
            var child = plan with { Stream = new SourceStream(stream, record.Source, stream, []) { PrimaryKey = target.PrimaryKey, NestedPath = path } };
            emptied.Add(run.Request(child, [manifest], record with { LakeFiles = [manifest.File] }) with { Recreate = true });
        }

        return emptied;
    }

    /// <summary>
    /// Records the stream as failed, and its child tables with it: what they committed with the
    /// stream's earlier parts stays, as the stream's own rows do.
    /// </summary>
    private async Task<IReadOnlyList<RunRecord>> FailedAsync(RunRecord record, WharfException error, ImmutableArray<RunRecord> children, CancellationToken cancellationToken)
    {
        List<RunRecord> failed = [await run.FailAsync(record, error, plan.Loads, cancellationToken)];
        foreach (var child in children)
        {
            var reason = new ParentTableFailedException(
                $"{record.Target} failed, and this child table of its nested JSON ends with it: the {child.RowsLoaded:N0} rows committed with its earlier parts stay. {error.Message}");
            failed.Add(await run.FailAsync(child, reason, plan.Loads, cancellationToken));
        }

        return failed;
    }

    /// <summary>A cursor stream's chunks are committed: what is left is its deletes, its table checks over the whole run, and the audit row that says it succeeded.</summary>
    private LoadRequest LastStep(Extraction extraction, ImmutableArray<LakeManifest> manifests)
    {
        var record = extraction.Record;
        var summarized = extraction.PresentKeys is { } present && KeySummary.Holds(present);
        var keys = summarized ? extraction.PresentKeys!.Value : extraction.LoadedKeys ?? [];
        return run.Request(plan, [], record with { LakeFiles = record.LakeFiles.AddRange((extraction.PresentKeys ?? extraction.LoadedKeys)?.Select(k => k.File) ?? []) }) with
        {
            RunFiles = manifests,
            PresentKeys = extraction.PresentKeys,
            KnownKeys = summarized && ReadKnownKeys(plan.State, extraction.PresentKeys!.Value) is { } previous ? new KnownKeys(previous, manifests) : null,
            Expected = extraction.Expected,
            State = new StreamState(plan.Pipeline.Name, plan.Stream.Name, extraction.Watermark, [], record.RunId, run.Now)
            {
                PresentKeys = [.. keys.Select(k => k.File)],
            },
        };
    }

    /// <summary>
    /// A cursor stream's first load, read whole (<see cref="Extraction.Whole"/>): every row is new
    /// and nothing is deleted; the state gets the highest cursor read and the key summary of the
    /// rows loaded, as after a first load committed chunk by chunk.
    /// </summary>
    private LoadRequest WholeFirstLoad(Extraction extraction, ImmutableArray<LakeManifest> files)
    {
        var keys = extraction.LoadedKeys ?? [];
        var record = extraction.Record with { LakeFiles = extraction.Record.LakeFiles.AddRange(keys.Select(k => k.File)) };
        var load = run.Request(plan, files, record);
        return load with
        {
            AllNew = true,
            KeysDistinct = KeysUnchanged(load.Rules),
            Recreate = run.FullRefresh,
            Expected = run.FullRefresh ? null : StateExpectation.Of(plan.State),
            State = new StreamState(plan.Pipeline.Name, plan.Stream.Name, extraction.Watermark, [], record.RunId, run.Now)
            {
                PresentKeys = [.. keys.Select(k => k.File)],
            },
        };
    }

    private LoadRequest FullLoad(RunRecord record, ImmutableArray<LakeManifest> files)
    {
        var incremental = plan.Incremental;
        var hash = incremental.ChangeDetection == ChangeDetection.Hash;
        return run.Request(plan, files, record) with
        {
            PresentKeys = incremental.DetectDeletes ? files : null,
            Previous = hash && plan.State is { } state ? ReadManifests(state.Snapshot) : [],
            Recreate = run.FullRefresh,
            Expected = run.FullRefresh ? null : StateExpectation.Of(plan.State),
            State = hash || plan.Stream.LoadedFiles is not null
                ? new StreamState(plan.Pipeline.Name, plan.Stream.Name, null, hash ? [.. files.Select(f => f.File)] : [], record.RunId, run.Now) { LoadedFiles = plan.Stream.LoadedFiles ?? [] }
                : null,
        };
    }

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

    /// <summary>The manifests of earlier lake files; none (so every row is compared in the warehouse) when any is gone from the lake.</summary>
    private ImmutableArray<LakeManifest> ReadManifests(ImmutableArray<string> files)
    {
        var manifests = files.Select(file => run.Lake.Layout.ReadManifest(file)).ToList();
        return manifests.Any(m => m is null) || manifests.Count == 0 ? [] : [.. manifests!];
    }

    /// <summary>Runs an extract while reporting DuckDB's progress on the work-area connection.</summary>
    private async Task<T> WithProgress<T>(RunRecord record, DuckDBConnection workArea, Func<Task<T>> work)
    {
        var task = work();
        if (run.Progress is not { } progress || !run.DrawsPercentages)
        {
            return await task;
        }

        var clock = Stopwatch.StartNew();
        while (await Task.WhenAny(task, Task.Delay(ProgressInterval, run.Time)) != task)
        {
            progress.Report(new StreamProgressed(record.Pipeline, record.Stream, workArea.Progress(), clock.Elapsed));
        }

        return await task;
    }
}
