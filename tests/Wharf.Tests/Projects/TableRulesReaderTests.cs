using Wharf.Projects;
using Wharf.Schema;

namespace Wharf.Tests.Projects;

/// <summary>
/// The rules part of a pipeline in wharf.yml (<c>columns:</c>, <c>schema_contract:</c>,
/// <c>checks:</c>, <c>on_check_failure:</c>, <c>transform:</c>): what a valid file gives, and
/// that every mistake is reported at its file, line and column.
/// </summary>
public sealed class TableRulesReaderTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A project whose one pipeline, <c>orders</c>, has <paramref name="rules"/> from line 7 on (indented 4).</summary>
    private static string Project(string rules) => $"""
        connections:
          files: {"{"} type: files {"}"}
        pipelines:
          orders:
            source: files
            files: orders.csv
        {rules}
        """;

    private async Task<TableRules> RulesAsync(string rules)
    {
        folder.WriteProject(Project(rules));
        var project = await folder.LoadAsync();
        return project.Pipelines.ShouldHaveSingleItem().Rules;
    }

    /// <summary>Loads the rules, which must fail at <paramref name="line"/>:<paramref name="column"/> of wharf.yml.</summary>
    private async Task<ProjectFileException> FailsAtAsync(string rules, int line, int column)
    {
        var error = await folder.LoadFailsAsync(Project(rules));
        Path.GetFullPath(error.File).ShouldBe(folder.ProjectFile);
        (error.Line, error.Column).ShouldBe((line, column), error.Message);
        error.Message.ShouldStartWith($"{error.File}:{line}:{column}: ");
        return error;
    }

    [Fact]
    public async Task Load_WhenNoRulesAreDeclared_RulesAreEmpty()
    {
        var rules = await RulesAsync("");

        rules.IsEmpty.ShouldBeTrue();
        rules.Contract.ShouldBe(new SchemaContract(ContractMode.Evolve, ContractMode.Evolve, ContractMode.Evolve));
        rules.OnCheckFailure.ShouldBe(CheckFailure.Fail);
        rules.MaxNesting.ShouldBe(TableRules.DefaultMaxNesting);
    }

    [Fact]
    public async Task Load_DeclaredTypes_AreKeptAsTheDuckDbTypesTheyMapTo()
    {
        var rules = await RulesAsync("""
                columns:
                  amount: decimal(12,2)
                  paid_at: timestamptz
                  qty: int64
                  code: text
            """);

        rules.Columns.ShouldBe(new Dictionary<string, string>
        {
            ["amount"] = "DECIMAL(12,2)",
            ["paid_at"] = "TIMESTAMP WITH TIME ZONE",
            ["qty"] = "BIGINT",
            ["code"] = "VARCHAR",
        }, ignoreOrder: true);
        rules.IsEmpty.ShouldBeFalse();
    }

    [Theory]
    [InlineData("evolve", ContractMode.Evolve)]
    [InlineData("freeze", ContractMode.Freeze)]
    [InlineData("discard_row", ContractMode.DiscardRow)]
    [InlineData("discard_column", ContractMode.DiscardColumn)]
    [InlineData("discard_value", ContractMode.DiscardColumn)]
    public async Task Load_ContractAsOneMode_AppliesItToTablesColumnsAndTypes(string text, object expected)
    {
        // object: ContractMode is internal, and a public test method cannot take it.
        var mode = (ContractMode)expected;
        var rules = await RulesAsync($"    schema_contract: {text}");

        rules.Contract.ShouldBe(new SchemaContract(mode, mode, mode));
    }

    [Fact]
    public async Task Load_ContractPerKind_LeavesTheOthersEvolving()
    {
        var rules = await RulesAsync("    schema_contract: { columns: discard_column, data_type: freeze }");

        rules.Contract.ShouldBe(new SchemaContract(ContractMode.Evolve, ContractMode.DiscardColumn, ContractMode.Freeze));
    }

    [Fact]
    public async Task Load_Checks_ReadEveryKindWithItsSettings()
    {
        var rules = await RulesAsync("""
                checks:
                  - not_null: [id, amount]
                  - unique: [id, day]
                  - accepted_values: { column: status, values: [new, paid] }
                  - range: { column: amount, min: 0, max: 100, inclusive: false }
                  - regex: { column: country, pattern: "^[A-Z]{2}$" }
                  - row_count: { min: 1 }
                    severity: warn
                  - freshness: { column: paid_at, max_age: 6h }
                    severity: warn
                  - relationships: { column: customer_id, to: customers, field: id }
                  - expression: "amount >= 0"
                    name: positive
                  - sql: "select * from {{ this }} where false"
                    severity: warn
                on_check_failure: warn
            """);

        rules.OnCheckFailure.ShouldBe(CheckFailure.Warn);
        rules.Checks.Select(c => (c.Kind, c.Name, c.Severity)).ShouldBe([
            (CheckKind.NotNull, "not_null(id)", CheckSeverity.Error),
            (CheckKind.NotNull, "not_null(amount)", CheckSeverity.Error),
            (CheckKind.Unique, "unique(id, day)", CheckSeverity.Error),
            (CheckKind.AcceptedValues, "accepted_values(status)", CheckSeverity.Error),
            (CheckKind.Range, "range(amount)", CheckSeverity.Error),
            (CheckKind.Regex, "regex(country)", CheckSeverity.Error),
            (CheckKind.RowCount, "row_count", CheckSeverity.Warn),
            (CheckKind.Freshness, "freshness(paid_at)", CheckSeverity.Warn),
            (CheckKind.Relationships, "relationships(customer_id → customers)", CheckSeverity.Error),
            (CheckKind.Expression, "positive", CheckSeverity.Error),
            (CheckKind.Sql, "sql", CheckSeverity.Warn),
        ]);
        rules.Checks[2].Columns.ShouldBe(["id", "day"]);
        rules.Checks[3].Values.ShouldBe(["new", "paid"]);
        (rules.Checks[4].Min, rules.Checks[4].Max, rules.Checks[4].Inclusive).ShouldBe(("0", "100", false));
        rules.Checks[5].Pattern.ShouldBe("^[A-Z]{2}$");
        rules.Checks[6].Min.ShouldBe("1");
        rules.Checks[7].MaxAge.ShouldBe(TimeSpan.FromHours(6));
        (rules.Checks[8].ToTable, rules.Checks[8].ToColumn).ShouldBe(("customers", "id"));
        rules.Checks[9].Sql.ShouldBe("amount >= 0");
        rules.Checks[0].Location.Line.ShouldBe(8);
        rules.Checks[0].Location.Column.ShouldBe(9);
    }

    [Fact]
    public async Task Load_Transform_ReadsEveryProcessorInOrderWithItsPosition()
    {
        var rules = await RulesAsync("""
                transform:
                  - dedupe: { by: [id], keep: first, order_by: updated_at }
                  - dedupe: id
                  - drop_nulls: [id]
                  - fill_nulls: { amount: "0", name: unknown }
                  - rename: { Amount: amount }
                  - cast: { amount: "decimal(12,2)", qty: int64 }
                  - filter: "amount > 0"
                  - derive: { total: "amount * qty" }
                  - select: [id, amount]
                  - exclude: secret
                  - trim: [name]
                  - lower: name
                  - upper: [code]
                  - parse_timestamp: { paid_at: "%d/%m/%Y %H:%M" }
                  - parse_timestamp: { column: shipped_at, format: "%Y%m%d" }
            """);

        rules.Transform.Select(p => (p.Kind, p.Position, p.Location.Line, p.Location.Column)).ShouldBe([
            (ProcessorKind.Dedupe, 1, 8, 9),
            (ProcessorKind.Dedupe, 2, 9, 9),
            (ProcessorKind.DropNulls, 3, 10, 9),
            (ProcessorKind.FillNulls, 4, 11, 9),
            (ProcessorKind.Rename, 5, 12, 9),
            (ProcessorKind.Cast, 6, 13, 9),
            (ProcessorKind.Filter, 7, 14, 9),
            (ProcessorKind.Derive, 8, 15, 9),
            (ProcessorKind.Select, 9, 16, 9),
            (ProcessorKind.Exclude, 10, 17, 9),
            (ProcessorKind.Trim, 11, 18, 9),
            (ProcessorKind.Lower, 12, 19, 9),
            (ProcessorKind.Upper, 13, 20, 9),
            (ProcessorKind.ParseTimestamp, 14, 21, 9),
            (ProcessorKind.ParseTimestamp, 15, 22, 9),
        ]);
        var t = rules.Transform;
        (t[0].Columns.Single(), t[0].KeepLast, t[0].OrderBy).ShouldBe(("id", false, "updated_at"));
        (t[1].Columns.Single(), t[1].KeepLast, t[1].OrderBy).ShouldBe(("id", true, null));
        t[3].Pairs.ShouldBe([new("amount", "0"), new("name", "unknown")]);
        t[4].Pairs.ShouldBe([new("Amount", "amount")]);
        t[5].Pairs.ShouldBe([new("amount", "DECIMAL(12,2)"), new("qty", "BIGINT")]);
        t[6].Condition.ShouldBe("amount > 0");
        t[7].Pairs.ShouldBe([new("total", "amount * qty")]);
        t[9].Columns.ShouldBe(["secret"]);
        t[13].Pairs.ShouldBe([new("paid_at", "%d/%m/%Y %H:%M")]);
        t[14].Pairs.ShouldBe([new("shipped_at", "%Y%m%d")]);
        t[5].ToString().ShouldBe($"transform step 6 (cast) at {t[5].Location}");
        t[13].Name.ShouldBe("parse_timestamp");
        t[2].Name.ShouldBe("drop_nulls");
    }

    [Fact]
    public async Task Load_WhenACheckKindIsUnknown_NamesItAndSuggestsTheClosest()
    {
        var error = await FailsAtAsync("""
                checks:
                  - not_nul: [id]
            """, 8, 9);

        error.Message.ShouldContain("unknown key 'not_nul'");
        error.Message.ShouldContain("Did you mean 'not_null'?");
    }

    [Fact]
    public async Task Load_WhenACheckNamesTwoKinds_SaysEachCheckHasExactlyOne()
    {
        var error = await FailsAtAsync("""
                checks:
                  - not_null: [id]
                    unique: id
            """, 8, 9);

        error.Message.ShouldContain("exactly one kind");
        error.Message.ShouldContain("not_null and unique");
    }

    [Fact]
    public async Task Load_WhenACheckNamesNoKind_SaysSo()
    {
        var error = await FailsAtAsync("""
                checks:
                  - severity: warn
            """, 8, 9);

        error.Message.ShouldContain("this one has none");
    }

    [Fact]
    public async Task Load_WhenADeclaredTypeIsUnknown_NamesTheColumnAndListsTheTypes()
    {
        var error = await FailsAtAsync("""
                columns:
                  id: int64
                  amount: money
            """, 9, 15);

        error.Message.ShouldContain("column 'amount'");
        error.Message.ShouldContain("'money'");
        error.Message.ShouldContain("decimal(p,s)");
    }

    [Fact]
    public async Task Load_WhenADeclaredDecimalIsTooWide_SaysItIsNoType()
    {
        var error = await FailsAtAsync("    columns: { amount: \"decimal(40,2)\" }", 7, 24);

        error.Message.ShouldContain("'decimal(40,2)'");
    }

    [Fact]
    public async Task Load_WhenAnUnquotedDecimalIsCutByAFlowMappingComma_SaysToQuoteIt()
    {
        var error = await FailsAtAsync("    columns: { amount: decimal(12,2) }", 7, 24);

        error.Message.ShouldContain("'decimal(12'");
        error.Message.ShouldContain("quote the type, e.g. \"decimal(12,2)\"");
    }

    [Fact]
    public async Task Load_WhenADecimalIsWrittenOnItsOwnLine_NeedsNoQuotes()
    {
        var rules = await RulesAsync("""
                columns:
                  amount: decimal(12,2)
                transform:
                  - cast:
                      qty: decimal(10,0)
            """);

        rules.Columns["amount"].ShouldBe("DECIMAL(12,2)");
        rules.Transform.ShouldHaveSingleItem().Pairs.ShouldBe([new("qty", "DECIMAL(10,0)")]);
    }

    [Fact]
    public async Task Load_WhenACastTypeIsUnknown_NamesTheStepAndColumn()
    {
        var error = await FailsAtAsync("""
                transform:
                  - trim: [name]
                  - cast: { amount: money }
            """, 9, 25);

        error.Message.ShouldContain("'amount'");
        error.Message.ShouldContain("transform step 2 (cast)");
        error.Message.ShouldContain("'money'");
    }

    [Fact]
    public async Task Load_ResampleAndUnpivot_ReadTheirSettings()
    {
        var rules = await RulesAsync("""
                transform:
                  - resample: { time: ts, every: 10m, by: [turbine], origin: "2024-01-01", aggregate: { wind_speed: [mean, std], power: max } }
                  - unpivot: { columns: ["*_mean", power_max], name: signal, value: v }
                  - unpivot: { columns: a }
            """);

        var resample = rules.Transform[0].Resample!;
        (resample.Time, resample.Every.Duration, resample.Origin).ShouldBe(("ts", TimeSpan.FromMinutes(10), "2024-01-01"));
        resample.By.ShouldBe(["turbine"]);
        resample.Aggregate.Select(a => $"{a.Key}: {string.Join(",", a.Value)}").ShouldBe(["wind_speed: mean,std", "power: max"]);
        rules.Transform[1].Unpivot.ShouldBe(new UnpivotSettings(["*_mean", "power_max"], "signal", "v", DropNulls: false), new UnpivotComparer());
        (rules.Transform[2].Unpivot!.Name, rules.Transform[2].Unpivot!.Value).ShouldBe(("name", "value"));
        rules.Transform.Select(t => t.Reshapes).ShouldAllBe(r => r);
    }

    [Fact]
    public async Task Load_Lookup_ReadsItsSettings_WithDefaults()
    {
        var rules = await RulesAsync("""
                transform:
                  - lookup: { column: signal, table: dim.signal, key: signal_key, name: label, as: sid }
                  - lookup: { column: unit, table: units }
            """);

        rules.Transform[0].Lookup.ShouldBe(new LookupSettings("signal", "dim.signal", "signal_key", "label", "sid"));
        rules.Transform[1].Lookup.ShouldBe(new LookupSettings("unit", "units", "id", "name", "unit_id"));
    }

    private sealed class UnpivotComparer : IEqualityComparer<UnpivotSettings>
    {
        public bool Equals(UnpivotSettings? x, UnpivotSettings? y) =>
            x is not null && y is not null && x.Columns.SequenceEqual(y.Columns) && (x.Name, x.Value, x.DropNulls) == (y.Name, y.Value, y.DropNulls);

        public int GetHashCode(UnpivotSettings obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  - resample: { time: ts, every: 10x, aggregate: { a: [mean] } }", 8, 38, "'every' of transform step 1 (resample)")]
    [InlineData("  - resample: { time: ts, every: 10m, aggregate: { a: [avg] } }", 8, 59, "'avg' in the aggregates of 'a'")]
    [InlineData("  - resample: { time: ts, every: 10m }", 8, 19, "needs 'aggregate:'")]
    [InlineData("  - unpivot: { name: signal }", 8, 18, "needs 'columns:'")]
    public async Task Load_WhenAReshapingStepIsWrong_SaysWhere(string step, int line, int column, string expected)
    {
        var error = await FailsAtAsync($"    transform:\n    {step}", line, column);

        error.Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("    schema_contract: frozen", 7, 22, "'schema_contract'")]
    [InlineData("    schema_contract: { columns: frozen }", 7, 33, "'columns' of 'schema_contract'")]
    [InlineData("    schema_contract: { data_type: discard }", 7, 35, "'data_type' of 'schema_contract'")]
    public async Task Load_WhenAContractModeIsUnknown_ListsTheModes(string rules, int line, int column, string what)
    {
        var error = await FailsAtAsync(rules, line, column);

        error.Message.ShouldContain(what);
        error.Message.ShouldContain("evolve, freeze, discard_row, discard_column");
    }

    [Fact]
    public async Task Load_WhenAContractKeyIsUnknown_NamesIt()
    {
        var error = await FailsAtAsync("    schema_contract: { column: freeze }", 7, 24);

        error.Message.ShouldContain("unknown key 'column'");
        error.Message.ShouldContain("Did you mean 'columns'?");
    }

    [Fact]
    public async Task Load_WhenQuarantineMeetsATableLevelErrorCheck_NamesTheCheckAndTheWayOut()
    {
        var error = await FailsAtAsync("""
                checks:
                  - not_null: [id]
                  - row_count: { min: 1 }
                on_check_failure: quarantine
            """, 10, 23);

        error.Message.ShouldContain("'row_count'");
        error.Message.ShouldContain(":9:9");
        error.Message.ShouldContain("severity: warn");
    }

    [Fact]
    public async Task Load_WhenQuarantineMeetsATableLevelWarnCheck_IsFine()
    {
        var rules = await RulesAsync("""
                checks:
                  - not_null: [id]
                  - row_count: { min: 1 }
                    severity: warn
                on_check_failure: quarantine
            """);

        rules.OnCheckFailure.ShouldBe(CheckFailure.Quarantine);
    }

    [Fact]
    public async Task Load_WhenTwoChecksHaveTheSameName_PointsAtTheSecond()
    {
        var error = await FailsAtAsync("""
                checks:
                  - unique: id
                  - not_null: [id]
                  - unique: id
            """, 10, 9);

        error.Message.ShouldContain("'unique(id)'");
        error.Message.ShouldContain("name:");
    }

    [Fact]
    public async Task Load_WhenTwoChecksAreNamedAlike_PointsAtTheSecond()
    {
        var error = await FailsAtAsync("""
                checks:
                  - expression: "amount > 0"
                    name: sane
                  - expression: "qty > 0"
                    name: sane
            """, 10, 9);

        error.Message.ShouldContain("'sane'");
    }

    [Fact]
    public async Task Load_WhenARegexDoesNotParse_PointsAtThePattern()
    {
        var error = await FailsAtAsync("""
                checks:
                  - regex: { column: country, pattern: "[A-Z" }
            """, 8, 44);

        error.Message.ShouldContain("not a valid regular expression");
        error.Message.ShouldContain("'regex' check");
    }

    [Theory]
    [InlineData("rename")]
    [InlineData("cast")]
    [InlineData("derive")]
    [InlineData("fill_nulls")]
    [InlineData("parse_timestamp")]
    public async Task Load_WhenAPairProcessorHasNoPairs_SaysItNeedsOne(string processor)
    {
        var error = await FailsAtAsync($"""
                transform:
                  - {processor}: {"{}"}
            """, 8, 11 + processor.Length);

        error.Message.ShouldContain($"transform step 1 ({processor})");
        error.Message.ShouldContain("at least one 'column: value' pair");
    }

    [Fact]
    public async Task Load_WhenAProcessorIsUnknown_SuggestsTheClosest()
    {
        var error = await FailsAtAsync("""
                transform:
                  - dedup: [id]
            """, 8, 9);

        error.Message.ShouldContain("unknown key 'dedup'");
        error.Message.ShouldContain("Did you mean 'dedupe'?");
    }

    [Fact]
    public async Task Load_WhenAStepNamesTwoProcessors_SaysOneEach()
    {
        var error = await FailsAtAsync("""
                transform:
                  - trim: [a]
                  - lower: [a]
                    upper: [b]
            """, 9, 9);

        error.Message.ShouldContain("transform step 2");
        error.Message.ShouldContain("exactly one processor");
    }

    [Fact]
    public async Task Load_WhenDedupeKeepIsNeitherFirstNorLast_SaysSo()
    {
        var error = await FailsAtAsync("""
                transform:
                  - dedupe: { by: id, keep: middle }
            """, 8, 33);

        error.Message.ShouldContain("first or last");
        error.Message.ShouldContain("'middle'");
    }

    [Fact]
    public async Task Load_WhenDedupeHasNoKey_AsksForBy()
    {
        var error = await FailsAtAsync("""
                transform:
                  - dedupe: { keep: first }
            """, 8, 17);

        error.Message.ShouldContain("needs 'by:'");
    }

    [Fact]
    public async Task Load_WhenAColumnListIsEmpty_AsksForAColumn()
    {
        var error = await FailsAtAsync("""
                transform:
                  - select: []
            """, 8, 17);

        error.Message.ShouldContain("needs a column name");
    }

    [Fact]
    public async Task Load_WhenTransformIsNotAList_ShowsAnExample()
    {
        var error = await FailsAtAsync("    transform: { trim: [name] }", 7, 16);

        error.Message.ShouldContain("must be a list of processors");
    }

    [Fact]
    public async Task Load_WhenFreshnessAgeIsNoDuration_SaysWhatItMustBe()
    {
        var error = await FailsAtAsync("""
                checks:
                  - freshness: { column: paid_at, max_age: soon }
            """, 8, 48);

        error.Message.ShouldContain("'soon'");
        error.Message.ShouldContain("6h");
    }

    [Fact]
    public async Task Load_WhenARangeHasNoBounds_AsksForThem()
    {
        var error = await FailsAtAsync("""
                checks:
                  - range: { column: amount }
            """, 8, 16);

        error.Message.ShouldContain("needs 'min:', 'max:' or both");
    }

    [Fact]
    public async Task Load_WhenARangeBoundIsNoNumber_SaysSo()
    {
        var error = await FailsAtAsync("""
                checks:
                  - range: { column: amount, min: lots }
            """, 8, 39);

        error.Message.ShouldContain("'lots'");
    }

    [Fact]
    public async Task Load_WhenAcceptedValuesHasNoValues_AsksForThem()
    {
        var error = await FailsAtAsync("""
                checks:
                  - accepted_values: { column: status }
            """, 8, 26);

        error.Message.ShouldContain("needs 'values:'");
    }

    [Fact]
    public async Task Load_WhenOnCheckFailureIsUnknown_ListsTheChoices()
    {
        var error = await FailsAtAsync("    on_check_failure: explode", 7, 23);

        error.Message.ShouldContain("fail, warn, quarantine");
    }

    [Fact]
    public async Task Load_WhenSeverityIsUnknown_ListsTheChoices()
    {
        var error = await FailsAtAsync("""
                checks:
                  - not_null: [id]
                    severity: fatal
            """, 9, 19);

        error.Message.ShouldContain("error, warn");
    }
}
