using System.Globalization;
using Wharf.DuckDb;
using Wharf.Tests.Cli;

namespace Wharf.Tests.Nested;

/// <summary>Reads a <see cref="TempProject"/>'s DuckDB warehouse back as text, for nested JSON tests (the CLI must not be running).</summary>
internal static class NestedWarehouse
{
    /// <summary>The rows of a query, each as its values joined by " | " (NULL for null), in the order the query gives.</summary>
    public static List<string> Rows(this TempProject project, string sql)
    {
        using var connection = DuckDbConnections.Open(project.Warehouse);
        using var reader = connection.Query(sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>The warehouse's tables in <c>main</c>, by name.</summary>
    public static List<string> Tables(this TempProject project) =>
        project.Rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name");

    /// <summary>A table's columns in order, as <c>name type</c>, without the run metadata (<c>_wharf_run_id</c>, <c>_wharf_loaded_at</c>).</summary>
    public static List<string> Columns(this TempProject project, string table) =>
        project.Rows($"""
            SELECT column_name || ' ' || data_type FROM information_schema.columns
            WHERE table_schema = 'main' AND table_name = '{table}' AND column_name NOT IN ('_wharf_run_id', '_wharf_loaded_at')
            ORDER BY ordinal_position
            """);
}
