using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

internal sealed partial class ProjectReader
{
    private static readonly string[] ExportKeys = ["table", "query", "to", "format", "partition_by"];

    /// <summary><c>exports:</c> — each names a table or a query, and a file; the format comes from <c>format:</c> or the file's extension.</summary>
    private ImmutableArray<ExportSettings> ReadExports(YamlMap? exports)
    {
        if (exports is null)
        {
            return [];
        }

        var result = ImmutableArray.CreateBuilder<ExportSettings>();
        foreach (var (name, _, value) in exports.Entries)
        {
            var export = new YamlMap(value, this, $"export '{name}'", ExportKeys);
            var table = export.String("table");
            var query = export.String("query");
            if ((table is null) == (query is null))
            {
                throw Error(value, $"export '{name}' needs 'table:' (a table or view, e.g. marts.kpi_monthly_revenue) or 'query:' (SQL), one of them.");
            }

            var to = export.RequiredString("to");
            var format = export.String("format") is { } named
                ? ExportFormats.Parse(named) ?? throw Error(export.Get("format")!, $"export '{name}': format '{named}' is not one of {ExportFormats.Names}.")
                : ExportFormats.FromPath(to) ?? throw Error(export.Get("to")!, $"export '{name}': say the format ('format:', one of {ExportFormats.Names}), or end 'to:' with its extension (.xlsx, .csv.gz…).");
            result.Add(new ExportSettings(name, table, query, Path.GetFullPath(Path.Combine(root, to)), format, Location(value))
            {
                PartitionBy = export.StringList("partition_by"),
            });
        }

        return result.ToImmutable();
    }
}
