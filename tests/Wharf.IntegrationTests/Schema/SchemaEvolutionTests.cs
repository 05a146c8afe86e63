using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Schema;

/// <summary>
/// Sources whose columns change between runs, on both warehouses: a new column is added (old rows
/// NULL), a type is widened (every value exact afterwards), a column gone from the source stays in
/// the table (new rows NULL); a change that would narrow or lose values fails before anything is
/// loaded, and leaves the table, the state and the audit of earlier runs as they were.
/// </summary>
public sealed class SchemaEvolutionTests(PostgresServer postgres)
{
    public static TheoryData<string, WarehouseUnderTest> Modes() => new()
    {
        { "append", WarehouseUnderTest.DuckDb },
        { "append", WarehouseUnderTest.Postgres },
        { "merge", WarehouseUnderTest.DuckDb },
        { "merge", WarehouseUnderTest.Postgres },
    };

    private static string Settings(string mode) => mode == "merge" ? "mode: merge\nprimary_key: [id]" : "mode: append";

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Csv_ThatGainsChangesAndDropsColumns_EvolvesTheTable_AndKeepsEveryValue(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv(Settings(mode));

        // Run 1: integers only.
        project.Csv("id,amount,name\n1,10,a\n2,20,b\n");
        var first = await project.RunAsync();

        // Run 2: a new column, and amount gets decimals.
        project.Csv("id,amount,name,note\n1,10.5,a2,x\n3,30.25,c,new\n");
        var second = await project.RunAsync();

        // Run 3: name is gone, amount has a finer scale.
        project.Csv("id,amount,note\n4,1.125,z\n");
        var third = await project.RunAsync();

        first.Notes.ShouldBeEmpty();
        second.Notes.ShouldContain("added column note (text)");
        second.Notes.ShouldContain(n => n.StartsWith("widened amount from int64 to decimal(", StringComparison.Ordinal));
        third.Notes.ShouldContain(n => n.StartsWith("widened amount from decimal(", StringComparison.Ordinal));
        (await project.ColumnsAsync()).ShouldBe(["id", "amount", "name", "note"]);
        (await project.TypeAsync("amount")).ShouldEndWith(",3)");
        (await project.TypeAsync("note")).ShouldBe("text");
        var rows = await project.RowsAsync("SELECT id, amount, name, note FROM raw.items ORDER BY id, amount");
        rows.ShouldBe(mode == "merge"
            ? ["1 | 10.5 | a2 | x", "2 | 20 | b | NULL", "3 | 30.25 | c | new", "4 | 1.125 | NULL | z"]
            : ["1 | 10 | a | NULL", "1 | 10.5 | a2 | x", "2 | 20 | b | NULL", "3 | 30.25 | c | new", "4 | 1.125 | NULL | z"]);
        (await project.AuditNotesAsync(second.RunId)).Notes.ShouldBe(string.Join('\n', second.Notes));
    }

    private const string SourceTable = """
        create table items (id int primary key, qty int, amount numeric(5,2), price int, name text);
        insert into items values (1, 5, 1.25, 10, 'a'), (2, -6, 999.99, 123456789, 'b');
        """;

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task PostgresTable_ThatGainsChangesAndDropsColumns_EvolvesTheTable_AndKeepsEveryValue(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse, SourceTable);
        project.ConfigureTable(Settings(mode));

        var first = await project.RunAsync();
        (await project.TypeAsync("qty")).ShouldBe("int32");
        (await project.TypeAsync("amount")).ShouldBe("decimal(5,2)");

        // Run 2: a new column; qty int → bigint with a value only bigint holds.
        await project.Project.ExecuteSourceAsync("""
            alter table items add column note text;
            alter table items alter column qty type bigint;
            insert into items values (3, 3000000000, 2.5, 30, 'c', 'new');
            update items set note = 'x' where id = 1;
            """);
        var second = await project.RunAsync();
        (await project.TypeAsync("qty")).ShouldBe("int64");
        (await project.TypeAsync("note")).ShouldBe("text");

        // Run 3: amount numeric(5,2) → numeric(8,4), price int → numeric(12,3) (the table needs 10 whole digits), name dropped.
        await project.Project.ExecuteSourceAsync("""
            alter table items alter column amount type numeric(8,4);
            alter table items alter column price type numeric(12,3);
            alter table items drop column name;
            insert into items values (4, 9, 1234.5678, 40.125, 'z');
            """);
        var third = await project.RunAsync();

