using MySqlConnector;
using Wharf.Projects;

namespace Wharf.Sources.Sql.MySql;

/// <summary>
/// Big tables read in parallel: even ranges of a single integer primary key, each on its own
/// connection, all from one snapshot. MySQL cannot hand a snapshot from one connection to another
/// (PostgreSQL's pg_export_snapshot), so the connections start theirs together
/// (<c>START TRANSACTION WITH CONSISTENT SNAPSHOT</c>) while a coordinator holds the table's read
/// lock: no write can land between the first snapshot and the last, so all see the same rows.
/// </summary>
internal static class MySqlKeyRanges
{
    /// <summary>Tables estimated at this many rows or more are split (as the PostgreSQL source does).</summary>
    internal const long DefaultSplitRows = 2_000_000;

    /// <summary><see cref="DefaultSplitRows"/>, lowered by tests to split a small table.</summary>
    internal static long SplitRows { get; set; } = DefaultSplitRows;

    private static readonly string[] IntegerTypes = ["tinyint", "smallint", "mediumint", "int", "integer", "bigint"];

    /// <summary>The ranges' conditions, or null for one read of the whole table (small, no integer key, or <c>parallel: 1</c>).</summary>
    public static async Task<List<string>?> PlanAsync(ConnectionSettings settings, CatalogTable table, int parallel, CancellationToken cancellationToken)
    {
        var key = table.PrimaryKey.Length == 1 ? table.Columns.FirstOrDefault(c => c.Name == table.PrimaryKey[0]) : null;
        if (key?.MySql is not { } type || !IntegerTypes.Contains(type.DataType) || (type.DataType == "bigint" && type.Unsigned)
            || table.EstimatedRows < SplitRows || parallel < 2)
        {
            return null;
        }

        var quoted = MySqlColumnPlan.Identifier(key.Name);
        await using var database = await MySqlSourceConnection.OpenAsync(settings, table.Name, cancellationToken);
        await using var bounds = new MySqlCommand(
            $"SELECT CAST(MIN({quoted}) AS SIGNED), CAST(MAX({quoted}) AS SIGNED) FROM {Name(table)}", database);
        await using var reader = await bounds.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0))
        {
            return null;
        }

        // Open at both ends: rows added beyond today's bounds before the snapshot are read too.
        var (low, high) = (reader.GetInt64(0), reader.GetInt64(1));
        var step = Math.Max(1, (long)Math.Ceiling(((double)high - low + 1) / parallel));
        var ranges = new List<string>();
        for (var start = low; start <= high; start += step)
        {
            ranges.Add(start + step > high
                ? $"{quoted} >= {start}"
                : ranges.Count == 0 ? $"{quoted} < {start + step}" : $"{quoted} >= {start} AND {quoted} < {start + step}");
        }

        return ranges.Count > 1 ? ranges : null;
    }

    /// <summary>
    /// <paramref name="count"/> connections in one snapshot of the table. Without the right to lock
    /// it (LOCK TABLES), one connection: its own snapshot is consistent by itself.
    /// </summary>
    public static async Task<Snapshot?> OpenSnapshotAsync(ConnectionSettings settings, CatalogTable table, int count, string stream, CancellationToken cancellationToken)
    {
        var snapshot = new Snapshot();
        try
        {
            for (var i = 0; i < count; i++)
            {
                snapshot.Connections.Add(await MySqlSourceConnection.OpenAsync(settings, stream, cancellationToken));
            }

            await using var coordinator = await MySqlSourceConnection.OpenAsync(settings, stream, cancellationToken);
            await ExecuteAsync(coordinator, $"LOCK TABLES {Name(table)} READ", cancellationToken);
            try
            {
                foreach (var connection in snapshot.Connections)
                {
                    await ExecuteAsync(connection, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken);
                }
            }
            finally
            {
                await ExecuteAsync(coordinator, "UNLOCK TABLES", CancellationToken.None);
            }

            return snapshot;
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.TableAccessDenied or MySqlErrorCode.SpecifiedAccessDeniedError or MySqlErrorCode.DatabaseAccessDenied)
        {
            await snapshot.DisposeAsync();
            return null;
        }
        catch
        {
            await snapshot.DisposeAsync();
            throw;
        }
    }

    private static string Name(CatalogTable table) => $"{MySqlColumnPlan.Identifier(table.Schema)}.{MySqlColumnPlan.Identifier(table.Name)}";

    private static async Task ExecuteAsync(MySqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Connections reading one snapshot; disposing them ends their read-only transactions.</summary>
    public sealed class Snapshot : IAsyncDisposable
    {
        public List<MySqlConnection> Connections { get; } = [];

        public async ValueTask DisposeAsync()
        {
            foreach (var connection in Connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
