namespace Wharf.Bench;

/// <summary>
/// One value from DuckDB alone (an in-memory database), so a benchmark can compute what Wharf
/// should produce — e.g. how many rows a check must set aside — without going through Wharf.
/// </summary>
internal static class ScalarQuery
{
    public static void Run(string sql)
    {
        using var connection = BenchDuckDb.Open(null);
        Console.WriteLine(Convert.ToString(connection.Scalar(sql), System.Globalization.CultureInfo.InvariantCulture));
    }
}