        first.Notes.ShouldBeEmpty();
        second.Notes.ShouldBe(["widened qty from int32 to int64", "added column note (text)"], ignoreOrder: true);
        third.Notes.ShouldBe(["widened amount from decimal(5,2) to decimal(8,4)", "widened price from int32 to decimal(13,3)"], ignoreOrder: true);
        (await project.ColumnsAsync()).ShouldBe(["id", "qty", "amount", "price", "name", "note"]);
        (await project.TypeAsync("amount")).ShouldBe("decimal(8,4)");
        (await project.TypeAsync("price")).ShouldBe("decimal(13,3)");
        (await project.TypeAsync("name")).ShouldBe("text");
        var latest = new[]
        {
            "1 | 5 | 1.25 | 10 | NULL | x",
            "2 | -6 | 999.99 | 123456789 | NULL | NULL",
            "3 | 3000000000 | 2.5 | 30 | NULL | new",
            "4 | 9 | 1234.5678 | 40.125 | NULL | z",
        };
        var rows = await project.RowsAsync("SELECT id, qty, amount, price, name, note FROM raw.items ORDER BY id, _wharf_run_id");
        rows.ShouldBe(mode == "merge" ? latest :
        [
            "1 | 5 | 1.25 | 10 | a | NULL", "1 | 5 | 1.25 | 10 | a | x", latest[0],
            "2 | -6 | 999.99 | 123456789 | b | NULL", "2 | -6 | 999.99 | 123456789 | b | NULL", latest[1],
            "3 | 3000000000 | 2.5 | 30 | c | new", latest[2],
            latest[3],
        ]);
        (await project.AuditNotesAsync(third.RunId)).ShouldBe((0L, string.Join('\n', third.Notes)));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task KeyColumn_WidenedFromIntToBigint_KeepsMergingByIt(string mode, WarehouseUnderTest warehouse)
        => await KeyColumnWidensAsync(mode, warehouse, keys: false);

    [Fact]
    public async Task KeyColumn_WidenedFromIntToBigint_WhenThePostgresWarehouseHasTheKeys_KeepsMergingByIt()
        => await KeyColumnWidensAsync("merge", WarehouseUnderTest.Postgres, keys: true);

    [Fact]
    public async Task KeyColumn_WidenedFromIntToBigint_WhenTheDuckDbWarehouseHasTheKeys_KeepsMergingByIt()
        => await KeyColumnWidensAsync("merge", WarehouseUnderTest.DuckDb, keys: true);

