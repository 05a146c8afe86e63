using System.Diagnostics;
using Wharf.DuckDb;

namespace Wharf.IntegrationTests.Sources;

/// <summary>A DuckDB database file made by a test: written with SQL, read back as text, locked by another process.</summary>
internal static class DuckDbFile
{
    /// <summary>Runs SQL on the file (created if missing), then closes it, so a run can attach it read-only.</summary>
    public static void Execute(string path, string sql)
    {
        using var connection = DuckDbConnections.Open(path);
        connection.Execute(sql);
    }

    /// <summary>Every row of a query, each row's values as text joined by '|', NULL as ∅.</summary>
    public static List<string> Rows(string path, string sql)
    {
        using var connection = DuckDbConnections.Open(path);
        connection.Execute("SET TimeZone = 'UTC'");
        using var reader = connection.Query(sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>
    /// Another process holding the file as a DuckDB writer does: an exclusive fcntl lock on the
    /// whole file (perl, part of every Debian system; the struct flock layout of x86-64 and arm64 Linux).
    /// It holds the lock for <paramref name="seconds"/>; this returns once the lock is taken.
    /// </summary>
    public static Process HoldWriteLock(string path, int seconds)
    {
        var start = new ProcessStartInfo("perl") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-e", "use Fcntl; open(my $f, '+<', $ARGV[0]) or die $!; my $l = pack('s s x4 q q i x4', F_WRLCK, 0, 0, 0, 0); fcntl($f, F_SETLK, $l) or die \"lock: $!\"; $| = 1; print \"locked\\n\"; sleep($ARGV[1]);", path, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.StandardOutput.ReadLine().ShouldBe("locked");
        return process;
    }
}
