using System.Collections.Immutable;

namespace Wharf.Runs;

/// <summary>What a run would do (<c>wharf run --dry-run</c>): what it would read, from where, and where it would go.</summary>
/// <param name="Warehouse">Where tables would be loaded, safe to print: <c>duckdb:/path/warehouse.duckdb</c> or <c>postgres://user@host:5432/db</c>.</param>
/// <param name="WarehouseExists">Whether the warehouse holds Wharf's tables yet (else the run would create them).</param>
/// <param name="Lake">The lake's root folder.</param>
internal sealed record RunPlan(string Warehouse, bool WarehouseExists, string Lake, ImmutableArray<PipelinePlan> Pipelines)
{
    /// <summary>Why saved watermarks could not be read, when they could not.</summary>
    public string? WarehouseNote { get; init; }

    /// <summary>Whether every pipeline's streams could be resolved.</summary>
    public bool Succeeded => Pipelines.All(p => p.Error is null);
}

/// <summary>One pipeline of a <see cref="RunPlan"/>.</summary>
/// <param name="Connection">The connection's name (for a <c>--source</c> run, where it points, without the password).</param>
/// <param name="ConnectionType">files, postgres or sqlite.</param>
/// <param name="Mode">append, replace, merge or scd2.</param>
internal sealed record PipelinePlan(string Name, string Connection, string ConnectionType, string Mode)
{
    /// <summary>The SQL query, for a <c>query:</c> pipeline.</summary>
    public string? Query { get; init; }

    public ImmutableArray<string> Cursor { get; init; } = [];

    public ImmutableArray<PlannedStream> Streams { get; init; } = [];

    /// <summary>Why the streams could not be resolved (a missing file, an unreachable database); the run would fail the same way.</summary>
    public string? Error { get; init; }
}

/// <summary>One stream of a <see cref="PipelinePlan"/>: what it reads and where it lands.</summary>
/// <param name="Reads">What is read, as the run's progress says it: <c>3 csv files matching *.csv</c>, <c>public.users (~1,000 rows)</c>, <c>query</c>.</param>
/// <param name="Target">The warehouse table, <c>schema.table</c>.</param>
/// <param name="LakeFolder">The folder its lake files would go to (<c>&lt;lake&gt;/&lt;pipeline&gt;/&lt;stream&gt;</c>).</param>
/// <param name="StartsFrom">Where the extract would start: every row, or rows from the saved watermark on.</param>
internal sealed record PlannedStream(string Name, string Reads, string Target, string LakeFolder, string StartsFrom)
{
    /// <summary>The files it would read, relative to the connection's folder.</summary>
    public ImmutableArray<string> Files { get; init; } = [];

    /// <summary>The key merge and scd2 would work by (declared, else the source table's).</summary>
    public ImmutableArray<string> PrimaryKey { get; init; } = [];

    /// <summary>The saved watermark, when there is one.</summary>
    public string? Watermark { get; init; }

    /// <summary>What would go wrong or deserves a look (e.g. merge without a key).</summary>
    public string? Note { get; init; }
}
