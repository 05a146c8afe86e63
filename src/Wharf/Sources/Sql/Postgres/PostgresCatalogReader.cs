using System.Collections.Immutable;
using Npgsql;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>Reads tables, columns, primary and foreign keys and row estimates from pg_catalog.</summary>
internal static class PostgresCatalogReader
{
    private const string TablesSql = """
        SELECT c.oid, n.nspname, c.relname, GREATEST(c.reltuples, 0)::bigint
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        ORDER BY n.nspname, c.relname
        """;

    // Domains are resolved to their base type here, so the rest of Wharf sees real types.
    private const string ColumnsSql = """
        SELECT a.attrelid, a.attname, NOT a.attnotnull, format_type(a.atttypid, a.atttypmod),
               b.typname, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END, b.typtype,
               e.typname, COALESCE(e.typtype, ' ')
        FROM pg_attribute a
        JOIN pg_type t ON t.oid = a.atttypid
        JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END
        LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'
        WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid = ANY($1)
        ORDER BY a.attrelid, a.attnum
        """;

    private const string KeysSql = """
        SELECT c.conrelid, c.contype, c.conname, rn.nspname, r.relname,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
               ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
        FROM pg_constraint c
        LEFT JOIN pg_class r ON r.oid = c.confrelid
        LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
        WHERE c.contype IN ('p', 'f') AND c.conrelid = ANY($1)
        ORDER BY c.conrelid, c.conname
        """;

    public static async Task<IReadOnlyList<CatalogTable>> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await ReadTablesAsync(connection, TablesSql, null, cancellationToken);
    }

    /// <summary>One relation (table or view) visible on the search path, e.g. a temporary view over a query.</summary>
    public static async Task<CatalogTable> ReadRelationAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT c.oid, n.nspname, c.relname, GREATEST(c.reltuples, 0)::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass($1)
            """;
        var tables = await ReadTablesAsync(connection, sql, name, cancellationToken);
        return tables.Single();
    }

    private static async Task<IReadOnlyList<CatalogTable>> ReadTablesAsync(NpgsqlConnection connection, string tablesSql, string? parameter, CancellationToken cancellationToken)
    {
        var tables = new List<(uint Oid, string Schema, string Name, long Rows)>();
        await using (var command = new NpgsqlCommand(tablesSql, connection))
        {
            if (parameter is not null)
            {
                command.Parameters.Add(new() { Value = parameter });
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add((reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }

        var oids = tables.Select(t => t.Oid).ToArray();
        var columns = new Dictionary<uint, List<CatalogColumn>>();
        await using (var command = new NpgsqlCommand(ColumnsSql, connection) { Parameters = { new() { Value = oids, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid } } })
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var info = new PostgresTypeInfo(reader.GetString(4), reader.GetInt32(5), reader.GetChar(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetChar(8));
                var column = new CatalogColumn(reader.GetString(1), reader.GetString(3), reader.GetBoolean(2)) { Postgres = info };
                columns.TryAdd(reader.GetFieldValue<uint>(0), []);
                columns[reader.GetFieldValue<uint>(0)].Add(column);
            }
        }

        var primaryKeys = new Dictionary<uint, ImmutableArray<string>>();
        var foreignKeys = new Dictionary<uint, List<CatalogForeignKey>>();
        await using (var command = new NpgsqlCommand(KeysSql, connection) { Parameters = { new() { Value = oids, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid } } })
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var oid = reader.GetFieldValue<uint>(0);
                var keyColumns = reader.GetFieldValue<string[]>(5).ToImmutableArray();
                if (reader.GetChar(1) == 'p')
                {
                    primaryKeys[oid] = keyColumns;
                    continue;
                }

                foreignKeys.TryAdd(oid, []);
                foreignKeys[oid].Add(new CatalogForeignKey(reader.GetString(2), keyColumns, reader.GetString(3), reader.GetString(4),
                    [.. reader.GetFieldValue<string[]>(6)]));
            }
        }

        return [.. tables.Select(t => new CatalogTable(
            t.Schema,
            t.Name,
            [.. columns.GetValueOrDefault(t.Oid, [])],
            primaryKeys.GetValueOrDefault(t.Oid, []),
            [.. foreignKeys.GetValueOrDefault(t.Oid, [])],
            t.Rows))];
    }
}
