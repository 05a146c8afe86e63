using System.Diagnostics;
using System.Numerics;
using DuckDB.NET.Data;
using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

/// <summary><see cref="DuckDbCommands"/>: parameters bind with their types, queries stream, cancellation interrupts, errors are Wharf's.</summary>
public sealed class DuckDbCommandsTests : IDisposable
{
    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public DuckDbCommandsTests() => connection.Execute("SET TimeZone = 'UTC'");

    public void Dispose() => connection.Dispose();

    [Fact]
    public void Parameters_OfEachTypeWharfPasses_BindAsTheirDuckDbType()
    {
        object?[] values =
        [
            42L, 7, (short)-3, true, 3.5, 1.25m, -12345678901234567890.123456789m, "ünïcödé, longer than twelve bytes", "",
            new byte[] { 0, 255, 16 }, Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), new DateOnly(2024, 2, 29),
            new DateTime(2024, 1, 2, 3, 4, 5).AddTicks(10), new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(10),
            new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9_999_990)), (BigInteger)Int128.MaxValue, null,
        ];

        // One statement per value: DuckDB's text and type of the bound parameter.
        var bound = values.Select(v =>
        {
            using var reader = connection.Query("SELECT CAST($1 AS VARCHAR), typeof($1)", v);
            reader.Read().ShouldBeTrue();
            return $"{(reader.IsDBNull(0) ? "NULL" : reader.GetString(0))} {reader.GetString(1)}";
        });

        bound.ShouldBe([
            "42 BIGINT", "7 INTEGER", "-3 SMALLINT", "true BOOLEAN", "3.5 DOUBLE", "1.25 DECIMAL(3,2)", "-12345678901234567890.123456789 DECIMAL(29,9)",
            "ünïcödé, longer than twelve bytes VARCHAR", " VARCHAR", "\\x00\\xFF\\x10 BLOB", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 UUID",
            "2024-02-29 DATE", "2024-01-02 03:04:05.000001 TIMESTAMP", "2026-01-02 01:04:05.000001+00 TIMESTAMP WITH TIME ZONE",
            "23:59:59.999999 TIME", "170141183460469231731687303715884105727 HUGEINT", "NULL \"NULL\"",
        ]);
    }

    [Fact]
    public void Execute_WithParameters_ChangesTheRowsTheyName()
    {
        connection.Execute("CREATE TABLE runs (pipeline VARCHAR, stream VARCHAR, updated_at TIMESTAMPTZ)");
        connection.Execute("INSERT INTO runs VALUES ($1, $2, $3), ($1, 'other', $3)", "p", "s", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)).ShouldBe(2);

        connection.Execute("DELETE FROM runs WHERE pipeline = $1 AND stream = $2", "p", "s").ShouldBe(1);
        connection.Scalar("SELECT count(*) FROM runs WHERE $1 IS NULL OR pipeline = $1", [null]).ShouldBe(1L);
        connection.Scalar("SELECT CAST(updated_at AS VARCHAR) FROM runs WHERE pipeline = $1", "p").ShouldBe("2026-01-02 03:04:05+00");
    }

    [Fact]
    public void Scalar_OfABlob_IsItsBytes_StillReadableAfterMoreQueries()
    {
        var value = connection.Scalar("SELECT CAST(repeat('ab', 5000) AS BLOB)");
        connection.Execute("CREATE TABLE t AS SELECT CAST(repeat('zz', 5000) AS BLOB) AS b FROM range(2000)");

        var bytes = value.ShouldBeOfType<byte[]>();
        bytes.Length.ShouldBe(10_000);
        bytes.Where((b, i) => b != (i % 2 == 0 ? 'a' : 'b')).ShouldBeEmpty();
    }

    [Fact]
    public void Query_OfAMillionRows_StreamsThemWithoutHoldingTheResult()
    {
        // Materialized, the result would hold ~500 MB of text (measured: +510 MiB without streaming, +56 MiB with it).
        var before = ResidentBytes();
        long rows = 0, sum = 0, grown = 0;
        using (var reader = connection.Query("SELECT i, repeat('x', 500) || i AS padding FROM range(1000000) t(i)"))
        {
            while (reader.Read())
            {
                sum += reader.GetInt64(0);
                if (rows++ % 100_000 == 0)
                {
                    grown = Math.Max(grown, ResidentBytes() - before);
                }
            }
        }

        rows.ShouldBe(1_000_000);
        sum.ShouldBe(499_999_500_000);
        (grown / (1024 * 1024)).ShouldBeLessThan(200, "resident memory grew while the rows streamed (MiB)");
    }

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    [Fact]
    public async Task ExecuteAsync_WhenCancelled_InterruptsTheQueryWithinASecond()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Should.ThrowAsync<OperationCanceledException>(() =>
            connection.ExecuteAsync("SELECT count(*) FROM range(10000000000) a, range(1000) b", cancellation.Token));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromMilliseconds(1200));
        connection.Scalar("SELECT 1").ShouldBe(1);
    }

    [Fact]
    public async Task ExecuteAsync_AlreadyCancelled_RunsNothing()
    {
        connection.Execute("CREATE TABLE t (v INTEGER)");

        await Should.ThrowAsync<OperationCanceledException>(() => connection.ExecuteAsync("INSERT INTO t VALUES (1)", new CancellationToken(canceled: true)));

        connection.Scalar("SELECT count(*) FROM t").ShouldBe(0L);
    }

    [Fact]
    public void Errors_AreDuckDbExceptions_WithTheStatementAndAOneLineSummary()
    {
        var error = Should.Throw<DuckDbException>(() => connection.Execute("SELECT * FROM no_such_table"));

        error.Message.ShouldContain("no_such_table");
        error.Sql.ShouldBe("SELECT * FROM no_such_table");
        error.InnerException.ShouldBeOfType<DuckDBException>();
        error.Summary.ShouldStartWith("Catalog Error: Table with name no_such_table does not exist!");
        error.Summary.ShouldNotContain("\n");
        error.Summary.ShouldNotContain("LINE 1");
    }

    [Fact]
    public void Errors_FromQueryAndScalar_AreDuckDbExceptionsToo()
    {
        Should.Throw<DuckDbException>(() => connection.Query("selec 1")).Summary.ShouldContain("syntax error");
        Should.Throw<DuckDbException>(() => connection.Scalar("SELECT CAST('abc' AS INTEGER)")).Summary
            .ShouldBe("Conversion Error: Could not convert string 'abc' to INT32.");
    }

    [Theory]
    [InlineData("Conversion Error: Could not convert string 'abc' to INT32\n\nLINE 1: select 'abc'::int\n                    ^", "Conversion Error: Could not convert string 'abc' to INT32.")]
    [InlineData("Invalid Input Error: CSV Error on Line: 3\nValue with unterminated quote found.\n\nPossible fixes:\n* Enable ignore errors", "Invalid Input Error: CSV Error on Line: 3; Value with unterminated quote found.")]
    [InlineData("Binder Error: Referenced column \"x\" not found in FROM clause\nCandidate bindings: \"y\"\nLINE 1: select x from t", "Binder Error: Referenced column \"x\" not found in FROM clause; Candidate bindings: \"y\".")]
    [InlineData("IO Error: No files found that match the pattern \"a.csv\".", "IO Error: No files found that match the pattern \"a.csv\".")]
    public void Condense_KeepsDuckDbsFirstLinesAsOne(string message, string summary) =>
        DuckDbException.Condense(message).ShouldBe(summary);

    [Fact]
    public void Out_of_memory_is_told_apart_from_other_errors_however_it_is_wrapped()
    {
        connection.Execute("SET memory_limit = '20MB'");
        var outOfMemory = Should.Throw<DuckDbException>(() => connection.Scalar("SELECT length(list(i)) FROM range(20000000) AS t(i)"));
        connection.Execute("SET memory_limit = '512MB'");
        var other = Should.Throw<DuckDbException>(() => connection.Scalar("SELECT no_such_column FROM range(1)"));

        DuckDbException.IsOutOfMemory(outOfMemory).ShouldBeTrue(outOfMemory.Message);
        DuckDbException.IsOutOfMemory(new WharfException("Loading failed.", outOfMemory)).ShouldBeTrue();
        DuckDbException.IsOutOfMemory(other).ShouldBeFalse();
        DuckDbException.IsOutOfMemory(new IOException("disk full")).ShouldBeFalse();
    }
}
