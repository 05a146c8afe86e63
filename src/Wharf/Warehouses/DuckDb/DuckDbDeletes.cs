using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Globalization;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Staging;
using Wharf.Schema;

namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// Delete detection in the DuckDB warehouse (see <see cref="DeleteDetection"/>): the source's key
/// files are read where they lie in the lake and compared with the table in passes of at most
/// <see cref="DeleteDetection.PassRows"/> keys (or buckets), each over one range of the key, so
/// DuckDB's hash tables stay the same size however big the table grows. Ranges rather than hashes:
/// DuckDB skips the row groups of the table and of the key files outside a range by their min/max.
/// With <see cref="KnownKeys"/>, the comparison is of lake files only.
/// </summary>
/// <remarks>
/// Measured at 5M keys (bench/README.md): a single anti-join peaked at ~300 MiB; passes of 1M
/// keys at ~200 MiB, for about the same time. A summary needs one pass up to 8M dense keys.
/// </remarks>
internal static class DuckDbDeletes
{
    /// <summary>Deletes (or marks, or closes) the table's rows whose key the source no longer has; returns how many.</summary>
    /// <param name="passRows">Keys or buckets per pass (tests make it small); by default <see cref="DeleteDetection.PassRows"/> keys or <see cref="DeleteDetection.SummaryPassRows"/> buckets.</param>
    public static async Task<long> ApplyAsync(
        DuckDBConnection connection, LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present,
        CancellationToken cancellationToken, long? passRows = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(write);
        foreach (var sql in write.AddExtraColumns())
        {
            await connection.ExecuteAsync(sql, cancellationToken);
        }

        if (!KeySummary.Holds(present))
        {
            return await ByKeysAsync(connection, request, write, present, passRows ?? DeleteDetection.PassRows, cancellationToken);
        }

        var passes = request.KnownKeys is { } known
            ? DeleteDetection.GoneFromKnownKeys(connection, request, write, present, known, passRows ?? DeleteDetection.SummaryPassRows)
            : BySummary(connection, request, write, present, passRows ?? DeleteDetection.SummaryPassRows);
        long deleted = 0;
        foreach (var gone in passes)
        {
            await connection.ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {DeleteDetection.Gone} AS {gone}", cancellationToken);
            deleted += await write.DeleteAsync(sql => connection.ExecuteAsync(sql, cancellationToken), DeleteDetection.InGone(write));
        }

        await connection.ExecuteAsync($"DROP TABLE {DeleteDetection.Gone}", cancellationToken);
        return deleted;
    }

    /// <summary>The keys to delete, one query per pass: the table's summary compared with the source's.</summary>
    private static IEnumerable<string> BySummary(DuckDBConnection connection, LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present, long passRows)
    {
        // Passes by the larger of the source's bucket count and an estimate of the table's (its
        // keys' span in buckets, at most one per row: sparse keys make a bucket per key).
        var key = $"CAST({DeleteDetection.TableKey(write)} AS BIGINT)";
        long buckets;
        using (var reader = connection.Query($"SELECT count({key}), CAST(min({key}) AS DOUBLE), CAST(max({key}) AS DOUBLE) FROM {write.Target} WHERE {write.LiveRows}"))
        {
            reader.Read();
            var rows = reader.GetInt64(0);
            buckets = rows == 0 ? 0 : (long)Math.Min(rows, ((reader.GetDouble(2) - reader.GetDouble(1)) / KeySummary.Width) + 2);
        }

        var passes = DeleteDetection.Passes(Math.Max(buckets, present.Sum(f => f.Rows)), passRows);
        var bounds = passes == 1 ? [] : DeleteDetection.Bounds<long>(connection, $"SELECT {KeySummary.Bucket(key)} AS v FROM {write.Target} WHERE {write.LiveRows}", passes, "BIGINT");
        var summary = DeleteDetection.KeySelect(request, present).Sql;
        for (var i = 0; i <= bounds.Count; i++)
        {
            (long?, long?)? range = bounds.Count == 0 ? null : (i == 0 ? null : bounds[i - 1], i == bounds.Count ? null : bounds[i]);
            yield return DeleteDetection.GoneKeys(write, summary, range);
        }
    }

    private static async Task<long> ByKeysAsync(
        DuckDBConnection connection, LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present, long passRows, CancellationToken cancellationToken)
    {
        var keys = DeleteDetection.KeySelect(request, present);
        var match = string.Join(" AND ", write.Key.Select(k => $"{write.Target}.{Quote.Identifier(k)} = k.{Quote.Identifier(k)}"));
        var passes = DeleteDetection.Passes(present.Sum(f => f.Rows), passRows);
        if (passes == 1)
        {
            return await write.DeleteAsync(sql => connection.ExecuteAsync(sql, cancellationToken), $"NOT EXISTS (SELECT 1 FROM ({keys.Sql}) AS k WHERE {match})");
        }

        // Ranges of the first key column, with boundaries from a sample of the key files. They go
        // back to DuckDB as text cast to the column's type (DuckDB's text forms round-trip), as
        // parameters, and both sides compare with the same cast, so a key falls in the same range
        // on either side. Rows whose first column is NULL are in no range, and none can match.
        var first = Quote.Identifier(write.Key[0]);
        var type = ColumnType(connection, keys.Sql, write.Key[0]);
        var bounds = DeleteDetection.Bounds<string>(connection, $"SELECT k.{first} AS v FROM ({keys.Sql}) AS k", passes, "VARCHAR");
        long deleted = 0;
        for (var i = 0; i <= bounds.Count; i++)
        {
            var (low, high) = (i > 0 ? bounds[i - 1] : null, i < bounds.Count ? bounds[i] : null);
            object?[] values = [.. new[] { low, high }.OfType<string>()];
            string Within(string column) =>
                (low is null ? "" : $" AND {column} >= CAST($1 AS {type})") + (high is null ? "" : $" AND {column} < CAST(${values.Length} AS {type})");
            deleted += await write.DeleteAsync(sql => Task.FromResult(connection.Execute(sql, values)),
                $"TRUE{Within($"{write.Target}.{first}")} AND NOT EXISTS (SELECT 1 FROM ({keys.Sql}) AS k WHERE TRUE{Within($"k.{first}")} AND {match})");
        }

        return deleted;
    }

    /// <summary>The DuckDB type of a column of a query.</summary>
    private static string ColumnType(DuckDBConnection connection, string sql, string column)
    {
        using var reader = connection.Query($"SELECT column_type FROM (DESCRIBE {sql}) WHERE column_name = $1", column);
        return reader.Read() ? reader.GetString(0) : throw new ColumnNotFoundException("key files", column, $"The key column '{column}' is not in the key files.");
    }
}
