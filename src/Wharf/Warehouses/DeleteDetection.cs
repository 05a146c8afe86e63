using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Globalization;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Staging;

namespace Wharf.Warehouses;

/// <summary>
/// Delete detection's comparison of the source's keys with a table, shared by the warehouses. The
/// source sends either every key (lake files with the key columns) or, for a single integer key,
/// their <see cref="KeySummary"/>; then the table's live rows are summarized the same way and
/// the buckets whose bits differ give exactly the keys the source no longer has. Either way the
/// comparison runs inside the warehouse, in passes of bounded size, so memory does not grow with
/// the table. When the keys the table can have are known from the lake (<see cref="KnownKeys"/>),
/// their summary stands in for the table's, and the table is not read at all.
/// </summary>
internal static class DeleteDetection
{
    /// <summary>Temporary table of the summary comparison: buckets of the table with keys the source lacks.</summary>
    public const string Gone = "__wharf_gone";

    /// <summary>
    /// Keys (or buckets) compared in one pass: DuckDB holds a pass's keys in a hash table
    /// (~60 MB per million), so a bigger table takes more passes, not more memory.
    /// </summary>
    public const long PassRows = 1_000_000;

    /// <summary>
    /// Buckets of two key summaries compared in one pass (8M keys): their two hash tables take
    /// ~35 MiB. In one pass, 625,000 buckets (20M keys) took 84 MiB (bench/README.md).
    /// </summary>
    public const long SummaryPassRows = 1 << 18;

    /// <summary>Keys (or buckets) sampled to place the passes' boundaries.</summary>
    private const int SampleRows = 100_000;

