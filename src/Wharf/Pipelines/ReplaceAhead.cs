using System.Collections.Immutable;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Sources;
using Wharf.Staging;
using Wharf.Warehouses;

namespace Wharf.Pipelines;

/// <summary>
/// A replace stream's new table (or a cursor stream's first load read whole), built while its
/// source is still being read: each part a database source writes to the lake is staged, checked
/// and copied into the new table beside the old one as soon as it lands, in one transaction that
/// the stream's turn to load commits (the checks that judge the whole run, uniqueness among them,
/// then the swap and the audit row). The source and the warehouse then work at once instead of
/// one after the other (bench/README.md).
/// <para>
/// It is a head start only. Whatever stops it (a part that fails a check or the table's schema, a
/// part whose columns are not the first's, a lost connection, an extract that starts over) rolls it
/// back, and the stream is loaded from its lake files after the extract, the usual way, with that
/// load's own errors. A check of the whole run that fails is the stream's failure, as it would be then.
/// </para>
/// </summary>
internal sealed class ReplaceAhead(RunContext run, StreamPlan plan) : IAsyncDisposable
{
    private PartedReplace? load;
    private bool holdsSlot;
    private bool stopped;

    /// <summary>What the parts' loads did so far (their counts, checks and times), apart from the extract's own record.</summary>
    private RunRecord loaded = plan.Record;

    /// <summary>One part at a time: the parts of parallel key ranges come at once, and a transaction takes one statement at a time.</summary>
    private readonly SemaphoreSlim turn = new(1);

    /// <summary>The lake files of the parts loaded, in the order they came.</summary>
    private ImmutableArray<string> parts = [];

    /// <summary>The first part's columns, which every part must have: the new table is made from it.</summary>
    private ImmutableArray<LakeColumn> columns = [];

    /// <summary>
    /// A head start for the stream, when it is a replace one fits: no cursor or part-by-part commits,
    /// no deletes or snapshot to compare, and no processor or check that needs every row at once or
    /// another table this run may not have loaded yet (dedupe, resample, lookup, relationships, a
    /// unique key whose repeats would be quarantined). A cursor stream's first load read whole
    /// (<paramref name="firstLoad"/>) is one too, in <c>merge</c> or <c>append</c> mode: its table
    /// is empty, so building a new one and swapping it in loads the same rows (the key and the
    /// mode's columns added at the swap). Null otherwise.
    /// </summary>
    public static ReplaceAhead? For(RunContext run, StreamPlan plan, bool firstLoad = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var incremental = plan.Incremental;
        var rules = plan.Pipeline.RulesFor(plan.Stream.Target);
        var replaces = firstLoad
            ? plan.Pipeline.Mode is WriteMode.Merge or WriteMode.Append
            : plan.Pipeline.Mode == WriteMode.Replace && !incremental.HasCursor && !incremental.DetectDeletes && incremental.ChangeDetection != ChangeDetection.Hash;
        var fits = replaces && !plan.Stream.CommitsEachPart
            && plan.Stream.NestedPath.IsEmpty && plan.Stream.LoadedFiles is null
            && !rules.Transform.Any(p => p.Kind is ProcessorKind.Dedupe or ProcessorKind.Resample or ProcessorKind.Lookup)
            && !rules.Checks.Any(c => c.Kind == CheckKind.Relationships || (c.Kind == CheckKind.Unique && rules.OnCheckFailure == CheckFailure.Quarantine));
        return fits ? new ReplaceAhead(run, plan) : null;
    }

    /// <summary>The time the parts' loads took (staging and writing), much of it while the source was read.</summary>
    public TimeSpan LoadTime => loaded.Times.Stage + loaded.Times.Load;

    /// <summary>
    /// Loads a part into the new table (beginning the replace with the first); stops the head start
    /// instead of failing. Parts of parallel key ranges may come at once: they take turns.
    /// </summary>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task AddAsync(LakeManifest part, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(part);
        SourceBytes.Pause(); // what the warehouse answers is not read from the source (for this method only)
        await turn.WaitAsync(cancellationToken);
        try
        {
            if (stopped || (load is null && !await BeginAsync(cancellationToken)))
            {
                return;
            }

            if (parts.Length == 0)
            {
                columns = part.Columns;
            }
            else if (!part.Columns.SequenceEqual(columns))
            {
                throw new WharfException($"the part {part.File} has other columns than the first.");
            }

            var request = run.Request(plan, [part], loaded) with { Final = false, TableChecks = false, Recreate = run.FullRefresh, ReplaceStep = ReplaceStep.Part };
            loaded = await load!.AddAsync(request, cancellationToken);
            parts = parts.Add(part.File);
            FailPoint.Hit(FailPoint.PartLoaded);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await StopAsync(ex);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>
    /// The extract starts over (its parts are written again): what was built is rolled back, and
    /// the next first part begins anew.
    /// </summary>
    public async Task RestartAsync()
    {
        await turn.WaitAsync();
        try
        {
            await RollBackAsync();
            stopped = false;
            loaded = plan.Record;
            parts = [];
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>
    /// Ends the stream's replace in its turn to load, every part of <paramref name="full"/> (the
    /// load the stream would have had) in the new table: the last step runs and commits. Null when
    /// there is no head start (none began, or it stopped): then load <paramref name="full"/> the usual way.
    /// </summary>
    /// <exception cref="CheckFailedException">A check of the whole run failed; nothing was loaded.</exception>
    public async Task<RunRecord?> FinishAsync(LoadRequest full, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(full);
        try
        {
            if (stopped || load is null)
            {
                return null;
            }

            if (!full.Files.Select(f => f.File).Order(StringComparer.Ordinal).SequenceEqual(parts.Order(StringComparer.Ordinal)))
            {
                throw new WharfException($"the extract's {full.Files.Length} part(s) are not the {parts.Length} loaded.");
            }

            var last = full with { Files = [], RunFiles = full.Files, ReplaceStep = ReplaceStep.Last, Record = LoadResult.WithLoad(full.Record, loaded) };
            return await load.FinishAsync(last, cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or CheckFailedException))
        {
            await StopAsync(ex);
            return null;
        }
        finally
        {
            await RollBackAsync();
        }
    }

    /// <summary>Begins the replace, when the pipeline has a slot for it and the warehouse builds tables this way.</summary>
    private async Task<bool> BeginAsync(CancellationToken cancellationToken)
    {
        holdsSlot = plan.LoadsAhead.Wait(0, CancellationToken.None);
        load = holdsSlot ? await run.Warehouse.BeginReplaceAsync(cancellationToken) : null;
        if (load is null)
        {
            stopped = true;
            await RollBackAsync();
        }

        return load is not null;
    }

    private async Task StopAsync(Exception reason)
    {
        stopped = true;
        var record = plan.Record;
        LogMessages.HeadStartStopped(run.Logger, reason is WharfException ? null : reason, record.RunId, record.Pipeline, record.Stream, reason.Message);
        await RollBackAsync();
    }

    /// <summary>Rolls back what is not committed, and frees the connection and the slot.</summary>
    public async ValueTask DisposeAsync()
    {
        await RollBackAsync();
        turn.Dispose();
    }

    private async Task RollBackAsync()
    {
        if (load is not null)
        {
            await load.DisposeAsync();
            load = null;
        }

        if (holdsSlot)
        {
            plan.LoadsAhead.Release();
            holdsSlot = false;
        }
    }
}
