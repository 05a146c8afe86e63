namespace Wharf.Tests.Cli;

/// <summary>CSV dialect options, TSV and JSON arrays, end to end.</summary>
public sealed class FileFormatTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task Csv_WithSemicolonsDayFirstDatesAndNullStrings_LoadsAsDeclared()
    {
        project.Write("data/export.txt", "code;amount;day\nA;1,5;31/12/2024\nNA;NA;01/02/2025\n").WithPipelines("""
              export:
                source: local
                files: "export.txt"
                format: csv
                csv: { delimiter: ";", null: ["NA"], date_format: "%d/%m/%Y" }
            """);
        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Scalar("select day from export where code = 'A'").ShouldBe(new DateOnly(2024, 12, 31));
        project.Scalar("select day from export where code is null").ShouldBe(new DateOnly(2025, 2, 1));
        project.Scalar("select amount from export where code = 'A'").ShouldBe("1,5");
        project.Scalar("select count(*) from export where amount is null").ShouldBe(1L);
    }

    [Fact]
    public async Task Csv_DatesThatNeverSayDayOrMonthFirst_AreRefused_UntilTheFormatIsSet_WhileProvenOnesLoad()
    {
        // b.csv proves month first (02/13), c.csv day first (13/02, late in the file); a.csv is 01/02 only,
        // which DuckDB would read as 1 February although its neighbour b.csv means 2 January.
        var late = string.Concat(Enumerable.Range(3, 3000).Select(i => $"{i},01/02/2024\n"));
        project.Write("data/proven/d.csv", "id,day\n20,01/01/2024\n21,05/05/2024\n"); // the same date either way: nothing to ask
        project.Write("data/open/a.csv", "id,day\n1,01/02/2024\n2,03/04/2024\n")
            .Write("data/open/b.csv", "id,day\n10,01/02/2024\n11,02/13/2024\n")
            .Write("data/proven/b.csv", "id,day\n10,01/02/2024\n11,02/13/2024\n")
            .Write("data/proven/c.csv", "id,day\n" + late + "9999,13/02/2024\n")
            .WithPipelines("""
              proven: { source: local, files: "proven/*.csv", mode: replace }
              open: { source: local, files: "open/*.csv", mode: replace }
            """);

        var refused = await project.RunAsync("run");

        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Error.ShouldContain("open/a.csv, column 'day': dates such as '01/02/2024' read as day/month and as month/day give different dates");
        refused.Error.ShouldContain("Set csv: { date_format: \"%d/%m/%Y\" } (day first) or \"%m/%d/%Y\" (month first)");
        project.Scalar("select strftime(day, '%Y-%m-%d') from proven where id = 10").ShouldBe("2024-01-02");
        project.Scalar("select strftime(day, '%Y-%m-%d') from proven where id = 3").ShouldBe("2024-02-01");
        project.Scalar("select count(*) from information_schema.tables where table_name = 'open'").ShouldBe(0L);

        project.WithPipelines("""
              open: { source: local, files: "open/a.csv", mode: replace, csv: { date_format: "%m/%d/%Y" } }
            """);
        var set = await project.RunAsync("run");

        set.ExitCode.ShouldBe(0, set.ToString());
        project.Scalar("select strftime(day, '%Y-%m-%d') from open where id = 2").ShouldBe("2024-03-04");
    }

    [Fact]
    public async Task Csv_WithoutHeader_GetsGeneratedColumnNames()
    {
        project.Write("data/raw.csv", "1,a\n2,b\n").WithPipelines("""
              raw:
                source: local
                files: "raw.csv"
                csv: { header: false }
            """);
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        project.Scalar("select count(*) from raw").ShouldBe(2L);
        project.Scalar("select column1 from raw where column0 = 2").ShouldBe("b");
    }

    [Fact]
    public async Task EmptyFiles_AreSkippedWithANote_AndAddNoColumn()
    {
        project.Write("data/a.csv", "id,name\n1,a\n").Write("data/b.csv", "").Write("data/c.csv", "id,name\n3,c\n").Write("data/only/empty.csv", "").WithPipelines("""
              several: { source: local, files: "*.csv", mode: replace }
              lonely: { source: local, files: "only/*.csv", mode: append }
              replaced: { source: local, files: "only/*.csv", mode: replace }
            """);

        var result = await project.RunAsync("run", "--verbose");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.ToString().ShouldContain("every file it reads is empty (0 bytes: no header, no rows: only/empty.csv), and mode: replace would empty the table");
        project.Scalar("select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'several' and not starts_with(column_name, '_wharf')")
            .ShouldBe("id,name");
        project.Scalar("select count(*) from several").ShouldBe(2L);
        result.ToString().ShouldContain("skipped an empty file (0 bytes: no header, no rows): b.csv.");
        result.ToString().ShouldContain("skipped an empty file (0 bytes: no header, no rows): only/empty.csv.");
        project.Scalar("select status || ' ' || rows_loaded from _wharf.runs where pipeline = 'lonely'").ShouldBe("succeeded 0");
    }

    [Fact]
    public async Task TransformsAndChecks_NameColumnsAsTheSourceSpellsThem()
    {
        project.Write("data/sales.csv", "CamelCase,Order Date,Note\n1,2024-01-02,x\n2,2024-01-03,y\n").WithPipelines("""
              sales:
                source: local
                files: "sales.csv"
                transform:
                  - rename: { CamelCase: cc }
                  - exclude: ["Note"]
                checks:
                  - not_null: ["Order Date"]
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Scalar("select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'sales' and not starts_with(column_name, '_wharf')")
            .ShouldBe("cc,order_date");
        project.Scalar("select sum(cc)::bigint from sales").ShouldBe(3L);
    }

    [Fact]
    public async Task Tsv_ByExtension_SplitsOnTabs()
    {
        project.Write("data/t.tsv", "id\tnote\n1\thas, commas\n").WithPipelines("""
              t: { source: local, files: "t.tsv" }
            """);
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        project.Scalar("select note from t").ShouldBe("has, commas");
    }

    [Fact]
    public async Task JsonFile_OfOneObjectOrSeveral_PrettyPrinted_LoadsEachAsARow()
    {
        project.Write("data/one/config.json", "{\n  \"id\": 1,\n  \"name\": \"pretty\"\n}\n")
            .Write("data/many/items.json", "{\n  \"id\": 1,\n  \"name\": \"a\"\n}\n{\n  \"id\": 2,\n  \"name\": \"b\"\n}\n")
            .WithPipelines("""
              one: { source: local, files: "one/*.json" }
              many: { source: local, files: "many/*.json" }
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Scalar("select id || ' ' || name from one").ShouldBe("1 pretty");
        project.Scalar("select string_agg(id || ' ' || name, ', ' order by id) from many").ShouldBe("1 a, 2 b");
    }

    [Fact]
    public async Task JsonArray_LoadsEachObjectAsARow()
    {
        project.Write("data/items.json", """[{"id": 1, "tags": ["a"]}, {"id": 2, "tags": []}]""").WithPipelines("""
              items: { source: local, files: "items.json" }
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());
        project.Scalar("select count(*) from items").ShouldBe(2L);
        project.Scalar("select count(*) from items__tags t join items i on t._wharf_parent_id = i._wharf_id where i.id = 1").ShouldBe(1L);
    }

    [Fact]
    public async Task UnknownExtension_AsksForAFormat()
    {
        project.Write("data/x.dat", "1").WithPipelines("""
              x: { source: local, files: "x.dat" }
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("x.dat");
        result.Error.ShouldContain("format:");
    }
}
