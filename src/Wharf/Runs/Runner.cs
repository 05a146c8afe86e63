using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources;
using Wharf.Warehouses;

namespace Wharf.Runs;

/// <summary>
/// Runs pipelines end to end: extract each stream to the lake, load it into the warehouse with
/// its audit row, report progress. A failing stream is recorded and the next pipeline still runs.
/// </summary>
public sealed class Runner(Project project, IWarehouse warehouse, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly LakeWriter lake = new(new LakeLayout(project.LakeDirectory), time);

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

    private async Task<IReadOnlyList<RunRecord>> RunPipelineAsync(PipelineSettings pipeline, IProgress<RunEvent>? progress, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var runId = RunId.New(started);
        var connection = project.Connection(pipeline.Source);
        var source = SourceFactory.Create(connection, pipeline);
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
        try
        {
            streams = await source.ListStreamsAsync(cancellationToken);
        }
        catch (WharfException ex)
        {
            return [await FailAsync(record, ex, progress, cancellationToken)];
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
        // loads happen one at a time, in the streams' (foreign-key) order.
        using var slots = new SemaphoreSlim(Math.Max(1, pipeline.Parallel));
        var extractions = streams.Select(stream => ExtractAsync(source, stream, record with
        {
            Stream = stream.Name,
            Source = $"{connection.Name}: {stream.Description}",
            Target = $"{pipeline.Schema}.{stream.Target}",
        }, slots, progress, cancellationToken)).ToList();
        var results = new List<RunRecord>();
        for (var i = 0; i < streams.Count; i++)
        {
            results.Add(await LoadAsync(streams[i], await extractions[i], pipeline, progress, cancellationToken));
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
    /// What one stream's extraction gave: its lake files, or its error. Failures are recorded
    /// later, in load order, because the audit shares the warehouse connection with the loads.
    /// </summary>
    private sealed record Extraction(RunRecord Record, IReadOnlyList<LakeManifest>? Manifests, WharfException? Error = null);

    private async Task<Extraction> ExtractAsync(ISource source, SourceStream stream, RunRecord record, SemaphoreSlim slots, IProgress<RunEvent>? progress, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            record = record with { StartedAt = time.GetUtcNow() };
            progress?.Report(new StreamStarted(record.Pipeline, record.Stream, stream.Description, stream.Bytes));
            LogMessages.StreamStarting(logger, record.RunId, record.Pipeline, record.Stream, stream.Description);
            using var workArea = warehouse.OpenWorkArea();
            var target = new LakeTarget(record.Pipeline, record.Stream, record.RunId, record.StartedAt);
            var manifests = await WithProgress(record, workArea, progress, () => source.ExtractAsync(stream, workArea, lake, target, cancellationToken));
            return new Extraction(Extracted(record, manifests), manifests);
        }
        catch (WharfException ex)
        {
            return new Extraction(record, null, ex);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<RunRecord> LoadAsync(SourceStream stream, Extraction extraction, PipelineSettings pipeline, IProgress<RunEvent>? progress, CancellationToken cancellationToken)
    {
        if (extraction.Manifests is not { } manifests)
        {
            return await FailAsync(extraction.Record, extraction.Error!, progress, cancellationToken);
        }

        var record = extraction.Record;
        try
        {
            progress?.Report(new StreamPhase(record.Pipeline, record.Stream, "loading"));
            var request = new LoadRequest(pipeline.Schema, stream.Target, pipeline.Mode, [.. manifests], lake.Layout.Root, record)
            {
                PrimaryKey = pipeline.PrimaryKey.IsEmpty ? stream.PrimaryKey : pipeline.PrimaryKey,
            };
            var done = await warehouse.LoadAsync(request, cancellationToken);
            progress?.Report(new StreamFinished(done));
            LogMessages.StreamLoaded(logger, record.RunId, record.Stream, done.RowsLoaded, record.Target);
            return done;
        }
        catch (WharfException ex)
        {
            return await FailAsync(record, ex, progress, cancellationToken);
        }
    }

    private static RunRecord Extracted(RunRecord record, IReadOnlyList<LakeManifest> manifests) =>
        record with { RowsExtracted = manifests.Sum(m => m.Rows), LakeFiles = [.. manifests.Select(m => m.File)] };

    /// <summary>Runs an extract while reporting DuckDB's progress on the work-area connection.</summary>
    private async Task<T> WithProgress<T>(RunRecord record, DuckDb.DuckDbConnection workArea, IProgress<RunEvent>? progress, Func<Task<T>> work)
    {
        var task = work();
        if (progress is null)
        {
            return await task;
        }

        var clock = Stopwatch.StartNew();
        while (await Task.WhenAny(task, Task.Delay(ProgressInterval, time)) != task)
        {
            progress.Report(new StreamProgressed(record.Pipeline, record.Stream, workArea.Progress.Percentage, clock.Elapsed));
        }

        return await task;
    }

    private async Task<RunRecord> FailAsync(RunRecord record, WharfException error, IProgress<RunEvent>? progress, CancellationToken cancellationToken)
    {
        var failed = record with { FinishedAt = time.GetUtcNow(), Status = RunStatus.Failed, Error = error.Message };
        LogMessages.StreamFailed(logger, error, record.RunId, record.Stream, error.Message);
        try
        {
            await warehouse.RecordAsync(failed, cancellationToken);
        }
        catch (WharfException auditError)
        {
            LogMessages.AuditFailed(logger, auditError, record.RunId);
        }

        progress?.Report(new StreamFinished(failed));
        return failed;
    }
}
