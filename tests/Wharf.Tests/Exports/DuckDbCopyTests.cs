using Wharf.DuckDb;
using Wharf.Exports;
using Wharf.Projects;

namespace Wharf.Tests.Exports;

/// <summary>The COPY statements of exports: a whole table's rows are written as DuckDB's threads read them, in row groups sized to the row.</summary>
public sealed class DuckDbCopyTests
{
    [Fact]
    public void A_query_keeps_its_order_and_duckdbs_row_groups()
    {
        var statement = DuckDbCopy.Statement("SELECT * FROM t ORDER BY id", "/out/t.parquet", ExportFormat.Parquet, []);

        statement.ShouldBe("COPY (SELECT * FROM t ORDER BY id) TO '/out/t.parquet' (FORMAT parquet, COMPRESSION zstd)");
    }

    [Theory]
    [InlineData(180.9, 122_880)] // the orders of bench/: DuckDB's own row group
    [InlineData(2_462.5, 13_626)] // sixty 32-character texts: about 32 MiB a group
    [InlineData(1_000_000, 2_048)] // one huge value a row: never under a vector
    public void A_whole_tables_parquet_row_group_holds_about_32_MiB(double rowBytes, int rows)
    {
        var statement = DuckDbCopy.Statement("SELECT * FROM \"main\".\"t\"", "/out/t.parquet", ExportFormat.Parquet, [], rowBytes);

        statement.ShouldBe($"COPY (SELECT * FROM \"main\".\"t\") TO '/out/t.parquet' (FORMAT parquet, COMPRESSION zstd, PRESERVE_ORDER false, ROW_GROUP_SIZE {rows})");
    }

    [Fact]
    public void A_whole_tables_csv_has_no_order_to_keep()
    {
        DuckDbCopy.Statement("SELECT * FROM t", "/out/t.csv.gz", ExportFormat.CsvGz, [], 100)
            .ShouldBe("COPY (SELECT * FROM t) TO '/out/t.csv.gz' (FORMAT csv, HEADER true, COMPRESSION gzip, PRESERVE_ORDER false)");
    }

    [Fact]
    public void Formats_duckdb_does_not_write_have_no_statement()
    {
        foreach (var format in new[] { ExportFormat.Xlsx, ExportFormat.Html, ExportFormat.Markdown })
        {
            DuckDbCopy.Writes(format).ShouldBeFalse();
            DuckDbCopy.Statement("SELECT 1", "/out/x", format, []).ShouldBeNull();
        }
    }

    [Theory]
    [InlineData("512MB", 512_000_000)]
    [InlineData("192MB", 192_000_000)]
    [InlineData("2GiB", 2_147_483_648)]
    [InlineData("1.5 kb", 1_500)]
    [InlineData("300B", 300)]
    public void Memory_sizes_are_read_as_duckdb_reads_them(string size, double bytes) => DuckDbLimits.Bytes(size).ShouldBe(bytes);
}
