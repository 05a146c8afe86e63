using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Wharf.Lake;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Staging;
using Wharf.Warehouses;

namespace Wharf.Pipelines;

/// <summary>What every stream's run of one <c>wharf run</c> shares: the warehouse, the lake, the clock, the log, and how failures are recorded.</summary>
internal sealed class RunContext(IWarehouse warehouse, LakeWriter lake, TimeProvider time, ILogger logger, IProgress<RunEvent>? progress)
{
    public IWarehouse Warehouse => warehouse;

    public LakeWriter Lake => lake;

    public TimeProvider Time => time;

    public ILogger Logger => logger;

    public IProgress<RunEvent>? Progress => progress;

    /// <summary>Whether <see cref="Progress"/> draws extracts' percentages, so that DuckDB must track them.</summary>
    public bool DrawsPercentages { get; init; }

    /// <summary>Ignore saved watermarks and snapshots and rebuild the tables (<c>--full-refresh</c>).</summary>
    public bool FullRefresh { get; init; }

    /// <summary>The same run without <c>--full-refresh</c>, for a pipeline whose tables it must keep.</summary>
    public RunContext KeepingTables() => new(warehouse, lake, time, logger, progress) { DrawsPercentages = DrawsPercentages };

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The load of some of a stream's lake files, as the pipeline's settings say.</summary>
    public LoadRequest Request(StreamPlan plan, ImmutableArray<LakeManifest> files, RunRecord record) =>
        new(plan.Pipeline.Schema, plan.Stream.Target, plan.Pipeline.Mode, files, lake.Layout.Root, record)
        {
            PrimaryKey = plan.PrimaryKey,
            LoadedAt = plan.RunStartedAt,
            Deletes = plan.Incremental.Deletes,
            Track = plan.Incremental.Track,
            Rules = plan.Pipeline.RulesFor(plan.Stream.Target, list: !plan.Stream.NestedPath.IsEmpty),
        };

    /// <summary>
    /// Records a failed stream (or pipeline step) in the audit and reports it. When the audit
    /// cannot be written either, the record returned says so, so the user learns it from the
    /// run's summary and not only from the log.
    /// </summary>
    /// <param name="gate">The pipeline's loads gate: the audit shares the warehouse with the loads.</param>
    public async Task<RunRecord> FailAsync(RunRecord record, WharfException error, WarehouseGate? gate, CancellationToken cancellationToken)
    {
        var failed = record with { FinishedAt = Now, Status = RunStatus.Failed, Error = error.Message, PeakMemoryBytes = RunOrigin.PeakMemoryBytes() };
        if (error is CheckFailedException checks)
        {
            failed = failed with { Checks = LoadResult.Merge(failed.Checks, checks.Results) };
        }

        LogMessages.StreamFailed(logger, error, record.RunId, record.Stream, error.Message);
        try
        {
            await WarehouseGate.RunAsync(gate, () => warehouse.RecordAsync(failed, cancellationToken), cancellationToken);
        }
        catch (WharfException auditError)
        {
            LogMessages.AuditFailed(logger, auditError, record.RunId, auditError.Message);
            failed = failed with { Error = $"{failed.Error} This failure could not be written to the audit table (_wharf.runs): {auditError.Message}" };
        }

        progress?.Report(new StreamFinished(failed));
        return failed;
    }
}
