using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Schema;

namespace Wharf.Warehouses.DuckDb;

/// <summary>The statements that fit a DuckDB table to a load's <see cref="SchemaPlan"/>: columns added and widened.</summary>
internal static class DuckDbSchemaChanges
{
    /// <summary>
    /// DuckDB cannot change the type of a primary key column (keys: true), so a table whose key is
    /// widened is rebuilt with the new types and its key added back, inside the load's transaction.
    /// </summary>
    public static List<string> For(DuckDBConnection connection, TableWrite write, SchemaPlan plan)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(plan);
        var target = write.Target;
        var statements = plan.Added.Select(c => $"ALTER TABLE {target} ADD COLUMN {Quote.Identifier(c.Name)} {c.To.ToDuckDb()}").ToList();
        var key = new List<string>();
        using (var reader = connection.Query(
            "SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE schema_name = $1 AND table_name = $2 AND constraint_type = 'PRIMARY KEY'",
            write.Schema, write.Table))
        {
            while (reader.Read())
            {
                key.Add(reader.GetString(0));
            }
        }

        if (!plan.Widened.Any(c => key.Contains(c.Name)))
        {
            statements.AddRange(plan.Widened.Select(c => $"ALTER TABLE {target} ALTER COLUMN {Quote.Identifier(c.Name)} SET DATA TYPE {c.To.ToDuckDb()}"));
            return statements;
        }

        var rebuilt = Quote.Qualified(write.Schema, write.Table + "__wharf_widened");
        var casts = string.Join(", ", plan.Widened.Select(c => $"CAST({Quote.Identifier(c.Name)} AS {c.To.ToDuckDb()}) AS {Quote.Identifier(c.Name)}"));
        statements.AddRange([
            $"CREATE TABLE {rebuilt} AS SELECT * REPLACE ({casts}) FROM {target}",
            $"DROP TABLE {target}",
            $"ALTER TABLE {rebuilt} RENAME TO {Quote.Identifier(write.Table)}",
            $"ALTER TABLE {target} ADD PRIMARY KEY ({string.Join(", ", key.Select(Quote.Identifier))})",
        ]);
        return statements;
    }
}
