using System.Collections.Immutable;
using DuckDB.NET.Data;
using Wharf.DuckDb;

namespace Wharf.Sources.Sql.DuckDb;

/// <summary>Reads schemas, tables, views, columns and their DuckDB types, keys and row counts from DuckDB's catalogue.</summary>
internal static class DuckDbCatalogReader
{
    /// <param name="views">Whether views are listed too (<c>discover</c>); a pipeline's <c>tables:</c> pick tables only.</param>
    public static IReadOnlyList<CatalogTable> Read(DuckDbSourceDatabase database, bool views)
    {
        ArgumentNullException.ThrowIfNull(database);
        var connection = database.Connection;
        var catalog = database.Catalog;
        var columns = ReadColumns(connection, catalog);
        var (primaryKeys, foreignKeys) = ReadConstraints(connection, catalog);
        var relations = new List<(string Schema, string Name, bool View)>();
        using (var reader = connection.Query(
            "SELECT schema_name, table_name, false FROM duckdb_tables() WHERE database_name = $1 AND NOT internal AND NOT temporary " +
            "UNION ALL SELECT schema_name, view_name, true FROM duckdb_views() WHERE database_name = $1 AND NOT internal AND NOT temporary " +
            "ORDER BY 1, 2",
            catalog))
        {
            while (reader.Read())
            {
                if (views || !reader.GetBoolean(2))
                {
                    relations.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
                }
            }
        }

        return [.. relations.Select(r =>
        {
            var key = (r.Schema, r.Name);

            // DuckDB counts a table's rows from its metadata; a view would be run, so it is not counted.
            var rows = r.View ? 0 : Convert.ToInt64(connection.Scalar($"SELECT count(*) FROM {database.From(r.Schema, r.Name)}"), System.Globalization.CultureInfo.InvariantCulture);
            return new CatalogTable(r.Schema, r.Name, columns.GetValueOrDefault(key, []), primaryKeys.GetValueOrDefault(key, []), foreignKeys.GetValueOrDefault(key, []), rows)
            {
                IsView = r.View,
            };
        })];
    }

    private static Dictionary<(string, string), ImmutableArray<CatalogColumn>> ReadColumns(DuckDBConnection connection, string catalog)
    {
        var columns = new Dictionary<(string, string), ImmutableArray<CatalogColumn>.Builder>();
        using var reader = connection.Query(
            "SELECT schema_name, table_name, column_name, data_type, is_nullable FROM duckdb_columns() WHERE database_name = $1 AND NOT internal " +
            "ORDER BY schema_name, table_name, column_index",
            catalog);
        while (reader.Read())
        {
            var key = (reader.GetString(0), reader.GetString(1));
            if (!columns.TryGetValue(key, out var list))
            {
                columns[key] = list = ImmutableArray.CreateBuilder<CatalogColumn>();
            }

            list.Add(new CatalogColumn(reader.GetString(2), reader.GetString(3), reader.GetBoolean(4)));
        }

        return columns.ToDictionary(c => c.Key, c => c.Value.ToImmutable());
    }

    /// <summary>Primary keys, and foreign keys (which DuckDB keeps within one schema).</summary>
    private static (Dictionary<(string, string), ImmutableArray<string>> PrimaryKeys, Dictionary<(string, string), ImmutableArray<CatalogForeignKey>> ForeignKeys)
        ReadConstraints(DuckDBConnection connection, string catalog)
    {
        var primaryKeys = new Dictionary<(string, string), ImmutableArray<string>>();
        var foreignKeys = new Dictionary<(string, string), ImmutableArray<CatalogForeignKey>>();
        using var reader = connection.Query(
            "SELECT schema_name, table_name, constraint_type, constraint_name, constraint_column_names, referenced_table, referenced_column_names " +
            "FROM duckdb_constraints() WHERE database_name = $1 AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY') ORDER BY schema_name, table_name, constraint_index",
            catalog);
        while (reader.Read())
        {
            var key = (reader.GetString(0), reader.GetString(1));
            var names = reader.GetFieldValue<List<string>>(4).ToImmutableArray();
            if (reader.GetString(2) == "PRIMARY KEY")
            {
                primaryKeys[key] = names;
                continue;
            }

            var foreignKey = new CatalogForeignKey(reader.IsDBNull(3) ? $"{key.Item2}_{string.Join("_", names)}_fkey" : reader.GetString(3), names, key.Item1, reader.GetString(5), [.. reader.GetFieldValue<List<string>>(6)]);
            foreignKeys[key] = foreignKeys.GetValueOrDefault(key, []).Add(foreignKey);
        }

        return (primaryKeys, foreignKeys);
    }
}
