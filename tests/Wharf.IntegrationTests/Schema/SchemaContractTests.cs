using System.Text.Json;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Schema;

/// <summary>
/// <c>schema_contract:</c> for new tables, new columns and changed types, on both warehouses:
/// freeze fails before loading and changes nothing; discard_row drops exactly the rows that carry
/// the change and counts them in rows_discarded; discard_column loads the rows without the new
/// column or the value that does not fit. The run summary, the JSON and <c>_wharf.runs</c> say so.
/// </summary>
public sealed class SchemaContractTests(PostgresServer postgres)
{
    public static TheoryData<WarehouseUnderTest> Warehouses() => [WarehouseUnderTest.DuckDb, WarehouseUnderTest.Postgres];

    private static async Task<SchemaProject> CsvAsync(PostgresServer server, WarehouseUnderTest warehouse, string contract, string firstCsv)
    {
        var project = await SchemaProject.CreateAsync(server, warehouse);
        project.ConfigureCsv($"mode: append\nschema_contract: {contract}").Csv(firstCsv);
        return project;
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task NewTable_WhenTablesFreeze_FailsAndCreatesNothing(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ tables: freeze }", "id,name\n1,a\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("raw.items does not exist, and the schema contract freezes new tables (schema_contract: tables: freeze). Nothing was loaded.");
        (await project.ExistsAsync()).ShouldBeFalse();
        (await project.AuditTrailAsync()).ShouldBe([$"{failed.RunId} | failed | 0"]);
    }

    [Theory]
    [InlineData("discard_row", WarehouseUnderTest.DuckDb)]
    [InlineData("discard_row", WarehouseUnderTest.Postgres)]
    [InlineData("discard_column", WarehouseUnderTest.DuckDb)]
    [InlineData("discard_column", WarehouseUnderTest.Postgres)]
    public async Task NewTable_WhenTablesDiscard_LoadsNothing_AndCountsEveryRowAsDiscarded(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, $"{{ tables: {mode} }}", "id,name\n1,a\n2,b\n3,c\n");

        var run = await project.RunAsync();

        (run.RowsExtracted, run.RowsLoaded, run.RowsDiscarded).ShouldBe((3L, 0L, 3L));
        var note = $"discarded every row: raw.items does not exist and schema_contract tables: {mode}";
        run.Notes.ShouldBe([note]);
        (await project.ExistsAsync()).ShouldBeFalse();
        (await project.AuditNotesAsync(run.RunId)).ShouldBe((3L, note));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ExistingTable_WhenTablesFreeze_LoadsAsUsual(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "evolve", "id,name\n1,a\n");
        await project.RunAsync();
        project.ConfigureCsv("mode: append\nschema_contract: { tables: freeze }").Csv("id,name\n2,b\n");

        var run = await project.RunAsync();

