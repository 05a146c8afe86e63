namespace Wharf.Bench;

/// <summary>
/// Runs a file of SQL statements on a DuckDB database file, DuckDB alone: the baseline a user would
/// run by hand instead of <c>wharf build</c> or <c>wharf export</c>.
/// </summary>
internal static class SqlScript
{
    public static void Run(string database, string file)
    {
        if (!File.Exists(file))
        {
            throw new BenchUsageException($"--file {file} does not exist.");
        }

        using var connection = BenchDuckDb.Open(database);
        connection.Execute(File.ReadAllText(file));
    }
}
