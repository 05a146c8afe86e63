using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>One entry of <c>exports:</c> in wharf.yml: rows to write to a file after the models they read are built.</summary>
/// <param name="Name">The key under <c>exports:</c>.</param>
/// <param name="Table">A table or view (<c>marts.kpi_monthly_revenue</c>); null when <see cref="Query"/> is given.</param>
/// <param name="To">The absolute path of the file (or folder, partitioned).</param>
internal sealed record ExportSettings(string Name, string? Table, string? Query, string To, ExportFormat Format, SourceLocation Location)
{
    public ImmutableArray<string> PartitionBy { get; init; } = [];

    /// <summary><see cref="Table"/> as <c>schema.table</c> (<c>main</c> when it names no schema), as the audit and lineage name tables.</summary>
    public string? QualifiedTable => Table is null || Table.Contains('.', StringComparison.Ordinal) ? Table : "main." + Table;
}
