using System.Collections.Immutable;
using MySqlConnector;

namespace Wharf.Sources.Sql.MySql;

/// <summary>
/// Reads tables, columns, primary and foreign keys and row estimates from information_schema:
/// the connection's database, or every user database when the connection names none. The same
/// queries work on MySQL and MariaDB.
/// </summary>
internal static class MySqlCatalogReader
{
    private const string SystemSchemas = "('mysql', 'information_schema', 'performance_schema', 'sys')";

    // TABLE_ROWS is InnoDB's estimate (exact for MyISAM), as cheap as PostgreSQL's reltuples.
    private const string TablesSql = $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(TABLE_ROWS, 0)
        FROM information_schema.TABLES
        WHERE TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND {Scope}
        ORDER BY TABLE_SCHEMA, TABLE_NAME
        """;

    private const string ColumnsSql = $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, IS_NULLABLE = 'YES', LOWER(DATA_TYPE), LOWER(COLUMN_TYPE),
               COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, 0)
        FROM information_schema.COLUMNS
        WHERE {Scope}
        ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION
        """;

    private const string KeysSql = $"""
        SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
        FROM information_schema.KEY_COLUMN_USAGE
        WHERE (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL) AND {Scope}
        ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
        """;

    // MariaDB's JSON is LONGTEXT with a json_valid(`column`) check; MySQL has a JSON type of its own.
    private const string JsonChecksSql = """
        SELECT t.TABLE_SCHEMA, t.TABLE_NAME, c.CHECK_CLAUSE
        FROM information_schema.CHECK_CONSTRAINTS c
        JOIN information_schema.TABLE_CONSTRAINTS t
          ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK'
        WHERE c.CHECK_CLAUSE LIKE 'json\_valid(%' AND (t.TABLE_SCHEMA = DATABASE() OR (DATABASE() IS NULL AND t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
        """;

    private const string Scope = $"(TABLE_SCHEMA = DATABASE() OR (DATABASE() IS NULL AND TABLE_SCHEMA NOT IN {SystemSchemas}))";

    public static async Task<IReadOnlyList<CatalogTable>> ReadAsync(MySqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var tables = new List<(string Schema, string Name, long Rows)>();
        await using (var command = new MySqlCommand(TablesSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add((reader.GetString(0), reader.GetString(1), Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        var json = await JsonColumnsAsync(connection, cancellationToken);
        var columns = new Dictionary<(string, string), List<CatalogColumn>>();
        await using (var command = new MySqlCommand(ColumnsSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = (reader.GetString(0), reader.GetString(1));
                var name = reader.GetString(2);
                var info = new MySqlTypeInfo(reader.GetString(4), reader.GetString(5), Convert.ToInt32(reader.GetValue(6), System.Globalization.CultureInfo.InvariantCulture),
                    Convert.ToInt32(reader.GetValue(7), System.Globalization.CultureInfo.InvariantCulture), json.Contains((key.Item1, key.Item2, name)));
                columns.TryAdd(key, []);
                columns[key].Add(new CatalogColumn(name, info.Json ? "json" : info.ColumnType, Convert.ToBoolean(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture)) { MySql = info });
            }
        }

        var (primaryKeys, foreignKeys) = await ReadKeysAsync(connection, cancellationToken);
        return [.. tables.Select(t => new CatalogTable(
            t.Schema,
            t.Name,
            [.. columns.GetValueOrDefault((t.Schema, t.Name), [])],
            primaryKeys.GetValueOrDefault((t.Schema, t.Name), []),
            [.. foreignKeys.GetValueOrDefault((t.Schema, t.Name), [])],
            t.Rows))];
    }

    private static async Task<(Dictionary<(string, string), ImmutableArray<string>> Primary, Dictionary<(string, string), List<CatalogForeignKey>> Foreign)> ReadKeysAsync(
        MySqlConnection connection, CancellationToken cancellationToken)
    {
        var rows = new List<(string Schema, string Table, string Constraint, string Column, string? RefSchema, string? RefTable, string? RefColumn)>();
        await using (var command = new MySqlCommand(KeysSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Text(4), Text(5), Text(6)));
            }
        }

        var primary = rows.Where(r => r.RefTable is null && r.Constraint == "PRIMARY")
            .GroupBy(r => (r.Schema, r.Table))
            .ToDictionary(g => g.Key, g => g.Select(r => r.Column).ToImmutableArray());
        var foreign = rows.Where(r => r.RefTable is not null)
            .GroupBy(r => (r.Schema, r.Table, r.Constraint))
            .Select(g => (Key: (g.Key.Schema, g.Key.Table), ForeignKey: new CatalogForeignKey(g.Key.Constraint, [.. g.Select(r => r.Column)],
                g.First().RefSchema!, g.First().RefTable!, [.. g.Select(r => r.RefColumn!)])))
            .GroupBy(x => x.Key)
            .ToDictionary(g => g.Key, g => g.Select(x => x.ForeignKey).ToList());
        return (primary, foreign);
    }

    /// <summary>(schema, table, column) of MariaDB's JSON columns; none on a server without CHECK_CONSTRAINTS (MySQL before 8.0.16).</summary>
    private static async Task<HashSet<(string, string, string)>> JsonColumnsAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        var columns = new HashSet<(string, string, string)>();
        try
        {
            await using var command = new MySqlCommand(JsonChecksSql, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                // json_valid(`payload`): the column between the backticks.
                var clause = reader.GetString(2);
                var start = clause.IndexOf('`', StringComparison.Ordinal);
                var end = clause.LastIndexOf('`');
                if (start >= 0 && end > start && clause.TrimEnd().EndsWith("`)", StringComparison.Ordinal))
                {
                    columns.Add((reader.GetString(0), reader.GetString(1), clause[(start + 1)..end].Replace("``", "`", StringComparison.Ordinal)));
                }
            }
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.UnknownTable or MySqlErrorCode.NoSuchTable or MySqlErrorCode.BadFieldError)
        {
            // No CHECK_CONSTRAINTS here: JSON columns are MySQL's own type.
        }

        return columns;
    }
}
