using DuckDB.NET.Data;
using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

/// <summary>
/// A <see cref="DuckDbRowFunction"/> feeds DuckDB's queries from rows .NET reads: each query reads
/// on from where the last stopped, up to its limit, and a source's failure comes out as itself.
/// </summary>
public sealed class DuckDbRowFunctionTests : IDisposable
{
    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public void Dispose() => connection.Dispose();

    /// <summary>Rows (id, name): the name is NULL for every third id, and longer than DuckDB inlines (12 bytes) otherwise.</summary>
    private sealed class Numbers(long count, long? failAt = null) : IRowSource
    {
        private long id = -1;

        public bool MoveNext() => ++id < count;

        public void Write(DuckDbChunkRows rows)
        {
            if (id == failAt)
            {
                throw new InvalidCastException($"row {id} is bad");
            }

            rows.WriteRow([id, id % 3 == 0 ? null : $"a longer name {id}"]);
        }
    }

    private DuckDbRowFunction Register() => DuckDbRowFunction.Register(connection, "numbers", [("id", "BIGINT"), ("name", "VARCHAR")]);

    private string Summary() =>
        (string)connection.Scalar($"SELECT format('{{}} {{}} {{}} {{}}', count(*), sum(id), count(name), count(*) FILTER (WHERE (name IS NULL) <> (id % 3 = 0) OR name <> 'a longer name ' || id)) FROM numbers()")!;

    [Fact]
    public void Queries_ReadTheRowsOnFromWhereTheLastStopped_UpToEachLimit()
    {
        using var rows = Register();
        rows.Start(new Numbers(5_000));

        rows.Next(2_100, TestContext.Current.CancellationToken);
        Summary().ShouldBe($"2100 {Enumerable.Range(0, 2_100).Sum()} 1400 0");
        rows.Rows.ShouldBe(2_100);
        rows.HasMore.ShouldBeTrue();

        rows.Next(10_000, TestContext.Current.CancellationToken);
        Summary().ShouldBe($"2900 {Enumerable.Range(2_100, 2_900).Sum()} 1933 0");
        rows.HasMore.ShouldBeFalse();
    }

    [Fact]
    public void Copy_ToParquet_WritesEveryRowAsTheSourceGaveIt()
    {
        using var rows = Register();
        rows.Start(new Numbers(10_007));
        rows.Next(long.MaxValue, TestContext.Current.CancellationToken);
        var file = Path.Combine(Path.GetTempPath(), $"wharf-rows-{Guid.NewGuid():N}.parquet");
        try
        {
            connection.Execute($"COPY (SELECT * FROM numbers()) TO '{file}' (FORMAT parquet)").ShouldBe(10_007);
            connection.Scalar($"SELECT format('{{}} {{}} {{}}', count(*), sum(id), count(name)) FROM read_parquet('{file}')").ShouldBe("10007 50065021 6671");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ASourceThatThrows_FailsTheQuery_AndItsOwnExceptionComesOutOfThrowIfSourceFailed()
    {
        using var rows = Register();
        rows.Start(new Numbers(5_000, failAt: 3_000));
        rows.Next(long.MaxValue, TestContext.Current.CancellationToken);

        Should.Throw<DuckDbException>(() => connection.Execute("SELECT count(*) FROM numbers()")).Message.ShouldContain("row 3000 is bad");
        Should.Throw<InvalidCastException>(rows.ThrowIfSourceFailed).Message.ShouldBe("row 3000 is bad");
    }

    [Fact]
    public void ACancelledRead_FailsWithOperationCanceled()
    {
        using var rows = Register();
        rows.Start(new Numbers(5_000));
        rows.Next(long.MaxValue, new CancellationToken(canceled: true));

        Should.Throw<DuckDbException>(() => connection.Execute("SELECT count(*) FROM numbers()"));
        Should.Throw<OperationCanceledException>(rows.ThrowIfSourceFailed);
    }

    [Fact]
    public void Register_AColumnOfATypeRowsAreNotWrittenTo_IsRefusedNamingIt()
    {
        Should.Throw<NotSupportedException>(() => DuckDbRowFunction.Register(connection, "money", [("id", "BIGINT"), ("amount", "DECIMAL(12,2)")]))
            .Message.ShouldContain("amount");
    }
}