    /// <summary>What the source's key files hold, in warehouse names: the keys themselves, or their summary (whose only column of interest is the key's name).</summary>
    public static LakeSelect KeySelect(LoadRequest request, ImmutableArray<LakeManifest> present)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!KeySummary.Holds(present))
        {
            return LakeSelect.Keys(request, present);
        }

        var key = present[0].PrimaryKey.IsEmpty ? request.PrimaryKey : present[0].PrimaryKey;
        if (key.Count != 1)
        {
            throw new LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
                $"The key summary in {present[0].File} is for a single key column, and {request.Schema}.{request.Table} has {key.Count} ({string.Join(", ", key)}). " +
                "Run the pipeline with --full-refresh to rebuild the table.");
        }

        var columns = $"{KeySummary.BucketColumn}, {KeySummary.BitsColumn}";
        return new LakeSelect($"SELECT {columns} FROM read_parquet([{LakeLayout.ParquetList(request.LakeRoot, present)}])", [KeySummary.BucketColumn, KeySummary.BitsColumn],
            [Schema.ColumnNames.Normalize(key)[0]]);
    }

    /// <summary>How many passes compare this many keys or buckets.</summary>
    public static int Passes(long rows, long passRows) => (int)Math.Clamp((rows + passRows - 1) / passRows, 1, int.MaxValue);

    /// <summary>The table's key column, qualified by the table (a summary's key is a single column).</summary>
    public static string TableKey(TableWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return $"{write.Target}.{Quote.Identifier(write.Key[0])}";
    }

    /// <summary>
    /// The keys of the table's live rows that the source's summary lacks, as BIGINT column <c>k</c>.
    /// The table's buckets are compared with the summary's (<paramref name="summary"/>: a relation
    /// with its two columns), and the bits set only on the table's side become keys again.
    /// </summary>
    /// <param name="range">This pass's buckets as [low, high) (either end open when null), or null for all.</param>
    /// <param name="tableSummary">The table's summary, already made (a relation with the two columns, one row per bucket), or null to make it here.</param>
    public static string GoneKeys(TableWrite write, string summary, (long? Low, long? High)? range = null, string? tableSummary = null)
    {
        var (bucket, bits) = (KeySummary.BucketColumn, KeySummary.BitsColumn);
        var key = TableKey(write);

        // The table side is cut on the key itself (bucket b starts at key 32b), so DuckDB can skip
        // row groups by their min/max; the summary side on its bucket.
        var tableRows = range is { } r ? $"{write.LiveRows}{Between(key, checked(r.Low * KeySummary.Width), checked(r.High * KeySummary.Width))}" : write.LiveRows;
        var summaryRows = range is { } s ? $"TRUE{Between(bucket, s.Low, s.High)}" : "TRUE";
        var missing = $"t.{bits} & ~coalesce(s.{bits}, 0)";
        // MATERIALIZED: the buckets first, then their bits as keys. PostgreSQL, which cannot tell
        // how few buckets differ, would otherwise expand every bucket of the table (32 rows each).
        return $"""
            WITH g AS MATERIALIZED (
              SELECT t.{bucket}, {missing} AS {bits}
              FROM ({(tableSummary is null ? KeySummary.Select(key, write.Target, tableRows) : tableSummary)}) AS t
              LEFT JOIN (SELECT {bucket}, bit_or({bits}) AS {bits} FROM ({summary}) AS s WHERE {summaryRows} GROUP BY 1) AS s ON s.{bucket} = t.{bucket}
              WHERE {missing} <> 0)
            SELECT g.{bucket} * {KeySummary.Width} + i.i AS k
            FROM g CROSS JOIN generate_series(0, {KeySummary.Width - 1}) AS i (i)
            WHERE g.{bits} & (CAST(1 AS BIGINT) << CAST(i.i AS INTEGER)) <> 0
            """;
    }

    /// <summary>
    /// The keys to delete when the table's live keys are all among <paramref name="known"/>: the
    /// known keys' buckets (the previous summary's and this run's loaded rows') compared with the
    /// source's summary, instead of the table's, so the table is not read. DuckDB SQL over the
    /// lake, as BIGINT column <c>k</c>; one query per pass of at most <paramref name="passRows"/> buckets.
    /// </summary>
    public static IEnumerable<string> GoneFromKnownKeys(
        DuckDBConnection workArea, LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present, KnownKeys known, long passRows = SummaryPassRows)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(known);
        var (bucket, bits) = (KeySummary.BucketColumn, KeySummary.BitsColumn);
        var summary = KeySelect(request, present).Sql;
        var knownRows = KeySelect(request, known.Previous).Sql;
        if (!known.Loaded.IsEmpty)
        {
            var loaded = LakeSelect.Keys(request, known.Loaded);
            knownRows += $" UNION ALL {KeySummary.Select(Quote.Identifier(loaded.Columns[0]), $"({loaded.Sql}) AS l")}";
        }

        var passes = Passes(Math.Max(present.Sum(f => f.Rows), known.Previous.Sum(f => f.Rows)), passRows);
        var bounds = passes == 1 ? [] : Bounds<long>(workArea, $"SELECT {bucket} AS v FROM ({summary}) AS s", passes, "BIGINT");
        for (var i = 0; i <= bounds.Count; i++)
        {
            long? low = i == 0 ? null : bounds[i - 1], high = i == bounds.Count ? null : bounds[i];
            yield return GoneKeys(write, summary, (low, high),
                $"SELECT {bucket}, bit_or({bits}) AS {bits} FROM ({knownRows}) AS w WHERE TRUE{Between(bucket, low, high)} GROUP BY 1");
        }
    }

    /// <summary>
    /// Distinct boundaries that cut the values <c>v</c> of <paramref name="values"/> into about
    /// <paramref name="passes"/> ranges of the same size, ascending: quantiles of a sample, so they
    /// are values that occur (never past the ends), and the sample's memory is bounded.
    /// </summary>
    public static List<T> Bounds<T>(DuckDBConnection connection, string values, int passes, string type)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(connection);
        var fractions = string.Join(", ", Enumerable.Range(1, passes - 1).Select(p => ((double)p / passes).ToString("R", CultureInfo.InvariantCulture)));
        var bounds = new List<T>();
        using var reader = connection.Query(
            $"SELECT DISTINCT CAST(b AS {type}) AS b FROM (SELECT unnest(quantile_disc(v, [{fractions}])) AS b " +
            $"FROM (SELECT v FROM ({values}) AS s USING SAMPLE reservoir({SampleRows} ROWS))) WHERE b IS NOT NULL ORDER BY b");
        while (reader.Read())
        {
            bounds.Add((T)reader.GetValue(0));
        }

        return bounds;
    }

    /// <summary>The condition on the table's rows that <see cref="Gone"/> holds their key (an uncorrelated IN: a semi-join on both engines).</summary>
    public static string InGone(TableWrite write) => $"{TableKey(write)} IN (SELECT k FROM {Gone})";

    private static string Between(string value, long? low, long? high) =>
        (low is { } l ? $" AND {value} >= {l.ToString(CultureInfo.InvariantCulture)}" : "") +
        (high is { } h ? $" AND {value} < {h.ToString(CultureInfo.InvariantCulture)}" : "");
}
