using Wharf.Projects;
using Wharf.Schema;

namespace Wharf.Transforms;

/// <summary>
/// The SQL of <c>lookup</c>, which replaces a text column by the surrogate key of its value in a
/// dimension table (so facts reference dimensions by id). During a load the dimension's rows are
/// copied into a work-area table, the step joins the rows with it, and the names the load brings
/// that the dimension lacks are added to both, with keys after the largest one, ordered by name
/// (so loading the same names again adds nothing, and the keys do not depend on row order).
/// </summary>
internal static class LookupSql
{
    /// <summary>The work-area table that holds the dimension's (key, name) rows while a load runs.</summary>
    public static string WorkAreaTable(ProcessorSettings step) => $"__wharf_lookup_{step.Position}";

    /// <summary>DuckDB SQL: the (empty) work-area table, made before staging so that the step can be bound.</summary>
    public static string CreateWorkAreaTable(ProcessorSettings step) => $"CREATE OR REPLACE TEMP TABLE {WorkAreaTable(step)} (k BIGINT, v VARCHAR)";

    /// <summary>The dimension table, quoted: in the load's schema unless the setting names one.</summary>
    public static string Dimension(string schema, LookupSettings lookup)
    {
        var dot = lookup.Table.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? Quote.Qualified(schema, lookup.Table) : Quote.Qualified(lookup.Table[..dot], lookup.Table[(dot + 1)..]);
    }

    /// <summary>The dimension when it does not exist yet (same SQL on both warehouses).</summary>
    public static string CreateDimension(string dimension, LookupSettings lookup) =>
        $"CREATE TABLE IF NOT EXISTS {dimension} ({Quote.Identifier(lookup.Key)} BIGINT PRIMARY KEY, {Quote.Identifier(lookup.Name)} TEXT NOT NULL UNIQUE)";

    /// <summary>Warehouse SQL: the dimension's rows as (key, name).</summary>
    public static string ReadDimension(string dimension, LookupSettings lookup) =>
        $"SELECT CAST({Quote.Identifier(lookup.Key)} AS BIGINT), CAST({Quote.Identifier(lookup.Name)} AS TEXT) FROM {dimension}";

    /// <summary>The step: the rows with the column's text replaced by its key (NULL stays NULL), renamed as the setting says.</summary>
    public static string Compile(ProcessorSettings step, string input, IReadOnlyList<StagedColumn> columns, string table)
    {
        var lookup = step.Lookup!;
        var column = ColumnNames.Pick(columns, [lookup.Column], c => c.Name, table, step.ToString())[0];
        if (column.Type != "VARCHAR")
        {
            throw new TransformException(table, step.ToString(), $"{step} for {table}: '{column.Name}' is {LogicalType.FromDuckDb(column.Type)}; lookup replaces text by its key.");
        }

        if (lookup.As != column.Name && columns.Any(c => c.Name == lookup.As))
        {
            throw new TransformException(table, step.ToString(), $"{step} for {table}: the key column '{lookup.As}' would clash with the column of that name. Name it with 'as:'.");
        }

        var name = Quote.Identifier(column.Name);
        var joined = $"SELECT t.* REPLACE (l.k AS {name}) FROM ({input}) AS t LEFT JOIN {WorkAreaTable(step)} AS l ON l.v = t.{name}";
        return lookup.As == column.Name ? joined : $"SELECT * RENAME ({name} AS {Quote.Identifier(lookup.As)}) FROM ({joined})";
    }

    /// <summary>DuckDB SQL over the step's input: the names not in the dimension yet, with their new keys (k, v).</summary>
    public static string NewNames(ProcessorSettings step, string input, string column)
    {
        var known = WorkAreaTable(step);
        var name = Quote.Identifier(column);
        return $"SELECT (SELECT coalesce(max(k), 0) FROM {known}) + row_number() OVER (ORDER BY v) AS k, v " +
            $"FROM (SELECT DISTINCT {name} AS v FROM ({input}) WHERE {name} IS NOT NULL) AS n " +
            $"WHERE NOT EXISTS (SELECT 1 FROM {known} WHERE {known}.v = n.v)";
    }
}
