using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Sources.Sql.DuckDb;

/// <summary>Delete detection's key summary, computed by DuckDB on the source file (see <see cref="KeySummary"/>).</summary>
internal sealed partial class DuckDbSource : IKeySummarySource
{
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
        if (!KeySummary.Fits(key.DataType))
        {
            return null;
        }

        var source = await OpenAsync(cancellationToken);
        using var reader = source.Another();
        try
        {
            return [await request.Lake.WriteAsync(reader, request.Target, KeySummary.Select(Quote.Identifier(key.Name), from), [], cancellationToken)];
        }
        catch (DuckDbException ex)
        {
            throw new SourceException(connection.Name, stream.Name,
                $"Pipeline '{pipeline.Name}': reading the keys of {stream.Description} from '{connection.Name}' failed: {ex.Summary} Nothing was loaded.", ex);
        }
    }
}
