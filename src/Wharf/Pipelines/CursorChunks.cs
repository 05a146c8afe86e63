using System.Collections.Immutable;
using DuckDB.NET.Data;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Sources;
using Wharf.Sources.Files;
using Wharf.Staging;

namespace Wharf.Pipelines;

/// <summary>
/// Loads a cursor stream chunk by chunk as the source writes each part: every chunk's rows,
/// the watermark they reach and the audit row are one transaction, so a run that dies resumes
/// after its last committed chunk.
/// </summary>
internal sealed class CursorChunks(RunContext run, StreamPlan plan, DuckDBConnection workArea, RunRecord record)
{
    /// <summary>The watermark the run starts from; none when the cursor changed since it was saved.</summary>
    private readonly Watermark? before = Saved(plan);

    /// <summary>The watermark the current attempt reads on from: <see cref="before"/>, then what was committed when it resumed.</summary>
    private Watermark? from = Saved(plan);
    private bool first = true;
    private bool allNew;

    /// <summary>What the state must hold when the next chunk commits (not checked for a full refresh's first chunk).</summary>
    public StateExpectation? Expected { get; private set; } = run.FullRefresh ? null : StateExpectation.Of(plan.State);

    public RunRecord Record { get; private set; } = record with { WatermarkBefore = plan.State?.Watermark?.ToString() };

    /// <summary>What is committed, plus the rows and lake file of a chunk that failed to load (for the failed run's audit row).</summary>
    public RunRecord Extracted { get; private set; } = record with { WatermarkBefore = plan.State?.Watermark?.ToString() };

    /// <summary>The watermark of what is committed: the run's start, then each chunk's.</summary>
    public Watermark? Watermark { get; private set; } = Saved(plan);

    /// <summary>The saved watermark the stream reads on from; null when there is none, or it is for another cursor.</summary>
    internal static Watermark? Saved(StreamPlan plan) =>
        plan.State?.Watermark is { } saved && saved.Matches(plan.Incremental.Cursor) ? saved : null;

    /// <summary>The parts committed so far, in order.</summary>
    public ImmutableArray<LakeManifest> Committed { get; private set; } = [];

    /// <summary>
    /// The child tables' records (nested JSON lists, committed with the parts they came in), in the
    /// order the lists first came: what is committed.
    /// </summary>
    public ImmutableArray<RunRecord> Children { get; private set; } = [];

    /// <summary>Where the extract starts: the saved watermark (less the lookback), the initial value, or the beginning.</summary>
    public CursorBound? Bound() => Bound(from);

    /// <summary>
    /// The request that reads on after what is committed, as the next run would: from the committed
    /// watermark (less the lookback) or after the last committed part's checkpoint, its parts numbered
    /// after the committed ones. Keys may now be read twice (a lookback, a cursor value on both sides
    /// of the chunk's end), so they are compared from here on.
    /// </summary>
    public ExtractRequest Resume(ExtractRequest original)
    {
        ArgumentNullException.ThrowIfNull(original);
        allNew = false;
        from = Watermark;
        return original with
        {
            From = plan.Incremental.HasCursor ? Bound(from) : original.From,
            Checkpoint = Committed.LastOrDefault()?.Checkpoint ?? original.Checkpoint,
            Target = original.Target with { Part = original.Target.Part + Committed.Length },
        };
    }

    private CursorBound? Bound(Watermark? start)
    {
        var incremental = plan.Incremental;
        if (start is null)
        {
            // A first run that saw only NULL cursors saved no watermark, but it loaded those rows.
            return incremental.Initial is { } initial ? new CursorBound([initial])
                : plan.State is { Watermark: null, Snapshot.IsEmpty: true } ? new CursorBound([])
                : null;
        }

        return incremental.Lookback is { } lookback
            ? new CursorBound([WatermarkSql.Subtract(workArea, start, lookback)])
            : new CursorBound(start.Values);
    }

    /// <summary>
    /// Loads one part the source has written, with the watermark it reaches and its child tables'
    /// parts, in one transaction; called by the source before it reads on.
    /// </summary>
    public async Task CommitAsync(LakeManifest part, IReadOnlyList<ChildPart> childParts, CancellationToken cancellationToken)
    {
        SourceBytes.Pause(); // what the warehouse answers is not read from the source (for this method only)
        FailPoint.Hit(FailPoint.PartWritten);
        var reached = plan.Incremental.HasCursor
            ? WatermarkSql.Max(workArea, Watermark, WatermarkSql.Read(workArea, run.Lake.Layout.Root, [part], plan.Incremental.Cursor))
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
            allNew = run.FullRefresh || await WarehouseGate.RunAsync(plan.Loads,
                () => run.Warehouse.IsEmptyAsync(plan.Pipeline.Schema, plan.Stream.Target, cancellationToken), cancellationToken);
        }

        var request = run.Request(plan, [part], attempt) with
        {
            AllNew = allNew,
            Final = false,
            TableChecks = false,
            Loaded = from,
            Recreate = run.FullRefresh && first,
            Expected = Expected,
            State = new StreamState(plan.Pipeline.Name, plan.Stream.Name, reached, [], attempt.RunId, run.Now) { Checkpoint = part.Checkpoint },
        };

        // Record and Watermark move only once the chunk has committed: they describe what is in the warehouse.
        Extracted = attempt with { WatermarkAfter = Record.WatermarkAfter };
        var children = childParts.Select(ChildRequest).ToList();
        var records = await WarehouseGate.RunAsync(plan.Loads, () => run.Warehouse.LoadAsync([request, .. children], cancellationToken), cancellationToken);
        Record = records[0];
        Extracted = Record;
        foreach (var child in records.Skip(1))
        {
            var known = Children.FirstOrDefault(c => c.Stream == child.Stream);
            Children = known is null ? Children.Add(child) : Children.Replace(known, child);
            if (known is null)
            {
                run.Progress?.Report(new StreamStarted(child.Pipeline, child.Stream, child.Source, null) { RunId = child.RunId, Target = child.Target });
            }
        }

        Watermark = reached;
        Committed = Committed.Add(part);
        Expected = StateExpectation.Of(request.State);
        FailPoint.Hit(FailPoint.ChunkCommitted);
        first = false;
        run.Progress?.Report(new StreamPhase(Record.Pipeline, Record.Stream, $"{Record.RowsLoaded:N0} rows committed"));
    }

    /// <summary>
    /// A child table's share of a part: upserted (or versioned, or appended) by its own key, the
    /// parent's id and the place in the list, as the parent's rows are by theirs; its contract is the
    /// pipeline's. A child table first seen in this run starts its audit row, and under
    /// <c>--full-refresh</c> is rebuilt.
    /// </summary>
    private LoadRequest ChildRequest(ChildPart part)
    {
        var seen = Children.FirstOrDefault(c => c.Stream == part.Table);
        var before = seen ?? record with
        {
            Stream = part.Table,
            Target = $"{plan.Pipeline.Schema}.{part.Table}",
            Source = $"{record.Source}, list {string.Join(".", part.Path)}",
        };
        var child = plan with { Stream = new SourceStream(part.Table, before.Source, part.Table, []) { PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex], NestedPath = part.Path } };
        return run.Request(child, [part.Manifest], before with { RowsExtracted = before.RowsExtracted + part.Manifest.Rows, LakeFiles = before.LakeFiles.Add(part.Manifest.File) }) with
        {
            // The child's own columns: the parent's cursor and tracked columns are not among them.
            Track = [],
            Final = false,
            TableChecks = false,
            Recreate = run.FullRefresh && seen is null,
        };
    }
}
