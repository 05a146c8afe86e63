using MySqlConnector;
using Wharf.Lake;

namespace Wharf.Sources.Sql.MySql;

/// <summary>Delete detection's key summary, computed by the server (see <see cref="KeySummary"/>): no key leaves it.</summary>
internal sealed partial class MySqlSource : IKeySummarySource
{
    private static readonly string[] SummaryKeyTypes = ["tinyint", "smallint", "mediumint", "int", "integer", "bigint"];

    private static readonly List<MySqlColumnPlan> SummaryColumns =
    [
        new(KeySummary.BucketColumn, "", "BIGINT", Quote.Identifier(KeySummary.BucketColumn), (r, i) => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)),
        new(KeySummary.BitsColumn, "", "BIGINT", Quote.Identifier(KeySummary.BitsColumn), (r, i) => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public async Task<IReadOnlyList<LakeManifest>?> SummarizeKeysAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        var (from, columns, _) = plans[stream.Name];
        if (request.Columns.Length != 1)
        {
            return null;
        }

        var key = Schema.ColumnNames.Pick(columns, request.Columns, c => c.Name, stream.Name, "primary_key")[0];
        if (key.MySql is not { } type || !SummaryKeyTypes.Contains(type.DataType) || (type.DataType == "bigint" && type.Unsigned))
        {
            return null;
        }

        // The same buckets and bits as DuckDB's and PostgreSQL's `key >> 5` and `1 << (key & 31)`.
        // MySQL shifts and masks as unsigned 64-bit numbers, so the bucket is the key less its low
        // five bits, divided exactly (an arithmetic shift, right for negative keys too).
        var k = MySqlColumnPlan.Identifier(key.Name);
        var select = $"SELECT ({k} - CAST({k} & 31 AS SIGNED)) DIV 32, BIT_OR(1 << ({k} & 31)) FROM {from} WHERE {k} IS NOT NULL GROUP BY 1";
        await using var database = await MySqlSourceConnection.OpenAsync(connection, stream.Name, cancellationToken);
        return await ReadAsync(database, request, stream, SummaryColumns, select, cancellationToken);
    }
}
