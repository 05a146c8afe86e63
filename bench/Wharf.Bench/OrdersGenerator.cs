using System.Diagnostics;
using DuckDB.NET.Data;

namespace Wharf.Bench;

/// <summary>
/// Writes the benchmark's <c>orders</c> table as CSV and NDJSON. DuckDB computes every value
/// from the row number with <c>hash()</c>, so the files are the same bytes for the same row
/// count and DuckDB version, and 5M rows take seconds rather than minutes.
/// </summary>
internal static class OrdersGenerator
{
    // Notes carry the CSV traps a real export has: commas, doubled quotes, apostrophes,
    // non-ASCII text, empty strings (written "") and NULLs (written as nothing).
    private const string Phrases = """
        ['Leave at the door, ring twice', 'Customer wrote: "please hurry"', 'Call before delivery',
         'Gift wrap, card says "Happy birthday, Anna!"', 'Fragile', 'Deliver to the back entrance',
         'Café order — "bio" only', 'Second attempt, first one failed', 'Invoice to O''Brien & Sons',
         'Use the "express" lane', 'No plastic bags', 'Paid by card, receipt requested']
        """;

    private const string FirstNames = """
        ['Anna', 'Ben', 'Chloé', 'David', 'Emma', 'Farid', 'Grace', 'Hugo', 'Inès', 'Jonas', 'Kenji', 'Lena',
         'Mateo', 'Nora', 'Omar', 'Paula', 'Quentin', 'Rosa', 'Sven', 'Tara', 'Uma', 'Victor', 'Wen', 'Yara']
        """;

    private const string LastNames = """
        ['Smith', 'Müller', 'O''Brien', 'García', 'Dubois', 'Rossi', 'Nowak', 'Jensen', 'Kim', 'Silva',
         'Novak', 'Ivanova', 'Tanaka', 'Murphy', 'Schmidt', 'Lopez', 'Martin', 'Bernard', 'Costa', 'Horvat',
         'Smith, Jr.', 'Nguyen', 'Ahmed', 'Larsen', 'de la Cruz', 'van Dijk', 'Fischer', 'Moreau', 'Kowalski', 'Berg']
        """;

    private const string Countries = """
        ['FR', 'DE', 'US', 'GB', 'ES', 'IT', 'NL', 'BE', 'PL', 'SE', 'DK', 'PT', 'IE', 'AT', 'CH', 'CA', 'JP', 'BR', 'IN', 'AU']
        """;

    private const string Statuses = "['pending', 'paid', 'shipped', 'delivered', 'delivered', 'delivered', 'cancelled', 'refunded']";

    public static void Generate(long rows, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var csv = Path.GetFullPath(Path.Combine(outputDirectory, "orders.csv"));
        var ndjson = Path.GetFullPath(Path.Combine(outputDirectory, "orders.ndjson"));
        var clock = Stopwatch.StartNew();

        using var connection = BenchDuckDb.Open(null);
        // Single-file COPY keeps the query's row order only while insertion order is preserved (the default); say so anyway.
        connection.Execute("SET preserve_insertion_order = true");
        connection.Execute(
            $$"""
            CREATE MACRO pick(list, i, salt) AS list[1 + (hash(i, salt) % len(list))::BIGINT];
            CREATE MACRO rnd(i, salt, n) AS (hash(i, salt) % n)::BIGINT;
            CREATE VIEW orders AS
            SELECT
                i + 1 AS id,
                c AS customer_id,
                CASE WHEN c % 97 = 0 THEN NULL
                     ELSE {{FirstNames}}[1 + c % 24] || ' ' || {{LastNames}}[1 + (c // 24) % 30] END AS customer_name,
                created_at,
                pick({{Statuses}}, i, 3) AS status,
                CASE WHEN rnd(i, 4, 200) = 0 THEN NULL
                     ELSE (rnd(i, 5, 100000) * 0.01 + rnd(i, 6, 1000))::DECIMAL(12, 2) END AS amount,
                (1 + rnd(i, 7, 12))::INTEGER AS quantity,
                pick({{Countries}}, i, 8) AS country,
                CASE WHEN rnd(i, 9, 10) < 2 THEN NULL
                     WHEN rnd(i, 9, 10) = 2 THEN ''
                     WHEN rnd(i, 9, 10) < 6 THEN pick({{Phrases}}, i, 10)
                     ELSE pick({{Phrases}}, i, 10) || ', ' || pick({{Phrases}}, i, 11) || ' (order ' || (i + 1) || ')' END AS note,
                created_at + to_seconds(rnd(i, 12, 30 * 86400)) AS updated_at
            FROM (
                SELECT range AS i,
                       1 + rnd(range, 1, 250000) AS c,
                       TIMESTAMP '2021-01-01 00:00:00' + to_seconds(range * 25 + rnd(range, 2, 25)) AS created_at
                FROM range({{rows}})
            );
            """);

        Copy(connection, csv, "FORMAT csv, HEADER true");
        Copy(connection, ndjson, "FORMAT json");
        Console.WriteLine(
            $"generated rows={rows} csv={csv} ({new FileInfo(csv).Length} bytes) ndjson={ndjson} ({new FileInfo(ndjson).Length} bytes) " +
            $"seconds={clock.Elapsed.TotalSeconds:F2} duckdb={BenchDuckDb.LibraryVersion}");
    }

    // Written under a temporary name and renamed, so an interrupted run never leaves a file that looks complete.
    private static void Copy(DuckDBConnection connection, string target, string options)
    {
        var partial = target + ".partial";
        File.Delete(partial);
        connection.Execute($"COPY orders TO {BenchDuckDb.Literal(partial)} ({options})");
        File.Move(partial, target, overwrite: true);
    }
}
