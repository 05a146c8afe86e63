namespace Wharf.Projects;

/// <summary>
/// The warehouse as written in wharf.yml's <c>warehouse:</c> or on the command line
/// (<c>--warehouse</c>): <c>duckdb:FILE</c>, a plain DuckDB file, or <c>postgres://…</c>.
/// </summary>
internal static class WarehouseUrl
{
    /// <summary>The settings for <paramref name="value"/>, or null when it names no warehouse Wharf knows.</summary>
    /// <param name="root">The folder a relative DuckDB file is in.</param>
    /// <param name="location">Where the value was written, for errors about the PostgreSQL URL.</param>
    public static WarehouseSettings? Parse(string value, string root, SourceLocation location)
    {
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new WarehouseSettings(WarehouseKind.Postgres, "")
            {
                Connection = new ConnectionSettings("warehouse", "postgres") { Url = value, Location = location },
            };
        }

        var path = value.StartsWith("duckdb:", StringComparison.OrdinalIgnoreCase) ? value["duckdb:".Length..] : value;
        return path.Length == 0 || path.Contains("://", StringComparison.Ordinal)
            ? null
            : new WarehouseSettings(WarehouseKind.DuckDb, Path.GetFullPath(Path.Combine(root, path)));
    }
}
