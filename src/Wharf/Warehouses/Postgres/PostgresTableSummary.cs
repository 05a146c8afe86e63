using System.Globalization;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Wharf.Lake;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// The <see cref="KeySummary"/> of a big table's live rows, made in parallel: each key range is
/// aggregated on a connection of its own, and the rows stream by COPY into a temporary table of the
/// load's transaction. PostgreSQL would aggregate on one core (it cannot tell how few buckets
/// there are, so it plans no partial aggregation); 5M keys take ~0.5 s of it.
/// </summary>
/// <remarks>
/// The other connections see what is committed, which is what the load's transaction sees only
/// while that transaction has not written to the table: so only for a load that brings no rows
/// (a cursor stream's last step, whose chunks are committed) and before its columns are altered.
/// Runs of the pipeline are kept out by its locks.
/// </remarks>
internal static class PostgresTableSummary
{
    /// <summary>Tables estimated at fewer rows are summarized in the load's transaction.</summary>
    public const long ParallelRows = 2_000_000;

    private const int Connections = 2;

    /// <summary>Copies the table's summary into the temporary table <paramref name="into"/>; false (nothing done) when the load does not allow it.</summary>
    /// <param name="parallelRows">The smallest table (PostgreSQL's estimate) worth it; 0: any table.</param>
    public static async Task<bool> TryCopyAsync(
        NpgsqlConnection connection, LoadRequest request, TableWrite write, string into, CancellationToken cancellationToken, long parallelRows = ParallelRows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(write);
        if (!request.Files.IsEmpty || request.Recreate || write.Key.Count != 1)
        {
            return false;
        }

        // The table is big, and already has the columns the live rows are told by.
        var extra = write.ExtraColumns.Select(c => c.Name).ToArray();
        await using (var check = new NpgsqlCommand(
            "SELECT c.reltuples, (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ANY($2) AND NOT a.attisdropped) " +
            "FROM pg_class c WHERE c.oid = to_regclass($1)", connection))
        {
            check.Parameters.Add(new NpgsqlParameter { Value = write.Target });
            check.Parameters.Add(new NpgsqlParameter { Value = extra });
            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) || (parallelRows > 0 && reader.GetFloat(0) < parallelRows) || reader.GetInt64(1) != extra.Length)
            {
                return false;
            }
        }

        var key = DeleteDetection.TableKey(write);
        long low, high;
        await using (var bounds = new NpgsqlCommand($"SELECT CAST(min({key}) AS BIGINT), CAST(max({key}) AS BIGINT) FROM {write.Target}", connection))
        await using (var reader = await bounds.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(0))
            {
                return false;
            }

            (low, high) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE {into} ({KeySummary.BucketColumn} bigint, {KeySummary.BitsColumn} bigint) ON COMMIT DROP", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        // Ranges of whole buckets, so no bucket is cut in two.
        var (first, last) = (low >> 5, high >> 5);
        var step = Math.Max(1, (long)Math.Ceiling(((double)last - first + 1) / Connections));
        var ranges = new List<string>();
        for (var start = first; start <= last; start += step)
        {
            var from = start == first ? "" : $" AND {key} >= {(start * KeySummary.Width).ToString(CultureInfo.InvariantCulture)}";
            var to = start + step > last ? "" : $" AND {key} < {((start + step) * KeySummary.Width).ToString(CultureInfo.InvariantCulture)}";
            ranges.Add($"{write.LiveRows}{from}{to}");
        }

        var rows = Channel.CreateBounded<(long Bucket, long Bits)>(new BoundedChannelOptions(10_000) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producers = ranges.Select(where => Task.Run(() => ReadAsync(connection, KeySummary.Select(key, write.Target, where), rows.Writer, stop.Token), stop.Token)).ToList();
        var produced = Task.WhenAll(producers).ContinueWith(t => rows.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);
        try
        {
            await using var import = await connection.BeginBinaryImportAsync(
                $"COPY {into} ({KeySummary.BucketColumn}, {KeySummary.BitsColumn}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            await foreach (var (bucket, bits) in rows.Reader.ReadAllAsync(cancellationToken))
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(bucket, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(bits, NpgsqlDbType.Bigint, cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
        finally
        {
            await produced;
        }

        await using var analyze = new NpgsqlCommand($"ANALYZE {into}", connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    /// <summary>One range's summary, on a connection of its own (the load's settings and credentials).</summary>
    private static async Task ReadAsync(NpgsqlConnection like, string select, ChannelWriter<(long, long)> rows, CancellationToken cancellationToken)
    {
        await using var connection = (NpgsqlConnection)((ICloneable)like).Clone();
        await connection.OpenAsync(cancellationToken);
        await using (var settings = new NpgsqlCommand("SET work_mem = '32MB'", connection))
        {
            await settings.ExecuteNonQueryAsync(cancellationToken);
        }

        using var exporter = await connection.BeginBinaryExportAsync($"COPY ({select}) TO STDOUT (FORMAT BINARY)", cancellationToken);
        while (await exporter.StartRowAsync(cancellationToken) != -1)
        {
            var bucket = await exporter.ReadAsync<long>(NpgsqlDbType.Bigint, cancellationToken);
            var bits = await exporter.ReadAsync<long>(NpgsqlDbType.Bigint, cancellationToken);
            await rows.WriteAsync((bucket, bits), cancellationToken);
        }
    }
}
