using System.Collections.Immutable;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>One export: a table's or a query's rows to a file (or, partitioned, a folder of files).</summary>
/// <param name="Name">How the audit and lineage call it: the export's name in wharf.yml, else the file's.</param>
/// <param name="Table">A warehouse table or view (<c>marts.kpi</c>, or <c>kpi</c> in <c>main</c>); null when <see cref="Query"/> is given.</param>
/// <param name="Path">The absolute file (or folder, with <see cref="PartitionBy"/>) to write.</param>
internal sealed record ExportRequest(string Name, string? Table, string? Query, string Path, ExportFormat Format)
{
    /// <summary>Columns to split the rows by, Hive-style: <c>PATH/year=2024/month=5/part-0.parquet</c>.</summary>
    public ImmutableArray<string> PartitionBy { get; init; } = [];

    /// <summary>Replace what is at <see cref="Path"/>; without it an existing file is an error.</summary>
    public bool Overwrite { get; init; }
}
