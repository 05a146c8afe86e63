using Wharf.Incremental;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Sources;

namespace Wharf.Pipelines;

/// <summary>Everything one stream's run needs to know, fixed when the pipeline starts.</summary>
/// <param name="Loads">Lets one load in at a time: the warehouse connection is shared, and each load is one transaction.</param>
/// <param name="LoadsAhead">How many more replaces may build their tables while extracting (<see cref="ReplaceAhead"/>), each holding a warehouse connection and transaction open until its stream's turn to commit.</param>
internal sealed record StreamPlan(PipelineSettings Pipeline, SourceStream Stream, RunRecord Record, StreamState? State, DateTimeOffset RunStartedAt, WarehouseGate Loads, SemaphoreSlim LoadsAhead)
{
    public IncrementalSettings Incremental => Pipeline.Incremental;

    /// <summary>The pipeline's key, else the source's; a nested JSON child table's own (parent id, list index).</summary>
    public IReadOnlyList<string> PrimaryKey => Pipeline.PrimaryKey.IsEmpty || !Stream.NestedPath.IsEmpty ? Stream.PrimaryKey : Pipeline.PrimaryKey;
}
