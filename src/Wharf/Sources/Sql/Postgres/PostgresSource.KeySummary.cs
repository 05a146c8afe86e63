using Wharf.Lake;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>Delete detection's key summary, computed by the server (see <see cref="KeySummary"/>).</summary>
internal sealed partial class PostgresSource : IKeySummarySource
{
    /// <summary>
    /// The aggregate runs in memory with this much (the default 4MB spills a 5M-key table's
    /// 156,250 buckets to disk: 0.8 s instead of 0.5 s, measured in bench/), and without JIT, which
    /// the planner's cost estimate turns on and which does not pay for its compiling here: a range
    /// of 1.9M keys took 0.61–0.62 s without it against 0.67–0.68 s with it; 5M keys, 1.33 s either way.
    /// </summary>
    private const string SummarySettings = "SET LOCAL work_mem = '32MB'; SET LOCAL jit = off";

    private static readonly List<PostgresColumnPlan> SummaryColumns =
    [
        new(KeySummary.BucketColumn, "", "BIGINT", Quote.Identifier(KeySummary.BucketColumn), PostgresWire.Int64),
        new(KeySummary.BitsColumn, "", "BIGINT", Quote.Identifier(KeySummary.BitsColumn), PostgresWire.Int64),
    ];

    public async Task<IReadOnlyList<LakeManifest>?> SummarizeKeysAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        var (from, columns, table) = plans[stream.Name];
        if (request.Columns.Length != 1)
        {
            return null;
        }

        var key = Schema.ColumnNames.Pick(columns, request.Columns, c => c.Name, stream.Name, "primary_key")[0];
        if (key.Postgres is not { ElementTypeName: null } type || !IntegerTypes.Contains(type.TypeName))
        {
            return null;
        }

        // Split like a full extract (key ranges in parallel, one snapshot). It runs beside the
        // cursor extract, which, bounded by the change, is mostly done first: at 5M keys on 2
        // cores two ranges made a run of 1,000 changes 0.1-0.2 s faster than one (bench/README.md).
        // A bucket cut by a range boundary comes in two rows, which readers combine.
        await using var coordinator = await PostgresSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken);
        var ranges = table is null ? [null] : await KeyRangesAsync(coordinator, table, cancellationToken, pipeline.Parallel);
        return await ExtractRangesAsync(coordinator, ranges, request, stream, SummaryColumns,
            where => KeySummary.Select(Quote.Identifier(key.Name), from, where), SummarySettings, cancellationToken);
    }
}
