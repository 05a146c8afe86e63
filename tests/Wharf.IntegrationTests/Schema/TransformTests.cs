using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Schema;

/// <summary>
/// Each <c>transform:</c> processor on a CSV, with the exact rows it must leave in the table, on
/// both warehouses; rows it removes are counted as discarded; a step that cannot compile or convert
/// a value fails before loading, naming the step, its position and where it is in wharf.yml.
/// </summary>
public sealed class TransformTests(PostgresServer postgres)
{
    public static TheoryData<WarehouseUnderTest> Warehouses() => [WarehouseUnderTest.DuckDb, WarehouseUnderTest.Postgres];

    private const string Versions = """
        id,version,name
        1,1,a
        1,3,c
        1,2,b
        2,5,x
        2,4,y

        """;

    /// <summary>Loads <paramref name="csv"/> into raw.items with these transform steps (YAML list items), appending.</summary>
    private async Task<(SchemaProject Project, RunRecord Run)> TransformAsync(WarehouseUnderTest warehouse, string csv, string steps, string mode = "mode: append")
    {
        var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv($"{mode}\ntransform:\n{steps}").Csv(csv);
        return (project, await project.RunAsync());
    }

    /// <summary>Where <paramref name="marker"/> (the processor's name, as written) is in wharf.yml: <c>/path/wharf.yml:line:column</c>.</summary>
    private static string Where(SchemaProject project, string marker)
    {
        var file = Path.Combine(project.Root, "wharf.yml");
        var lines = File.ReadAllLines(file);
        var line = Array.FindIndex(lines, l => l.Contains(marker, StringComparison.Ordinal));
        return $"{file}:{line + 1}:{lines[line].IndexOf(marker, StringComparison.Ordinal) + 1}";
    }

