using System.Diagnostics;

namespace Wharf.Bench;

/// <summary>
/// The baseline: what a user would do with DuckDB alone to get the same result as
/// <c>wharf run</c> — the CSV as a table in a database file, and a Parquet copy of it.
/// </summary>
internal static class DuckDbAlone
{
    public static void Run(string csv, string databaseFile, string parquet, string? threads)
    {
        if (!File.Exists(csv))
        {
            throw new BenchException($"--csv {csv} does not exist; run 'generate' first.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databaseFile))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(parquet))!);
        // A fresh database every time, as wharf's side starts from an empty project output.
        foreach (var stale in new[] { databaseFile, databaseFile + ".wal", parquet })
        {
            File.Delete(stale);
        }

        var settings = threads is null ? null : new Dictionary<string, string> { ["threads"] = threads };

        var clock = Stopwatch.StartNew();
        using var connection = BenchDuckDb.Open(databaseFile, settings);
        connection.Execute($"CREATE TABLE orders AS SELECT * FROM read_csv({BenchDuckDb.Literal(Path.GetFullPath(csv))})");
        var load = clock.Elapsed;
        connection.Execute($"COPY orders TO {BenchDuckDb.Literal(Path.GetFullPath(parquet))} (FORMAT parquet, COMPRESSION zstd)");
        var copy = clock.Elapsed - load;
        connection.Execute("CHECKPOINT");
        var seconds = clock.Elapsed.TotalSeconds;
        var rows = connection.Scalar("SELECT count(*) FROM orders");
        Console.WriteLine(
            $"duckdb-alone rows={rows} seconds={seconds:F2} " +
            $"(read_csv→table {load.TotalSeconds:F2}s, table→parquet {copy.TotalSeconds:F2}s) duckdb={BenchDuckDb.LibraryVersion}");
    }
}
