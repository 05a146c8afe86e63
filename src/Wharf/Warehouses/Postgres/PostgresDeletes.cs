using DuckDB.NET.Data;
using System.Collections.Immutable;
using Npgsql;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Staging;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// Delete detection in the PostgreSQL warehouse (see <see cref="DeleteDetection"/>): what the source
/// sent (its keys, or their summary) streams from the lake by binary COPY into a temporary table,
/// and PostgreSQL compares it with the table. A summary is 1 row per 32 keys, and the comparison
/// yields the missing keys, which are then deleted through the primary key's index. With
/// <see cref="KnownKeys"/>, the missing keys come from the lake alone, and only they are sent.
/// </summary>
internal static class PostgresDeletes
{
    private const string Summary = "__wharf_key_summary";

    private const string TableSummary = "__wharf_table_summary";

    /// <summary>The summary comparison aggregates the whole table: in memory with this much, not in temporary files.</summary>
    private const string WorkMem = "64MB";

    /// <summary>Deletes (or marks, or closes) the table's rows whose key the source no longer has; returns how many.</summary>
    /// <param name="workArea">The DuckDB work area that reads the lake.</param>
    /// <param name="parallelRows">The smallest table whose summary is made in parallel (tests: 0, any).</param>
    public static async Task<long> ApplyAsync(
        NpgsqlConnection connection, DuckDBConnection workArea, LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present,
        CancellationToken cancellationToken, long parallelRows = PostgresTableSummary.ParallelRows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(write);
        async Task<long> Execute(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var summarized = KeySummary.Holds(present);
        if (summarized && request.KnownKeys is { } known)
        {
            return await DeleteGoneFromKnownKeysAsync(connection, workArea, request, write, present, known, Execute, cancellationToken);
        }

        var keys = DeleteDetection.KeySelect(request, present);
        var copied = summarized ? Summary : TableWrite.Keys;
        using (var source = PostgresColumn.Query(workArea, keys.Sql, keys.Columns))
        {
            await Execute($"CREATE TEMP TABLE {copied} ({string.Join(", ", source.Columns.Select(c => $"{Quote.Identifier(c.Name)} {c.Type}"))}) ON COMMIT DROP");
            await PostgresWarehouse.CopyAsync(connection, copied, source, cancellationToken);
        }

        await Execute($"ANALYZE {copied}");

        // Before the table is altered (which locks it): a big table's summary is made beside, in parallel.
        var tableSummarized = summarized && await PostgresTableSummary.TryCopyAsync(connection, request, write, TableSummary, cancellationToken, parallelRows);
        foreach (var sql in write.AddExtraColumns())
        {
            await Execute(sql);
        }

        if (!summarized)
        {
            return await write.DeleteMissingAsync(Execute);
        }

        // The missing keys themselves (few, usually), so the delete finds them by the primary key's index.
        var summaryColumns = $"{KeySummary.BucketColumn}, {KeySummary.BitsColumn}";
        await Execute($"SET LOCAL work_mem = '{WorkMem}'; SET LOCAL jit = off");
        await Execute($"CREATE TEMP TABLE {DeleteDetection.Gone} ON COMMIT DROP AS " +
            DeleteDetection.GoneKeys(write, $"SELECT {summaryColumns} FROM {Summary}", tableSummary: tableSummarized ? $"SELECT {summaryColumns} FROM {TableSummary}" : null));
        await Execute($"ANALYZE {DeleteDetection.Gone}");
        return await write.DeleteAsync(Execute, DeleteDetection.InGone(write));
    }

    /// <summary>
    /// The keys to delete come from the lake alone (see <see cref="DeleteDetection.GoneFromKnownKeys"/>),
    /// computed in the work area; only they go to the server, which deletes them by the primary key's index.
    /// </summary>
    private static async Task<long> DeleteGoneFromKnownKeysAsync(
        NpgsqlConnection connection, DuckDBConnection workArea, LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present, KnownKeys known,
        Func<string, Task<long>> execute, CancellationToken cancellationToken)
    {
        foreach (var sql in write.AddExtraColumns())
        {
            await execute(sql);
        }

        await execute($"CREATE TEMP TABLE {DeleteDetection.Gone} (k bigint) ON COMMIT DROP");
        long deleted = 0;
        foreach (var sql in DeleteDetection.GoneFromKnownKeys(workArea, request, write, present, known))
        {
            await execute($"TRUNCATE {DeleteDetection.Gone}");
            using (var source = PostgresColumn.Query(workArea, sql, ["k"]))
            {
                await PostgresWarehouse.CopyAsync(connection, DeleteDetection.Gone, source, cancellationToken);
            }

            await execute($"ANALYZE {DeleteDetection.Gone}");
            deleted += await write.DeleteAsync(execute, DeleteDetection.InGone(write));
        }

        return deleted;
    }
}
