using DuckDB.NET.Data;

namespace Wharf.Bench;

/// <summary>
/// Counts what a run wrote — the rows of a table in a DuckDB file and the rows of a Parquet file
/// or folder — so the benchmark never times a side that skipped part of the work.
/// </summary>
internal static class OutputCounter
{
    public static void Count(string databaseFile, string table, string parquet)
    {
        if (!File.Exists(databaseFile))
        {
            throw new BenchException($"--db {databaseFile} does not exist.");
        }

        using var connection = BenchDuckDb.Open(databaseFile, new Dictionary<string, string> { ["access_mode"] = "READ_ONLY" });
        var tableRows = connection.Scalar($"SELECT count(*) FROM {FindTable(connection, table)}");

        var pattern = Directory.Exists(parquet) ? Path.Combine(Path.GetFullPath(parquet), "**", "*.parquet") : Path.GetFullPath(parquet);
        var parquetRows = connection.Scalar($"SELECT count(*) FROM read_parquet({BenchDuckDb.Literal(pattern)})");
        Console.WriteLine($"{tableRows} {parquetRows}");
    }

    // Wharf chooses the schema; the table name is the pipeline's.
    private static string FindTable(DuckDBConnection connection, string table)
    {
        var found = new List<string>();
        using (var reader = connection.Query(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = $1 AND table_catalog = current_database() ORDER BY 1", table))
        {
            while (reader.Read())
            {
                found.Add(reader.GetString(0));
            }
        }

        return found.Count switch
        {
            1 => BenchDuckDb.Qualified(found[0], table),
            0 => throw new BenchException($"no table '{table}' in the database."),
            _ => throw new BenchException($"table '{table}' is in several schemas ({string.Join(", ", found)}); expected one."),
        };
    }
}
