using DuckDB.NET.Data;
using Wharf.DuckDb;

namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// A smaller memory limit for one scan of a whole table (an export). DuckDB keeps every block a
/// scan reads in its buffer pool until the memory limit pushes it out, so an export's peak grew
/// with the table up to the limit (255 MiB at 1M rows, 695 MiB at 20M under 512MB, to Parquet)
/// although the COPY itself holds a few row groups. Under <see cref="Budget"/> it stops growing
/// once the table outgrows the budget (198, 312 and 330 MiB at 1M, 10M and 20M rows), as fast or
/// faster from 10M rows (bench/README.md). The limit is DuckDB's, for the whole
/// database, so it is lowered only while no other warehouse in this process has the file open,
/// and a warehouse that opens it meanwhile puts the limit back first.
/// </summary>
internal static class LeanScans
{
    /// <summary>The memory limit during a lean scan: the scan's blocks, a row group per thread and the writer's buffers fit.</summary>
    public const string Budget = "192MB";

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, FileUse> Files = new(StringComparer.Ordinal);

    /// <summary>Counts a warehouse opening <paramref name="path"/>; a lean scan under way gets the full limit back first. Dispose when the warehouse closes.</summary>
    public static IDisposable Opened(string path, DuckDBConnection connection)
    {
        var key = Path.GetFullPath(path);
        lock (Gate)
        {
            var use = Files.TryGetValue(key, out var found) ? found : Files[key] = new FileUse();
            use.Open++;
            use.Restore(connection);
        }

        return new Release(() =>
        {
            lock (Gate)
            {
                if (Files.TryGetValue(key, out var use) && --use.Open == 0)
                {
                    Files.Remove(key);
                }
            }
        });
    }

    /// <summary>
    /// Lowers the memory limit to <see cref="Budget"/> until disposed, when this warehouse is the
    /// only one in the process on <paramref name="path"/> and its limit is higher; otherwise changes nothing and returns null.
    /// </summary>
    /// <param name="limit">The warehouse's own limit, put back when the scan ends.</param>
    public static IDisposable? Begin(string path, DuckDBConnection connection, string limit)
    {
        var key = Path.GetFullPath(path);
        lock (Gate)
        {
            if (!Files.TryGetValue(key, out var use) || use.Open != 1 || use.Lowered is not null
                || DuckDbLimits.Bytes(limit) <= DuckDbLimits.Bytes(Budget))
            {
                return null;
            }

            try
            {
                connection.Execute($"SET memory_limit = {Quote.Literal(Budget)}");
            }
            catch (DuckDbException)
            {
                // DuckDB could not free enough to go under the budget: the scan runs under the full limit.
                return null;
            }

            use.Lowered = limit;
            return new Release(() =>
            {
                lock (Gate)
                {
                    use.Restore(connection);
                }
            });
        }
    }

    private sealed class FileUse
    {
        public int Open;

        /// <summary>The limit to put back while a lean scan runs, else null.</summary>
        public string? Lowered;

        public void Restore(DuckDBConnection connection)
        {
            if (Lowered is { } limit)
            {
                connection.Execute($"SET memory_limit = {Quote.Literal(limit)}");
                Lowered = null;
            }
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private Action? pending = release;

        public void Dispose() => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}
