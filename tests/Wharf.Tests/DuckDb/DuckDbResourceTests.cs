using System.Diagnostics;
using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

public sealed class DuckDbResourceTests
{
    [Fact]
    public void ManyQueriesAndConnections_DoNotLeakNativeMemory()
    {
        using var database = DuckDbDatabase.Open(null, new Dictionary<string, string> { ["threads"] = "1" });

        void Work(int times)
        {
            for (var i = 0; i < times; i++)
            {
                using var connection = database.Connect();
                using (var reader = connection.Query("select i, 'value ' || i, [i, i], {'a': i} from range(3000) t(i)"))
                {
                    while (reader.Read())
                    {
                        _ = reader.GetValue(1);
                    }
                }

                using var statement = connection.Prepare("select $1::varchar || 'more than twelve bytes'");
                statement.Bind(1, i);
                statement.ExecuteNonQuery();
                connection.Execute("create temp table t as select 1; drop table t;");
            }
        }

        // The first rounds grow the GC heap and DuckDB's allocator caches to their working size;
        // after that, a leaked result (~100 KB a round) would add well over 100 MiB.
        Work(1500);
        var before = Resident();
        Work(2000);
        var grownMiB = (Resident() - before) / (1024.0 * 1024.0);
        grownMiB.ShouldBeLessThan(24, $"resident memory grew {grownMiB:F1} MiB over 2,000 query rounds");
    }

    private static long Resident()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    [Fact]
    public void LibraryVersion_IsThePinnedOne()
    {
        DuckDbDatabase.LibraryVersion.ShouldStartWith("v1.5.");
    }
}
