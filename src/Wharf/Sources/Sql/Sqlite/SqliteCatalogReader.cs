using System.Collections.Immutable;
using Microsoft.Data.Sqlite;

namespace Wharf.Sources.Sql.Sqlite;

/// <summary>Reads tables, declared column types, keys and row counts of a SQLite database.</summary>
internal static class SqliteCatalogReader
{
    /// <summary>SQLite has one schema per attached database; Wharf reads <c>main</c>.</summary>
    public const string Schema = "main";

    public static async Task<IReadOnlyList<CatalogTable>> ReadAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var names = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
            }
        }

        var tables = new List<CatalogTable>();
        foreach (var name in names)
        {
            var columns = ImmutableArray.CreateBuilder<CatalogColumn>();
            var primaryKey = new SortedList<long, string>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT name, type, \"notnull\", pk FROM pragma_table_info($table)";
                command.Parameters.AddWithValue("$table", name);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    columns.Add(new CatalogColumn(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) == 0));
                    if (reader.GetInt64(3) > 0)
                    {
                        primaryKey.Add(reader.GetInt64(3), reader.GetString(0));
                    }
                }
            }

            var foreignKeys = new Dictionary<long, (string Table, List<string> From, List<string> To)>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($table) ORDER BY id, seq";
                command.Parameters.AddWithValue("$table", name);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var id = reader.GetInt64(0);
                    if (!foreignKeys.TryGetValue(id, out var key))
                    {
                        foreignKeys[id] = key = (reader.GetString(1), [], []);
                    }

                    key.From.Add(reader.GetString(2));
                    key.To.Add(reader.IsDBNull(3) ? reader.GetString(2) : reader.GetString(3));
                }
            }

            long rows;
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT count(*) FROM {Quote.Identifier(name)}";
                rows = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            }

            tables.Add(new CatalogTable(Schema, name, columns.ToImmutable(), [.. primaryKey.Values],
                [.. foreignKeys.Select(fk => new CatalogForeignKey($"{name}_fk_{fk.Key}", [.. fk.Value.From], Schema, fk.Value.Table, [.. fk.Value.To]))],
                rows));
        }

        return tables;
    }
}
