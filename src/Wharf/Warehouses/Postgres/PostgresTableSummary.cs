using System.Globalization;
using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using Wharf.Lake;
using Wharf.Staging;

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

        if (!await IsWorthItAsync(connection, write, parallelRows, cancellationToken))
        {
            return false;
        }

        var key = DeleteDetection.TableKey(write);
        if (await KeyBoundsAsync(connection, write, key, cancellationToken) is not var (low, high))
        {
            return false;
        }

        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE {into} ({KeySummary.BucketColumn} bigint, {KeySummary.BitsColumn} bigint) ON COMMIT DROP", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await CopyAsync(connection, into, Ranges(write, key, low, high).Select(where => KeySummary.Select(key, write.Target, where)), cancellationToken);
        await using var analyze = new NpgsqlCommand($"ANALYZE {into}", connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    /// <summary>Whether the table is big, and already has the columns the live rows are told by.</summary>
    private static async Task<bool> IsWorthItAsync(NpgsqlConnection connection, TableWrite write, long parallelRows, CancellationToken cancellationToken)
    {
        var extra = write.ExtraColumns.Select(c => c.Name).ToArray();
        await using var check = new NpgsqlCommand(
            "SELECT c.reltuples, (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ANY($2) AND NOT a.attisdropped) " +
            "FROM pg_class c WHERE c.oid = to_regclass($1)", connection);
        check.Parameters.Add(new NpgsqlParameter { Value = write.Target });
        check.Parameters.Add(new NpgsqlParameter { Value = extra });
        await using var reader = await check.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && (parallelRows <= 0 || reader.GetFloat(0) >= parallelRows) && reader.GetInt64(1) == extra.Length;
    }

    /// <summary>The smallest and largest key of the table; null when it is empty.</summary>
    private static async Task<(long Low, long High)?> KeyBoundsAsync(NpgsqlConnection connection, TableWrite write, string key, CancellationToken cancellationToken)
    {
        await using var bounds = new NpgsqlCommand($"SELECT CAST(min({key}) AS BIGINT), CAST(max({key}) AS BIGINT) FROM {write.Target}", connection);
        await using var reader = await bounds.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0) ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    /// <summary>The live rows' conditions of one range per connection, each of whole buckets, so no bucket is cut in two.</summary>
    private static List<string> Ranges(TableWrite write, string key, long low, long high)
    {
        var (first, last) = (low >> 5, high >> 5);
        var step = Math.Max(1, (long)Math.Ceiling(((double)last - first + 1) / Connections));
        var ranges = new List<string>();
        for (var start = first; start <= last; start += step)
        {
            var from = start == first ? "" : $" AND {key} >= {(start * KeySummary.Width).ToString(CultureInfo.InvariantCulture)}";
            var to = start + step > last ? "" : $" AND {key} < {((start + step) * KeySummary.Width).ToString(CultureInfo.InvariantCulture)}";
            ranges.Add($"{write.LiveRows}{from}{to}");
        }

        return ranges;
    }

    /// <summary>Runs the <paramref name="selects"/> in parallel and copies their rows into <paramref name="into"/>.</summary>
    private static async Task CopyAsync(NpgsqlConnection connection, string into, IEnumerable<string> selects, CancellationToken cancellationToken)
    {
        // Npgsql's per-value async reads and writes cost ~1 CPU s for 5M keys' 156,250 rows; the
        // loops run synchronously on threads of their own instead, handing over batches of rows.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var batches = new BlockingCollection<long[]>(boundedCapacity: 16);
        var producers = selects.Select(select => Blocking(() => Read(connection, select, batches, stop.Token), stop.Token)).ToList();
        var produced = Task.WhenAll(producers).ContinueWith(_ => batches.CompleteAdding(), TaskScheduler.Default);
        try
        {
            await using var stream = await connection.BeginRawBinaryCopyAsync(
                $"COPY {into} ({KeySummary.BucketColumn}, {KeySummary.BitsColumn}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            await using var copy = new BinaryCopyWriter(stream);
            await Blocking(() => Write(copy, batches, stop.Token), stop.Token);
            await copy.CompleteAsync(cancellationToken);
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

        // A failed range (its error, not the cancellation it caused elsewhere).
        await Task.WhenAll(producers);
    }

    private const int BatchRows = 4096;

    /// <summary>
    /// Runs a loop that blocks on I/O on a thread of its own: on pool threads, two such loops
    /// beside the run's own work starved the pool (2 cores: the second range waited 0.5 s for a thread).
    /// </summary>
    private static Task Blocking(Action loop, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(loop, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>One range's summary, on a connection of its own (the load's settings and credentials), in batches of (bucket, bits) pairs.</summary>
    private static void Read(NpgsqlConnection like, string select, BlockingCollection<long[]> batches, CancellationToken cancellationToken)
    {
        using var connection = (NpgsqlConnection)((ICloneable)like).Clone();
        connection.Open();
        // In memory, and without JIT, which costs more than it saves on this aggregate (PostgresSource.KeySummary).
        using (var settings = new NpgsqlCommand("SET work_mem = '32MB'; SET jit = off", connection))
        {
            settings.ExecuteNonQuery();
        }

        using var exporter = connection.BeginBinaryExport($"COPY ({select}) TO STDOUT (FORMAT BINARY)");
        using var cancel = cancellationToken.Register(exporter.Cancel);
        var batch = new long[2 * BatchRows];
        var count = 0;
        while (exporter.StartRow() != -1)
        {
            batch[count++] = exporter.Read<long>(NpgsqlDbType.Bigint);
            batch[count++] = exporter.Read<long>(NpgsqlDbType.Bigint);
            if (count == batch.Length)
            {
                batches.Add(batch, cancellationToken);
                (batch, count) = (new long[2 * BatchRows], 0);
            }
        }

        if (count > 0)
        {
            batches.Add(batch[..count], cancellationToken);
        }
    }

    private static void Write(BinaryCopyWriter copy, BlockingCollection<long[]> batches, CancellationToken cancellationToken)
    {
        copy.WriteHeader();
        foreach (var batch in batches.GetConsumingEnumerable(cancellationToken))
        {
            for (var i = 0; i < batch.Length; i += 2)
            {
                copy.StartRow(2);
                copy.Int8(batch[i]);
                copy.Int8(batch[i + 1]);
            }
        }
    }
}