    private async Task KeyColumnWidensAsync(string mode, WarehouseUnderTest warehouse, bool keys)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse, """
            create table items (id int primary key, name text);
            insert into items values (1, 'a'), (2147483647, 'max');
            """);
        project.ConfigureTable(Settings(mode) + (keys ? "\nkeys: true" : ""));
        await project.RunAsync();

        await project.Project.ExecuteSourceAsync("""
            alter table items alter column id type bigint;
            insert into items values (3000000000, 'big');
            update items set name = 'a2' where id = 1;
            """);
        var second = await project.RunAsync();

        second.Notes.ShouldBe(["widened id from int32 to int64"]);
        (await project.TypeAsync("id")).ShouldBe("int64");
        (await project.RowsAsync("SELECT id, name FROM raw.items ORDER BY id, _wharf_run_id")).ShouldBe(mode == "merge"
            ? ["1 | a2", "2147483647 | max", "3000000000 | big"]
            : ["1 | a", "1 | a2", "2147483647 | max", "2147483647 | max", "3000000000 | big"]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Scd2_WhenAColumnIsAddedAndAnotherWidened_OnlyChangedRowsGetANewVersion(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse, """
            create table items (id int primary key, qty int, name text);
            insert into items values (1, 5, 'a'), (2, 6, 'b');
            """);
        project.ConfigureTable("mode: scd2");
        await project.RunAsync();

        await project.Project.ExecuteSourceAsync("""
            alter table items add column note text;
            alter table items alter column qty type bigint;
            update items set name = 'a2' where id = 1;
            insert into items values (3, 3000000000, 'c', 'new');
            """);
        var second = await project.RunAsync();

        second.Notes.ShouldBe(["widened qty from int32 to int64", "added column note (text)"], ignoreOrder: true);
        (second.RowsInserted, second.RowsUpdated, second.RowsUnchanged).ShouldBe((1L, 1L, 1L));
        (await project.RowsAsync("SELECT id, qty, name, note, _wharf_is_current FROM raw.items ORDER BY id, _wharf_valid_from")).ShouldBe([
            "1 | 5 | a | NULL | false",
            "1 | 5 | a2 | NULL | true",
            "2 | 6 | b | NULL | true",
            "3 | 3000000000 | c | new | true",
        ]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task NumericColumnBecomingText_FailsBeforeLoading_NamingTableColumnAndTypes_AndLeavesEarlierRunsAlone(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse, """
            create table items (id int primary key, amount numeric(12,2), updated_at timestamptz);
            insert into items values (1, 10.50, '2026-01-01 00:00:00+00'), (2, 20.00, '2026-01-02 00:00:00+00');
            """);
        project.ConfigureTable(Settings(mode) + "\ncursor: updated_at");
        var first = await project.RunAsync();
        var tableBefore = await project.RowsAsync("SELECT * FROM raw.items ORDER BY id");
        var auditBefore = await project.Project.AuditAsync(first.RunId);
        var watermarkBefore = await project.Project.StateWatermarkAsync();

        await project.Project.ExecuteSourceAsync("""
            alter table items alter column amount type text using amount::text;
            insert into items values (3, 'n/a', '2026-01-03 00:00:00+00');
            """);
        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("raw.items.amount is decimal(12,2) in the warehouse and text in the new data");
        failed.Error.ShouldContain("nothing was loaded");
        failed.Error.ShouldContain("amount: text");
        (await project.RowsAsync("SELECT * FROM raw.items ORDER BY id")).ShouldBe(tableBefore);
        (await project.TypeAsync("amount")).ShouldBe("decimal(12,2)");
        (await project.Project.AuditAsync(first.RunId)).ShouldBe(auditBefore);
        (await project.Project.StateWatermarkAsync()).ShouldBe(watermarkBefore);
        (await project.RowsAsync($"SELECT status, rows_loaded FROM _wharf.runs WHERE run_id = '{failed.RunId}'")).ShouldBe(["failed | 0"]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task NumericColumnBecomingText_WhenDeclaredText_WidensTheColumnToText(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse, """
            create table items (id int primary key, amount numeric(12,2), updated_at timestamptz);
            insert into items values (1, 10.50, '2026-01-01 00:00:00+00'), (2, 20.00, '2026-01-02 00:00:00+00');
            """);
        project.ConfigureTable(Settings(mode) + "\ncursor: updated_at");
        await project.RunAsync();

        await project.Project.ExecuteSourceAsync("""
            alter table items alter column amount type text using amount::text;
            insert into items values (3, 'n/a', '2026-01-03 00:00:00+00');
            """);
        project.ConfigureTable(Settings(mode) + "\ncursor: updated_at\ncolumns:\n  amount: text");
        var second = await project.RunAsync();

        second.Notes.ShouldContain("widened amount from decimal(12,2) to text");
        (await project.TypeAsync("amount")).ShouldBe("text");
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id, _wharf_run_id"))
            .ShouldBe(["1 | 10.50", "2 | 20.00", "3 | n/a"], "append with a cursor does not load the boundary row again");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Csv_WhenAColumnLosesItsNumbers_FailsBeforeLoading_AndTheTableStaysAsItWas(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv(Settings(mode));
        project.Csv("id,amount\n1,10\n2,20\n");
        var first = await project.RunAsync();

        project.Csv("id,amount\n3,thirty\n");
        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("raw.items.amount is int64 in the warehouse and text in the new data");
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | 10", "2 | 20"]);
        (await project.AuditTrailAsync()).ShouldBe([$"{first.RunId} | succeeded | 2", $"{failed.RunId} | failed | 0"]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Csv_WhenAColumnIsEmptyInABatch_LoadsNullsIntoIt(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv(Settings(mode)).Csv("id,amount,day\n1,10,2026-01-01\n");
        await project.RunAsync();

        project.Csv("id,amount,day\n2,,\n3,,\n");
        await project.RunAsync();

        (await project.TypeAsync("amount")).ShouldBe("int64");
        (await project.TypeAsync("day")).ShouldBe("date");
        (await project.RowsAsync("SELECT id, amount, CAST(day AS VARCHAR) FROM raw.items ORDER BY id")).ShouldBe(["1 | 10 | 2026-01-01", "2 | NULL | NULL", "3 | NULL | NULL"]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task JsonField_NullInEveryRecordOfTheFirstLoad_TakesTheTypeOfItsFirstValues(string mode, WarehouseUnderTest warehouse)
    {
        // An optional field (deleted_at: null) had no type to give on the first load; its values bring one later.
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.Configure($"""
            source: files
            files: items.json
            table: items
            schema: raw
            {Settings(mode)}
            """).Csv("""[{"id": 1, "qty": null, "seen": null}]""", "items.json");
        await project.RunAsync();
        (await project.TypeAsync("qty")).ShouldBe("json");

        project.Csv("""[{"id": 2, "qty": 5, "seen": "2026-01-02T03:04:05Z"}]""", "items.json");
        var typed = await project.RunAsync();

        (await project.TypeAsync("qty")).ShouldBe("int64");
        (await project.TypeAsync("seen")).ShouldBe("timestamp");
        (await project.RowsAsync("SELECT id, qty, CAST(seen AS VARCHAR) IS NULL FROM raw.items ORDER BY id")).ShouldBe(["1 | NULL | true", "2 | 5 | false"]);
        typed.Notes.ShouldContain("typed qty as int64 (it held only NULLs, as json)");

        // Once it holds a value, the column's type is settled like any other's.
        project.Csv("""[{"id": 3, "qty": "many", "seen": null}]""", "items.json");
        (await project.RunFailsAsync()).Error.ShouldContain("raw.items.qty is int64 in the warehouse and text in the new data");
    }
}
