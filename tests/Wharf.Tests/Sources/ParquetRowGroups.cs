using DuckDB.NET.Data;
using Wharf.DuckDb;

namespace Wharf.Tests.Sources;

/// <summary>Checks of a lake file's Parquet row groups (LakeWriter.RowGroupBytes) and of its rows' order.</summary>
internal static class ParquetRowGroups
{
    /// <summary>
    /// The file holds <paramref name="rows"/> rows in more than one group, none over
    /// <paramref name="most"/> rows, every one but the last at least <paramref name="fewest"/>.
    /// </summary>
    public static void ShouldBeGroupsOf(DuckDBConnection connection, string file, long rows, int fewest, int most)
    {
        using var groups = connection.Query($"SELECT row_group_num_rows FROM parquet_metadata({Quote.Literal(file)}) WHERE column_id = 0 ORDER BY row_group_id");
        var sizes = new List<long>();
        while (groups.Read())
        {
            sizes.Add(groups.GetInt64(0));
        }

        sizes.Sum().ShouldBe(rows);
        sizes.Count.ShouldBeGreaterThan(1, $"groups of {string.Join(", ", sizes)}");
        sizes.ShouldAllBe(n => n <= most, $"groups of {string.Join(", ", sizes)}");
        sizes[..^1].ShouldAllBe(n => n >= fewest, $"groups of {string.Join(", ", sizes)}");
    }

    /// <summary>Every row's <c>id</c> is the one before it in the file plus one: the rows are in the order they were read.</summary>
    public static void ShouldKeepTheOrderRead(DuckDBConnection connection, string file) =>
        connection.Scalar($"SELECT count(*) FROM (SELECT id - lag(id) OVER (ORDER BY file_row_number) AS step FROM read_parquet({Quote.Literal(file)}, file_row_number = true)) WHERE step <> 1")
            .ShouldBe(0L, "every row follows the one read before it");
}
