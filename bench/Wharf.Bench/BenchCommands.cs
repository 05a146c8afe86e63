using DuckDB.NET.Data;

namespace Wharf.Bench;

/// <summary>Dispatches the bench tool's commands; exit code 0 on success, 2 on bad usage, 1 on failure.</summary>
internal static class BenchCommands
{
    private const string Usage = """
        usage:
          Wharf.Bench generate --rows N --out DIR
              writes DIR/orders.csv and DIR/orders.ndjson (same bytes for the same N and DuckDB version)
          Wharf.Bench duckdb-alone --csv FILE --db FILE --parquet FILE [--threads N]
              DuckDB alone: CREATE TABLE orders AS SELECT * FROM read_csv(FILE); COPY orders TO FILE (parquet, zstd)
          Wharf.Bench count --db FILE --table NAME --parquet FILE|DIR
              prints the rows of table NAME (in whichever schema) and of the Parquet file(s), space-separated
          Wharf.Bench scalar --sql SQL
              prints the first value of SQL's first row, run by DuckDB alone (an in-memory database)
          Wharf.Bench sql --db FILE --file SQLFILE
              runs the statements of SQLFILE on the DuckDB database FILE, DuckDB alone
          Wharf.Bench xlsx --rows N --out FILE
              writes an .xlsx of N order rows (id, customer_id, amount, created_at, status), streamed
          Wharf.Bench read-xlsx --file FILE
              reads every cell of FILE's first sheet with ExcelDataReader; prints the rows under the header
          Wharf.Bench version
              prints the DuckDB library version
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = BenchArguments.Parse(args.AsSpan(1));
            switch (args[0])
            {
                case "xlsx":
                    ExcelBench.Write(options.RequireLong("rows"), options.Require("out"));
                    return 0;
                case "read-xlsx":
                    Console.WriteLine(ExcelBench.Read(options.Require("file")));
                    return 0;
                case "generate":
                    OrdersGenerator.Generate(options.RequireLong("rows"), options.Require("out"));
                    return 0;
                case "duckdb-alone":
                    DuckDbAlone.Run(options.Require("csv"), options.Require("db"), options.Require("parquet"), options.Optional("threads"));
                    return 0;
                case "count":
                    OutputCounter.Count(options.Require("db"), options.Require("table"), options.Require("parquet"));
                    return 0;
                case "scalar":
                    ScalarQuery.Run(options.Require("sql"));
                    return 0;
                case "sql":
                    SqlScript.Run(options.Require("db"), options.Require("file"));
                    return 0;
                case "version":
                    Console.WriteLine(BenchDuckDb.LibraryVersion);
                    return 0;
                default:
                    throw new BenchUsageException($"unknown command '{args[0]}'.");
            }
        }
        catch (BenchUsageException ex)
        {
            Console.Error.WriteLine($"Wharf.Bench: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception ex) when (ex is BenchException or DuckDBException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Wharf.Bench: {ex.Message}");
            return 1;
        }
    }
}
