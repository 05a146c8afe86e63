using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Schema;

/// <summary>
/// <c>columns:</c> on both warehouses: declared types override what is inferred from the data, and a
/// value that does not fit its declared type fails the run naming the column (or is discarded, as
/// the data_type contract says).
/// </summary>
public sealed class DeclaredTypesTests(PostgresServer postgres)
{
    public static TheoryData<WarehouseUnderTest> Warehouses() => [WarehouseUnderTest.DuckDb, WarehouseUnderTest.Postgres];

    private const string Declared = """
        columns:
          amount: decimal(12,2)
          paid_at: timestamptz
          qty: int64
          code: text
        """;

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task DeclaredTypes_OverrideInference_AndKeepTheValues(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\n" + Declared).Csv("""
            id,amount,paid_at,qty,code
            1,10.5,2026-01-01 10:00:00+02,7,001
            2,0.1,2026-01-02T00:00:00Z,-8,2
            3,,,,
            """ + "\n");

        var run = await project.RunAsync();

        run.RowsLoaded.ShouldBe(3);
        (await project.TypeAsync("amount")).ShouldBe("decimal(12,2)");
        (await project.TypeAsync("paid_at")).ShouldBe("timestamptz");
        (await project.TypeAsync("qty")).ShouldBe("int64");
        (await project.TypeAsync("code")).ShouldBe("text");
        (await project.RowsAsync("SELECT id, amount, paid_at, qty, code FROM raw.items ORDER BY id")).ShouldBe([
            "1 | 10.5 | 2026-01-01 08:00:00.000000 | 7 | 001",
            "2 | 0.1 | 2026-01-02 00:00:00.000000 | -8 | 2",
            "3 | NULL | NULL | NULL | NULL",
        ]);
        (await project.RowsAsync("SELECT CAST(amount AS VARCHAR) FROM raw.items WHERE id = 1")).ShouldBe(["10.50"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task CsvColumnsDeclaredText_KeepTheFilesText_NotTheNumberOrDateItLooksLike(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns:\n  version: text\n  Day Of: text").Csv("""
            id,version,Day Of,amount
            1,1e3,2024-01-01,1.50
            2,1.50,2024-1-2,2
            3,1.10,2024-01-03,
            """ + "\n");

        await project.RunAsync();

        (await project.TypeAsync("version")).ShouldBe("text");
        (await project.TypeAsync("day_of")).ShouldBe("text");
        (await project.RowsAsync("SELECT id, version, day_of, CAST(amount AS VARCHAR) FROM raw.items ORDER BY id")).ShouldBe([
            "1 | 1e3 | 2024-01-01 | 1.50",
            "2 | 1.50 | 2024-1-2 | 2.00",
            "3 | 1.10 | 2024-01-03 | NULL",
        ]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task DeclaredTypes_AlsoOverrideWhatAPostgresSourceSays(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse, """
            create table items (id int primary key, amount double precision, qty text);
            insert into items values (1, 10.25, '42'), (2, null, null);
            """);
        project.ConfigureTable("mode: merge\ncolumns:\n  amount: decimal(10,2)\n  qty: int64\n  id: int64");

        await project.RunAsync();

        (await project.TypeAsync("id")).ShouldBe("int64");
        (await project.TypeAsync("amount")).ShouldBe("decimal(10,2)");
        (await project.TypeAsync("qty")).ShouldBe("int64");
        (await project.RowsAsync("SELECT id, amount, qty FROM raw.items ORDER BY id")).ShouldBe(["1 | 10.25 | 42", "2 | NULL | NULL"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredDecimal_WhenAValueHasTooManyDigits_FailsNamingTheColumnAndTheValue(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns: { amount: \"decimal(12,2)\", qty: int64 }").Csv("id,amount,qty\n1,10.5,1\n");
        var first = await project.RunAsync();

        project.Csv("id,amount,qty\n2,12345678901.5,2\n3,1,3\n");
        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("1 value(s) of raw.items.amount do not fit its declared type decimal(12,2) (columns: in wharf.yml), e.g. '12345678901.5'. Nothing was loaded.");
        (await project.AuditTrailAsync()).ShouldBe([$"{first.RunId} | succeeded | 1", $"{failed.RunId} | failed | 0"]);
        (await project.RowsAsync("SELECT id, amount FROM raw.items")).ShouldBe(["1 | 10.5"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredInteger_WhenAValueIsNoNumber_FailsNamingTheColumn(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns: { qty: int64 }").Csv("id,qty\n1,7\n2,many\n3,lots\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("2 value(s) of raw.items.qty do not fit its declared type int64");
        (await project.ExistsAsync()).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredTimestamp_WhenAValueIsNoTime_FailsNamingTheColumn(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns: { paid_at: timestamptz }").Csv("id,paid_at\n1,2026-01-01 10:00:00+00\n2,soon\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("1 value(s) of raw.items.paid_at do not fit its declared type timestamptz");
        failed.Error.ShouldContain("'soon'");
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredType_WhenDataTypeDiscardsRows_DropsAndCountsTheRowsThatDoNotFit(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\nschema_contract: { data_type: discard_row }\ncolumns: { qty: int64 }").Csv("id,qty\n1,7\n2,many\n3,\n");

        var run = await project.RunAsync();

        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((2L, 1L));
        run.Notes.ShouldContain("discarded 1 row(s) whose qty does not fit int64");
        (await project.RowsAsync("SELECT id, qty FROM raw.items ORDER BY id")).ShouldBe(["1 | 7", "3 | NULL"]);
        (await project.AuditNotesAsync(run.RunId)).Discarded.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredType_WhenDataTypeDiscardsColumns_LoadsNullForTheValuesThatDoNotFit(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\nschema_contract: { data_type: discard_column }\ncolumns: { qty: int64 }").Csv("id,qty\n1,7\n2,many\n");

        var run = await project.RunAsync();

        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((2L, 0L));
        run.Notes.ShouldContain("set 1 value(s) of qty that do not fit int64 to NULL");
        (await project.RowsAsync("SELECT id, qty FROM raw.items ORDER BY id")).ShouldBe(["1 | 7", "2 | NULL"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredInteger_WhenAValueHasAFraction_FailsInsteadOfRoundingIt(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns: { qty: int64 }").Csv("id,qty\n1,7\n2,10.5\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("1 value(s) of raw.items.qty do not fit its declared type int64");
        failed.Error.ShouldContain("'10.5'");
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredDecimal_WhenAValueHasMoreDecimals_FailsInsteadOfRoundingIt(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns: { amount: \"decimal(12,2)\" }").Csv("id,amount\n1,1.25\n2,1.234\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("1 value(s) of raw.items.amount do not fit its declared type decimal(12,2)");
        failed.Error.ShouldContain("'1.234'");
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredColumn_GoneFromTheSource_LoadsNullLikeAnyDroppedColumn(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns: { qty: int64 }").Csv("id,qty\n1,7\n");
        await project.RunAsync();

        project.Csv("id\n2\n");
        await project.RunAsync();

        (await project.RowsAsync("SELECT id, qty FROM raw.items ORDER BY id")).ShouldBe(["1 | 7", "2 | NULL"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ADeclaredColumn_ThatNoColumnHas_FailsTheFirstLoad_SuggestingTheName(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ncolumns: { amout: \"decimal(12,2)\" }").Csv("id,amount\n1,10.5\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("'columns:' in wharf.yml declares a type for 'amout', which is not among the columns of raw.items (id, amount). Did you mean 'amount'?");
        (await project.ExistsAsync()).ShouldBeFalse();
    }
}