    [Theory]
    [InlineData("last", "version", WarehouseUnderTest.DuckDb, new[] { "1 | 3 | c", "2 | 5 | x" })]
    [InlineData("last", "version", WarehouseUnderTest.Postgres, new[] { "1 | 3 | c", "2 | 5 | x" })]
    [InlineData("first", "version", WarehouseUnderTest.DuckDb, new[] { "1 | 1 | a", "2 | 4 | y" })]
    [InlineData("first", "version", WarehouseUnderTest.Postgres, new[] { "1 | 1 | a", "2 | 4 | y" })]
    [InlineData("last", null, WarehouseUnderTest.DuckDb, new[] { "1 | 2 | b", "2 | 4 | y" })]
    [InlineData("last", null, WarehouseUnderTest.Postgres, new[] { "1 | 2 | b", "2 | 4 | y" })]
    [InlineData("first", null, WarehouseUnderTest.DuckDb, new[] { "1 | 1 | a", "2 | 5 | x" })]
    [InlineData("first", null, WarehouseUnderTest.Postgres, new[] { "1 | 1 | a", "2 | 5 | x" })]
    public async Task Dedupe_KeepsTheFirstOrLastRowOfEachKey_ByOrderByOrElseByFileOrder(string keep, string? orderBy, WarehouseUnderTest warehouse, string[] expected)
    {
        var order = orderBy is null ? "" : $", order_by: {orderBy}";
        var (project, run) = await TransformAsync(warehouse, Versions, $"  - dedupe: {{ by: [id], keep: {keep}{order} }}");
        using var _ = project;

        (await project.RowsAsync("SELECT id, version, name FROM raw.items ORDER BY id")).ShouldBe(expected);
        (run.RowsExtracted, run.RowsLoaded, run.RowsDiscarded).ShouldBe((5L, 2L, 3L));
        run.Notes.ShouldBe(["transform removed 3 row(s)"]);
        (await project.AuditNotesAsync(run.RunId)).ShouldBe((3L, "transform removed 3 row(s)"));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Dedupe_ByAColumnList_KeepsTheLastRowOfEachCombination(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, "a,b,v\n1,x,1\n1,x,2\n1,y,3\n2,x,4\n", "  - dedupe: [a, b]");
        using var _ = project;

        (await project.RowsAsync("SELECT a, b, v FROM raw.items ORDER BY a, b")).ShouldBe(["1 | x | 2", "1 | y | 3", "2 | x | 4"]);
        run.RowsDiscarded.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task DropNulls_RemovesRowsWithANullInAnyNamedColumn(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, "id,name,amount\n1,a,1\n2,,2\n3,c,\n4,,\n5,e,5\n", "  - drop_nulls: [name, amount]");
        using var _ = project;

        (await project.RowsAsync("SELECT id, name, amount FROM raw.items ORDER BY id")).ShouldBe(["1 | a | 1", "5 | e | 5"]);
        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((2L, 3L));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task FillNulls_FillsNumericAndTextColumns_KeepingTheirTypes(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, "id,qty,price,name\n1,5,1.25,a\n2,,,\n3,7,,c\n",
            "  - fill_nulls: { qty: \"0\", price: \"-1.5\", name: unknown }");
        using var _ = project;

        (await project.RowsAsync("SELECT id, qty, price, name FROM raw.items ORDER BY id")).ShouldBe(["1 | 5 | 1.25 | a", "2 | 0 | -1.5 | unknown", "3 | 7 | -1.5 | c"]);
        (await project.TypeAsync("qty")).ShouldBe("int64");
        (await project.TypeAsync("name")).ShouldBe("text");
        run.RowsDiscarded.ShouldBe(0);
        run.Notes.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("n/a", "int64", WarehouseUnderTest.DuckDb)]
    [InlineData("n/a", "int64", WarehouseUnderTest.Postgres)]
    [InlineData("1.5", "int64", WarehouseUnderTest.DuckDb)]
    [InlineData("1.5", "int64", WarehouseUnderTest.Postgres)]
    public async Task FillNulls_WhenTheValueIsNotOfTheColumnsType_FailsNamingTheStep(string value, string type, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv($"mode: append\ntransform:\n  - fill_nulls: {{ qty: \"{value}\" }}").Csv("id,qty\n1,\n2,5\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain($"transform step 1 (fill_nulls) at {Where(project, "fill_nulls:")} for raw.items: the fill value '{value}' of 'qty' does not convert exactly to {type}.");
        (await project.ExistsAsync()).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Rename_ThenMergeByTheKey_UpdatesInPlace(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: merge\nprimary_key: [code]\ntransform:\n  - rename: { label: name }").Csv("code,label\nA1,first\nB2,second\n");
        await project.RunAsync();

        project.Csv("code,label\nA1,first-changed\nC3,third\n");
        var second = await project.RunAsync();

        (await project.ColumnsAsync()).ShouldBe(["code", "name"]);
        (await project.RowsAsync("SELECT code, name FROM raw.items ORDER BY code")).ShouldBe(["A1 | first-changed", "B2 | second", "C3 | third"]);
        (second.RowsInserted, second.RowsUpdated).ShouldBe((1L, 1L));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Rename_ThenMergeByTheRenamedKey_UpdatesInPlace(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: merge\nprimary_key: [item_id]\ntransform:\n  - rename: { code: item_id, label: name }").Csv("code,label\nA1,first\nB2,second\n");
        await project.RunAsync();

        project.Csv("code,label\nA1,first-changed\nC3,third\n");
        var second = await project.RunAsync();

        (await project.ColumnsAsync()).ShouldBe(["item_id", "name"]);
        (await project.RowsAsync("SELECT item_id, name FROM raw.items ORDER BY item_id")).ShouldBe(["A1 | first-changed", "B2 | second", "C3 | third"]);
        (second.RowsInserted, second.RowsUpdated).ShouldBe((1L, 1L));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Rename_ToAnExistingColumn_FailsNamingTheStep(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ntransform:\n  - trim: [name]\n  - rename: { code: name }").Csv("code,name\nA1,x\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain($"transform step 2 (rename) at ");
        failed.Error.ShouldContain(Where(project, "rename:"));
        failed.Error.ShouldContain("renaming to 'name' would give two columns that name");
        (await project.ExistsAsync()).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Cast_ConvertsTextToTheNamedTypes(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "id,amount,day,flag\n1,0010.50,2026-03-01,yes\n2,,,no\n",
            "  - cast: { id: int32, amount: \"decimal(12,2)\", day: date, flag: boolean }");
        using var __ = project;

        (await project.TypeAsync("id")).ShouldBe("int32");
        (await project.TypeAsync("amount")).ShouldBe("decimal(12,2)");
        (await project.TypeAsync("day")).ShouldBe("date");
        (await project.TypeAsync("flag")).ShouldBe("boolean");
        (await project.RowsAsync("SELECT id, amount, CAST(day AS VARCHAR), flag FROM raw.items ORDER BY id")).ShouldBe(["1 | 10.5 | 2026-03-01 | true", "2 | NULL | NULL | false"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Cast_WhenAValueDoesNotConvert_FailsNamingTheStepItsPositionAndTheValue(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ntransform:\n  - trim: [amount]\n  - cast: { amount: int64 }").Csv("id,amount\n1,10\n2,ten\n3,\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain($"transform step 2 (cast) at ");
        failed.Error.ShouldContain(Where(project, "cast:") + " for raw.items: 1 value(s) of 'amount' cannot be cast to int64, e.g. 'ten'. Nothing was loaded.");
        (await project.ExistsAsync()).ShouldBeFalse();
        (await project.AuditTrailAsync()).ShouldBe([$"{failed.RunId} | failed | 0"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Filter_KeepsTheRowsThatMeetTheCondition_AndCountsTheOthers(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, "id,amount,country\n1,5,DE\n2,50,FR\n3,500,DE\n4,,DE\n", "  - filter: \"amount > 10 AND country = 'DE'\"");
        using var _ = project;

        (await project.RowsAsync("SELECT id, amount FROM raw.items ORDER BY id")).ShouldBe(["3 | 500"]);
        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((1L, 3L));
        run.Notes.ShouldBe(["transform removed 3 row(s)"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Derive_AddsNewColumnsAndReplacesExistingOnes(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "id,qty,price,name\n1,2,1.25,ab\n2,3,,cd\n",
            "  - derive: { total: \"qty * price\", name: \"name || '-' || CAST(id AS VARCHAR)\", double_qty: \"qty * 2\" }");
        using var __ = project;

        (await project.ColumnsAsync()).ShouldBe(["id", "qty", "price", "name", "total", "double_qty"]);
        (await project.RowsAsync("SELECT id, qty, price, name, total, double_qty FROM raw.items ORDER BY id")).ShouldBe(["1 | 2 | 1.25 | ab-1 | 2.5 | 4", "2 | 3 | NULL | cd-2 | NULL | 6"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Derive_WhenItReferencesAMissingColumn_FailsNamingTheStep(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ntransform:\n  - derive: { total: \"qty * cost\" }").Csv("id,qty,price\n1,2,3\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain($"transform step 1 (derive) at {Where(project, "derive:")}");
        failed.Error.ShouldContain("for raw.items does not compile");
        failed.Error.ShouldContain("cost");
        (await project.ExistsAsync()).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Select_KeepsOnlyTheNamedColumns_InTheirOrder(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "id,name,secret,amount\n1,a,s,10\n", "  - select: [amount, id]");
        using var __ = project;

        (await project.ColumnsAsync()).ShouldBe(["amount", "id"]);
        (await project.RowsAsync("SELECT amount, id FROM raw.items")).ShouldBe(["10 | 1"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Exclude_DropsTheNamedColumns(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "id,name,secret,amount\n1,a,s,10\n", "  - exclude: [secret, name]");
        using var __ = project;

        (await project.ColumnsAsync()).ShouldBe(["id", "amount"]);
        (await project.RowsAsync("SELECT id, amount FROM raw.items")).ShouldBe(["1 | 10"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Select_WhenAColumnIsMissing_FailsNamingTheStep(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ntransform:\n  - select: [id, nope]").Csv("id,name\n1,a\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("'nope'");
        failed.Error.ShouldContain($"transform step 1 (select) at {Where(project, "select:")}");
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task TrimLowerUpper_CleanTextColumns(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "id,name,email,code\n1,\"  Alice  \",\" Alice@Example.COM\",ab-1\n2,,,\n",
            "  - trim: [name, email]\n  - lower: email\n  - upper: [code]");
        using var __ = project;

        (await project.RowsAsync("SELECT id, name, email, code FROM raw.items ORDER BY id")).ShouldBe(["1 | Alice | alice@example.com | AB-1", "2 | NULL | NULL | NULL"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Upper_OnANumberColumn_FailsNamingTheStepAndTheType(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ntransform:\n  - upper: [id]").Csv("id,name\n1,a\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain($"transform step 1 (upper) at {Where(project, "upper:")} for raw.items: 'id' is int64, not text");
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ParseTimestamp_ReadsTextWithTheGivenFormat(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "id,seen\n1,31.12.2025 23h59\n2,01.02.2026 08h05\n3,\n",
            "  - parse_timestamp: { seen: \"%d.%m.%Y %Hh%M\" }");
        using var __ = project;

        (await project.TypeAsync("seen")).ShouldBe("timestamp");
        (await project.RowsAsync("SELECT id, seen FROM raw.items ORDER BY id")).ShouldBe(["1 | 2025-12-31 23:59:00.000000", "2 | 2026-02-01 08:05:00.000000", "3 | NULL"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ParseTimestamp_WithColumnAndFormatKeys_ReadsTheSame(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "id,seen\n1,20251231-2359\n", "  - parse_timestamp: { column: seen, format: \"%Y%m%d-%H%M\" }");
        using var __ = project;

        (await project.RowsAsync("SELECT id, seen FROM raw.items")).ShouldBe(["1 | 2025-12-31 23:59:00.000000"]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task ParseTimestamp_WhenAValueDoesNotMatch_FailsNamingTheStepAndTheValue(WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv("mode: append\ntransform:\n  - parse_timestamp: { seen: \"%d.%m.%Y %Hh%M\" }").Csv("id,seen\n1,31.12.2025 23h59\n2,yesterday\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain($"transform step 1 (parse_timestamp) at {Where(project, "parse_timestamp:")} for raw.items: 1 value(s) of 'seen' cannot be parsed with the format '%d.%m.%Y %Hh%M', e.g. 'yesterday'.");
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Steps_RunInOrder_EachSeeingThePreviousOnesOutput(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, "ID,Amount,Status\n1,10,\" open \"\n1,12,\" OPEN \"\n2,,closed\n3,30,\" Open\"\n", """
              - trim: [status]
              - lower: [status]
              - fill_nulls: { amount: "0" }
              - filter: "status = 'open'"
              - dedupe: { by: id, keep: last, order_by: amount }
              - rename: { amount: total }
              - derive: { total_cents: "total * 100" }
              - exclude: [status]
            """);
        using var _ = project;

        (await project.ColumnsAsync()).ShouldBe(["id", "total", "total_cents"]);
        (await project.RowsAsync("SELECT id, total, total_cents FROM raw.items ORDER BY id")).ShouldBe(["1 | 12 | 1200", "3 | 30 | 3000"]);
        (run.RowsLoaded, run.RowsDiscarded).ShouldBe((2L, 2L));
    }

    private const string Sensors = """
        ts,turbine,wind_speed,power
        2024-01-01 00:00:00,1,1,10
        2024-01-01 00:04:00,1,2,20
        2024-01-01 00:09:59,1,3,60
        2024-01-01 00:10:00,1,5,
        2024-01-01 00:31:00,1,4,
        2024-01-01 00:39:00,1,8,
        2024-01-01 00:05:00,2,7,70

        """;

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Resample_AggregatesEachWindowOfEachGroup_LabelledByItsStart_WithoutEmptyWindows(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, Sensors, """
              - resample: { time: ts, every: 10m, by: [turbine], aggregate: { wind_speed: [mean, min, max, std, count], power: [sum, first, last] } }
            """);
        using var _ = project;

        (await project.ColumnsAsync()).ShouldBe(["turbine", "ts", "wind_speed_mean", "wind_speed_min", "wind_speed_max", "wind_speed_std", "wind_speed_count", "power_sum", "power_first", "power_last"]);

        // std is the sample standard deviation (n - 1): 1 for 1, 2, 3; sqrt(8) for 4, 8; none for one value.
        (await project.RowsAsync("SELECT turbine, ts, wind_speed_mean, wind_speed_min, wind_speed_max, wind_speed_std, wind_speed_count, power_sum, power_first, power_last FROM raw.items ORDER BY turbine, ts")).ShouldBe([
            "1 | 2024-01-01 00:00:00.000000 | 2 | 1 | 3 | 1 | 3 | 90 | 10 | 60",
            "1 | 2024-01-01 00:10:00.000000 | 5 | 5 | 5 | NULL | 1 | NULL | NULL | NULL",
            $"1 | 2024-01-01 00:30:00.000000 | 6 | 4 | 8 | {Math.Sqrt(8).ToString(System.Globalization.CultureInfo.InvariantCulture)} | 2 | NULL | NULL | NULL",
            "2 | 2024-01-01 00:00:00.000000 | 7 | 7 | 7 | NULL | 1 | 70 | 70 | 70",
        ]);
        (run.RowsExtracted, run.RowsLoaded, run.RowsDiscarded).ShouldBe((7L, 4L, 0L));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Resample_WithAnOrigin_AlignsTheWindowsToIt(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, Sensors, """
              - resample: { time: ts, every: 10m, origin: "2024-01-01 00:05:00", aggregate: { wind_speed: [count] } }
            """);
        using var __ = project;

        (await project.RowsAsync("SELECT ts, wind_speed_count FROM raw.items ORDER BY ts")).ShouldBe([
            "2023-12-31 23:55:00.000000 | 2", "2024-01-01 00:05:00.000000 | 3", "2024-01-01 00:25:00.000000 | 1", "2024-01-01 00:35:00.000000 | 1",
        ]);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Unpivot_TurnsMatchingColumnsIntoNameValueRows_KeepingNullsUnlessAsked(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, "ts,a_mean,b_mean,note\n2024-01-01 00:00:00,1.5,,x\n2024-01-01 00:10:00,2.5,4,y\n", """
              - unpivot: { columns: ["*_mean"], name: signal, value: value }
            """);
        using var _ = project;

        (await project.ColumnsAsync()).ShouldBe(["ts", "note", "signal", "value"]);
        (await project.RowsAsync("SELECT ts, note, signal, value FROM raw.items ORDER BY ts, signal")).ShouldBe([
            "2024-01-01 00:00:00.000000 | x | a_mean | 1.5", "2024-01-01 00:00:00.000000 | x | b_mean | NULL",
            "2024-01-01 00:10:00.000000 | y | a_mean | 2.5", "2024-01-01 00:10:00.000000 | y | b_mean | 4",
        ]);
        (run.RowsExtracted, run.RowsLoaded, run.RowsDiscarded).ShouldBe((2L, 4L, 0L));
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task FilterThenResampleThenUnpivot_CountsOnlyTheFilteredRowsAsDiscarded(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, Sensors, """
              - filter: "turbine = 1"
              - resample: { time: ts, every: 10m, aggregate: { wind_speed: [mean, max] } }
              - unpivot: { columns: [wind_speed_mean, wind_speed_max], name: signal, value: value, drop_nulls: true }
            """);
        using var _ = project;

        (await project.RowsAsync("SELECT ts, signal, value FROM raw.items ORDER BY ts, signal")).ShouldBe([
            "2024-01-01 00:00:00.000000 | wind_speed_max | 3", "2024-01-01 00:00:00.000000 | wind_speed_mean | 2",
            "2024-01-01 00:10:00.000000 | wind_speed_max | 5", "2024-01-01 00:10:00.000000 | wind_speed_mean | 5",
            "2024-01-01 00:30:00.000000 | wind_speed_max | 8", "2024-01-01 00:30:00.000000 | wind_speed_mean | 6",
        ]);
        (run.RowsExtracted, run.RowsLoaded, run.RowsDiscarded).ShouldBe((7L, 6L, 1L));
        run.Notes.ShouldBe(["transform removed 1 row(s)"]);
    }

    [Theory]
    [InlineData("  - resample: { time: turbine, every: 10m, aggregate: { power: [mean] } }", "the time column 'turbine' is int64, not a timestamp")]
    [InlineData("  - unpivot: { columns: [\"*_max\"] }", "the pattern '*_max' matches no column (ts, turbine, wind_speed, power)")]
    [InlineData("  - resample: { time: ts, every: 10m, aggregate: { speed: [mean] } }", "The column 'speed' named in 'transform step 1 (resample)")]
    public async Task Reshaping_WithAColumnThatDoesNotFit_FailsNamingTheStep(string step, string expected)
    {
        using var project = await SchemaProject.CreateAsync(postgres, WarehouseUnderTest.DuckDb);
        project.ConfigureCsv($"mode: append\ntransform:\n{step}").Csv(Sensors);

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain(expected);
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Lookup_ReplacesNamesByTheirKeys_AddingNewNamesToTheDimension_AndKeepingKeysAcrossRuns(WarehouseUnderTest warehouse)
    {
        var (project, run) = await TransformAsync(warehouse, "ts,signal,value\n1,wind_max,3\n2,power_mean,4\n3,wind_max,5\n4,,6\n",
            "  - lookup: { column: signal, table: signal, key: id, name: name }");
        using var _ = project;

        (await project.ColumnsAsync()).ShouldBe(["ts", "signal_id", "value"]);
        (await project.RowsAsync("SELECT id, name FROM raw.signal ORDER BY id")).ShouldBe(["1 | power_mean", "2 | wind_max"]);
        (await project.RowsAsync("SELECT ts, signal_id, value FROM raw.items ORDER BY ts")).ShouldBe(["1 | 2 | 3", "2 | 1 | 4", "3 | 2 | 5", "4 | NULL | 6"]);
        run.Notes.ShouldContain("lookup added 2 name(s) to raw.signal");

        project.Csv("ts,signal,value\n5,wind_max,7\n6,ambient_mean,8\n");
        var second = await project.RunAsync();

        (await project.RowsAsync("SELECT id, name FROM raw.signal ORDER BY id")).ShouldBe(["1 | power_mean", "2 | wind_max", "3 | ambient_mean"]);
        (await project.RowsAsync("SELECT ts, signal_id FROM raw.items WHERE ts > 4 ORDER BY ts")).ShouldBe(["5 | 2", "6 | 3"]);
        second.Notes.ShouldContain("lookup added 1 name(s) to raw.signal");
    }

    [Theory]
    [MemberData(nameof(Warehouses))]
    public async Task Lookup_WhenTheLoadFailsAfterIt_LeavesTheDimensionAsItWas(WarehouseUnderTest warehouse)
    {
        var (project, _) = await TransformAsync(warehouse, "ts,signal,unit\n1,a,kW\n", "  - lookup: { column: signal, table: signal }");
        using var __ = project;
        await project.Project.WarehouseRowsAsync("CREATE TABLE raw.units (code INTEGER)");

        // The second lookup's dimension has no id or name column: the load fails after the first lookup added 'b'.
        project.ConfigureCsv("mode: append\ntransform:\n  - lookup: { column: signal, table: signal }\n  - lookup: { column: unit, table: units }").Csv("ts,signal,unit\n2,b,MW\n");
        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("units");
        (await project.RowsAsync("SELECT id, name FROM raw.signal ORDER BY id")).ShouldBe(["1 | a"]);
        (await project.RowsAsync("SELECT count(*) FROM raw.items")).ShouldBe(["1"]);
    }

    [Fact]
    public async Task Lookup_OfANumberColumn_FailsNamingTheStep()
    {
        using var project = await SchemaProject.CreateAsync(postgres, WarehouseUnderTest.DuckDb);
        project.ConfigureCsv("mode: append\ntransform:\n  - lookup: { column: value, table: signal }").Csv("ts,value\n1,3\n");

        var failed = await project.RunFailsAsync();

        failed.Error.ShouldContain("transform step 1 (lookup)");
        failed.Error.ShouldContain("'value' is int64; lookup replaces text by its key");
    }
}
