namespace Wharf.Tests.Cli;

/// <summary>mode: merge on the DuckDB warehouse: upsert by key, idempotent, last version wins.</summary>
public sealed class MergeTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private TempProject Customers(string csv) => project.Write("data/c.csv", csv).WithPipelines("""
          customers:
            source: local
            files: "c.csv"
            mode: merge
            primary_key: [CustomerID]
        """);

    [Fact]
    public async Task Merge_InsertsNewKeysAndUpdatesExistingOnes()
    {
        (await Customers("CustomerID,Name\n1,Ana\n2,Bo\n").RunAsync("run")).ExitCode.ShouldBe(0);
        var second = await Customers("CustomerID,Name\n2,Bo Updated\n3,Cy\n").RunAsync("run");

        second.ExitCode.ShouldBe(0, second.ToString());
        project.Scalar("select count(*) from customers").ShouldBe(3L);
        project.Scalar("select name from customers where customer_id = 2").ShouldBe("Bo Updated");
        project.Scalar("select name from customers where customer_id = 1").ShouldBe("Ana");
    }

    [Fact]
    public async Task Merge_SameDataTwice_ChangesNothing()
    {
        Customers("CustomerID,Name\n1,Ana\n2,Bo\n");
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        var before = project.Scalar("select string_agg(customer_id || name, ',' order by customer_id) from customers");
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        project.Scalar("select string_agg(customer_id || name, ',' order by customer_id) from customers").ShouldBe(before);
        project.Scalar("select count(*) from customers").ShouldBe(2L);
    }

    [Fact]
    public async Task Merge_KeyTwiceInOneExtract_KeepsTheLastVersion()
    {
        (await Customers("CustomerID,Name\n1,first\n1,second\n1,third\n").RunAsync("run")).ExitCode.ShouldBe(0);
        project.Scalar("select count(*) from customers").ShouldBe(1L);
        project.Scalar("select name from customers").ShouldBe("third");
    }

    [Fact]
    public async Task Merge_NullKey_FailsAndLoadsNothing()
    {
        (await Customers("CustomerID,Name\n1,Ana\n").RunAsync("run")).ExitCode.ShouldBe(0);
        var result = await Customers("CustomerID,Name\n,nobody\n2,Bo\n").RunAsync("run");
        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("NULL in the primary key");
        project.Scalar("select count(*) from customers").ShouldBe(1L);
    }

    [Fact]
    public async Task Merge_WithoutAPrimaryKey_IsAConfigurationError()
    {
        project.Write("data/c.csv", "id\n1\n").WithPipelines("""
              c: { source: local, files: "c.csv", mode: merge }
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("primary_key");
    }

    [Fact]
    public async Task Merge_UnknownKeyColumn_SaysWhichColumnsExist()
    {
        project.Write("data/c.csv", "id,name\n1,a\n").WithPipelines("""
              c: { source: local, files: "c.csv", mode: merge, primary_key: [nope] }
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("'nope' is not among the columns");
    }
}