        run.RowsLoaded.ShouldBe(1);
        (await project.RowsAsync("SELECT id, name FROM raw.items ORDER BY id")).ShouldBe(["1 | a", "2 | b"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task NewColumn_WhenColumnsFreeze_FailsNamingIt_AndTheTableStaysAsItWas(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ columns: freeze }", "id,name\n1,a\n2,b\n");
        var first = await project.RunAsync();

        project.Csv("id,name,note\n3,c,\n4,d,x\n");
        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("The new data has a column note (text) that raw.items does not, and the schema contract freezes columns (schema_contract: columns: freeze). Nothing was loaded.");
        (await project.ColumnsAsync()).ShouldBe(["id", "name"]);
        (await project.RowsAsync("SELECT id, name FROM raw.items ORDER BY id")).ShouldBe(["1 | a", "2 | b"]);
        (await project.AuditTrailAsync()).ShouldBe([$"{first.RunId} | succeeded | 2", $"{failed.RunId} | failed | 0"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task NewColumn_WhenColumnsDiscardRow_DropsExactlyTheRowsWithAValueInIt(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ columns: discard_row }", "id,name\n1,a\n");
        await project.RunAsync();

        project.Csv("id,name,note\n2,b,\n3,c,x\n4,d,\n5,e,y\n");
        var run = await project.RunAsync();

        (run.RowsExtracted, run.RowsLoaded, run.RowsDiscarded).ShouldBe((4L, 2L, 2L));
        run.Notes.ShouldBe(["discarded rows with a value in the new column note"]);
        (await project.ColumnsAsync()).ShouldBe(["id", "name"]);
        (await project.RowsAsync("SELECT id, name FROM raw.items ORDER BY id")).ShouldBe(["1 | a", "2 | b", "4 | d"]);
        (await project.AuditNotesAsync(run.RunId)).ShouldBe((2L, "discarded rows with a value in the new column note"));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task NewColumn_WhenColumnsDiscardColumn_LoadsEveryRowWithoutIt(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ columns: discard_column }", "id,name\n1,a\n");
        await project.RunAsync();

        project.Csv("id,name,note\n2,b,\n3,c,x\n");
        var run = await project.RunAsync();

        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((2L, 0L));
        run.Notes.ShouldBe(["discarded the new column note"]);
        (await project.ColumnsAsync()).ShouldBe(["id", "name"]);
        (await project.RowsAsync("SELECT id, name FROM raw.items ORDER BY id")).ShouldBe(["1 | a", "2 | b", "3 | c"]);
    }

    [Theory]
    [InlineData("3,thirty\n", "text", WarehouseUnderTest.DuckDb)]
    [InlineData("3,thirty\n", "text", WarehouseUnderTest.Postgres)]
    [InlineData("3,7.5\n", "decimal(2,1)", WarehouseUnderTest.DuckDb)]
    [InlineData("3,7.5\n", "decimal(2,1)", WarehouseUnderTest.Postgres)]
    public async Task TypeChange_WhenDataTypeFreezes_FailsEvenWhenItCouldWiden(string rows, string newType, WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ data_type: freeze }", "id,amount\n1,10\n2,20\n");
        await project.RunAsync();

        project.Csv("id,amount\n" + rows);
        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain($"raw.items.amount is int64 in the warehouse and {newType} in the new data, and the schema contract freezes types (schema_contract: data_type: freeze). Nothing was loaded.");
        (await project.TypeAsync("amount")).ShouldBe("int64");
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | 10", "2 | 20"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task TypeChange_WhenDataTypeDiscardsRows_DropsExactlyTheRowsWhoseValueDoesNotFit(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ data_type: discard_row }", "id,amount\n1,10\n");
        await project.RunAsync();

        // 'thirty' is no number and 7.5 is no whole one (it would be rounded); -4, 30 and the empty value fit.
        project.Csv("id,amount\n2,30\n3,thirty\n4,\n5,7.5\n6,-4\n");
        var run = await project.RunAsync();

        (run.RowsExtracted, run.RowsLoaded, run.RowsDiscarded).ShouldBe((5L, 3L, 2L));
        run.Notes.ShouldBe(["discarded rows whose amount (text) does not fit int64"]);
        (await project.TypeAsync("amount")).ShouldBe("int64");
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | 10", "2 | 30", "4 | NULL", "6 | -4"]);
        (await project.AuditNotesAsync(run.RunId)).ShouldBe((2L, "discarded rows whose amount (text) does not fit int64"));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task TypeChange_ThatCouldWiden_WhenDataTypeDiscardsRows_DropsTheRowsThatWouldBeRounded(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ data_type: discard_row }", "id,amount\n1,10\n");
        await project.RunAsync();

        project.Csv("id,amount\n2,30.0\n3,7.5\n");
        var run = await project.RunAsync();

        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((1L, 1L));
        (await project.TypeAsync("amount")).ShouldBe("int64");
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | 10", "2 | 30"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task TypeChange_WhenDataTypeDiscardsColumns_LoadsEveryRow_WithNullForTheValuesThatDoNotFit(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ data_type: discard_column }", "id,amount\n1,10\n");
        await project.RunAsync();

        project.Csv("id,amount\n2,30\n3,thirty\n4,\n5,7.5\n");
        var run = await project.RunAsync();

        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((4L, 0L));
        run.Notes.ShouldBe(["discarded values of amount (text) that do not fit int64"]);
        (await project.TypeAsync("amount")).ShouldBe("int64");
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | 10", "2 | 30", "3 | NULL", "4 | NULL", "5 | NULL"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task OneContractForAll_AppliesToTablesColumnsAndTypesAlike(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "discard_row", "id,amount\n1,10\n");
        var discarded = await project.RunAsync();
        (discarded.RowsLoaded, discarded.RowsDiscarded).ShouldBe((0L, 1L), "a new table is discarded too");
        project.ConfigureCsv("mode: append");
        await project.RunAsync();

        project.ConfigureCsv("mode: append\nschema_contract: discard_row").Csv("id,amount,note\n2,20,\n3,thirty,\n4,40,x\n");
        var run = await project.RunAsync();

        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((1L, 2L));
        run.Notes.ShouldBe(["discarded rows whose amount (text) does not fit int64", "discarded rows with a value in the new column note"]);
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | 10", "2 | 20"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task RunSummary_AndItsJson_ShowTheDiscardedRowsAndTheNotes(WarehouseUnderTest warehouse)
    {
        using var project = await CsvAsync(postgres, warehouse, "{ columns: discard_row, data_type: evolve }", "id,amount\n1,10\n");
        var ct = TestContext.Current.CancellationToken;
        (await WharfChild.RunAsync(project.Root, null, ct, "run")).ExitCode.ShouldBe(0);

        project.Csv("id,amount,note\n2,20.5,\n3,30,x\n");
        var text = await WharfChild.RunAsync(project.Root, null, ct, "run");
        project.Csv("id,amount,note\n4,4,\n5,5,y\n");
        var json = await WharfChild.RunAsync(project.Root, null, ct, "run", "--format", "json");

        text.ExitCode.ShouldBe(0, text.ToString());
        text.Output.ShouldContain("discarded");
        text.Output.ShouldContain("raw.items: widened amount from int64 to decimal(20,1)");
        text.Output.ShouldContain("raw.items: discarded rows with a value in the new column note");
        json.ExitCode.ShouldBe(0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        var stream = document.RootElement.GetProperty("streams").EnumerateArray().ShouldHaveSingleItem();
        stream.GetProperty("rows_loaded").GetInt64().ShouldBe(1);
        stream.GetProperty("rows_discarded").GetInt64().ShouldBe(1);
        stream.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ShouldBe(["discarded rows with a value in the new column note"]);
        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | 10", "2 | 20.5", "4 | 4"]);
    }
}
