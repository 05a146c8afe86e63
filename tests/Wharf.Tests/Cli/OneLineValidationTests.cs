namespace Wharf.Tests.Cli;

/// <summary>
/// Options of <c>wharf run --source</c> that cannot be, or do not go together: exit code 2, one
/// paragraph naming the option and what to do, and nothing written.
/// </summary>
public sealed class OneLineValidationTests : IDisposable
{
    private const string Secret = "hunter2-do-not-print";

    private readonly TempProject folder = new();

    public OneLineValidationTests()
    {
        folder.Write("data/orders.csv", "id,amount\n1,2\n").Write("shop.db", "");
    }

    public void Dispose() => folder.Dispose();

    public static TheoryData<string[], string> Cases => new()
    {
        { ["--source", "sqlite:shop.db"], "--source sqlite:shop.db is a database: say what to load with --tables GLOB... (e.g. --tables 'public.*') or --query SQL" },
        { ["--source", "data"], "--source data is a folder: say which of its files to load with --files GLOB" },
        { ["--source", "sqlite:shop.db", "--query", "select 1", "--tables", "t", "--table", "t"], "--query and --tables cannot go together" },
        { ["--source", "data", "--files", "*.csv", "--query", "select 1"], "--query and --files cannot go together" },
        { ["--source", $"postgres://etl:{Secret}@db.example/shop", "--files", "*.csv"], "--files picks files in a folder, and --source postgres://etl@db.example:5432/shop is a postgres database" },
        { ["--source", "data/orders.csv", "--mode", "merge"], "--mode merge upserts rows by key, and files have none: add --primary-key COLUMN" },
        { ["--source", "sqlite:shop.db", "--query", "select 1 as id", "--table", "t", "--mode", "scd2"], "--mode scd2 keeps each row's history by key, and a query has none: add --primary-key" },
        { ["--source", $"mysql://etl:{Secret}@db.example/shop", "--tables", "*"], "--source mysql://etl:***@db.example/shop: Wharf cannot read 'mysql:' sources" },
        { ["--source", "s3://bucket/orders/*.csv"], "Wharf cannot read 's3:' sources" },
        { ["--source", "sqlite:shop.db", "--query", "select 1"], "--query needs --table NAME" },
        { ["--source", "sqlite:shop.db", "--tables", "*", "--table", "t"], "--tables keeps each source table's name" },
        { ["--source", "data/orders.csv", "--query", "select 1", "--table", "t"], "--query reads a database, and --source data/orders.csv is a file path" },
        { ["--source", "data/*.csv", "--files", "orders.csv"], "--source data/*.csv already names files with a glob" },
        { ["--source", "data/orders.csv", "--files", "*.csv"], "--files picks files in the folder --source names, and data/orders.csv is a file" },
        { ["--source", "shop.db", "--tables", "*"], "--tables reads a database, and --source shop.db is a file path" },
        { ["--source", "shop.db"], "--source shop.db looks like a SQLite database: write --source sqlite:shop.db" },
        { ["--source", "data/orders.csv", "--mode", "upsert"], "--mode must be append, replace, merge or scd2, not 'upsert'." },
        { ["--source", "data/orders.csv", "--table", "2024-orders"], "--table '2024-orders' can only hold letters, digits and underscores and must not start with a digit" },
        { ["--source", "data/orders.csv", "--schema", "raw data"], "--schema 'raw data' can only hold letters" },
        { ["--source", "data/orders.csv", "--cursor", "id", "--mode", "replace"], "--mode replace rebuilds the table from a full extract, so with --cursor" },
        { ["--source", "data/orders.csv", "--warehouse", $"mysql://etl:{Secret}@db/dw"], "--warehouse must be duckdb:FILE (a DuckDB database file) or postgres://user@host:5432/database, not 'mysql://etl:***@db/dw'" },
        { ["--source", "data/orders.csv", "--warehouse", $"postgres://etl:{Secret}@db:99999/dw"], "--warehouse postgres://etl:***@db:99999/dw is not a PostgreSQL URL Wharf can use" },
        { ["--source", $"postgres://etl:{Secret}@db/shop?password={Secret}&flavour=x", "--tables", "*"], "has the parameter 'flavour', which Wharf does not understand" },
        { ["--source", "data/orders.csv", "--lake", "s3://bucket/lake"], "--lake must be a local folder" },
        { ["--source", "sqlite:", "--tables", "*"], "--source sqlite: needs the database file" },
        { ["orders", "--source", "data/orders.csv"], "--source runs the one pipeline its options describe, so it takes no pipeline names (got 'orders')" },
        { ["--table", "orders"], "--table is for a run without a project file: add --source URL_OR_PATH, or set it in wharf.yml." },
        { ["--mode", "merge", "--primary-key", "id"], "--mode is for a run without a project file" },
        { [$"postgres://etl:{Secret}@db/shop", "--query", "select 1"], "'postgres://etl:***@db/shop' is a source, not a pipeline name: pass it as --source" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadOptions_ExitWith2_NameTheOption_AndWriteNothing(string[] args, string message)
    {
        var before = Entries();

        var result = await folder.RunAsync(["run", .. args]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldStartWith("error: ");
        result.Error.ShouldContain(message, Case.Sensitive, result.ToString());
        (result.Output + result.Error).ShouldNotContain(Secret);
        Entries().ShouldBe(before, "nothing is created for a run that cannot start");
    }

    [Fact]
    public async Task Source_InAFolderWithAProjectFile_IsRejected_AsThePipelinesThereWouldNotRun()
    {
        folder.WithPipelines("  orders: { source: local, files: orders.csv }\n");

        var result = await folder.RunAsync("run", "--source", "data/orders.csv");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("--source runs without a project file, but");
        result.Error.ShouldContain("wharf.yml declares this folder's pipelines");
        File.Exists(folder.Warehouse).ShouldBeFalse();
    }

    [Fact]
    public async Task UnquotedGlob_ExpandedByTheShell_IsExplained()
    {
        folder.Write("data/more.csv", "id,amount\n2,3\n");

        var result = await folder.RunAsync("run", "--source", "data/more.csv", "data/orders.csv");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldContain("If your shell expanded a glob into several files, quote it");
    }

    private List<string> Entries() =>
        [.. Directory.EnumerateFileSystemEntries(folder.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}
