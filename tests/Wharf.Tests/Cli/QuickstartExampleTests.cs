namespace Wharf.Tests.Cli;

/// <summary>The README's first command, on a copy of examples/quickstart, so the docs cannot go stale.</summary>
public sealed class QuickstartExampleTests : IDisposable
{
    private readonly TempProject copy = new();

    public void Dispose() => copy.Dispose();

    [Fact]
    public async Task Quickstart_LoadsCsvNdjsonAndParquet()
    {
        var example = Path.Combine(RepositoryRoot(), "examples", "quickstart");
        foreach (var file in new[] { "wharf.yml", "data/customers.csv", "data/products.parquet", "data/orders/2026-11-01.ndjson", "data/orders/2026-11-02.ndjson", "data/orders/2026-11-03.ndjson" })
        {
            var target = Path.Combine(copy.Root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(example, file), target);
        }

        var result = await copy.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("Done: 1,913 rows in 4 table(s)");
        copy.Scalar("select count(*) from raw.customers").ShouldBe(120L);
        copy.Scalar("select count(*) from raw.orders").ShouldBe(499L);
        copy.Scalar("select count(*) from raw.products").ShouldBe(40L);
        copy.Scalar("select count(*) from raw.customers where email is null").ShouldBe(10L);
        copy.Scalar("select typeof(shipping__fee) from raw.orders limit 1").ShouldBe("DOUBLE");
        copy.Scalar("select count(*) from raw.orders__items").ShouldBe(1254L);
        copy.Scalar("select count(*) from raw.orders__items i left join raw.orders o on i._wharf_parent_id = o._wharf_id where o.order_id is null").ShouldBe(0L);
        copy.LakeFiles().Length.ShouldBe(4);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Wharf.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Wharf.slnx not found above the test binaries.");
    }
}
