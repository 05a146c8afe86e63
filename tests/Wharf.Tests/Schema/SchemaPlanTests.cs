using Wharf.Projects;
using Wharf.Schema;

namespace Wharf.Tests.Schema;

/// <summary>
/// How incoming columns meet a table's schema under each contract mode, for new tables, new
/// columns and changed types: what is added, widened, cast, discarded, or refused before loading.
/// </summary>
public sealed class SchemaPlanTests
{
    private const string Table = "raw.items";

    private static readonly TableColumn[] Existing =
    [
        new("id", LogicalType.FromDuckDb("BIGINT")),
        new("amount", LogicalType.FromDuckDb("DECIMAL(5,2)")),
        new("name", LogicalType.Text),
    ];

    private static SchemaContract Contract(ContractMode tables = ContractMode.Evolve, ContractMode columns = ContractMode.Evolve, ContractMode dataType = ContractMode.Evolve) =>
        new(tables, columns, dataType);

    private static SchemaPlan Plan(IReadOnlyList<TableColumn>? existing, (string, string)[] incoming, SchemaContract? contract = null, params string[] declaredText) =>
        SchemaPlan.For(Table, existing, incoming, contract ?? Contract(), new HashSet<string>(declaredText, StringComparer.Ordinal), "s");

    [Fact]
    public void For_WhenIncomingMatchesTheTable_ReadsEachColumnAsItIs()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR")]);

        plan.Added.ShouldBeEmpty();
        plan.Widened.ShouldBeEmpty();
        plan.Projection.ShouldBe(["s.\"id\"", "s.\"amount\"", "s.\"name\""]);
        plan.Columns.ShouldBe(["id", "amount", "name"]);
        plan.DiscardRow.ShouldBeNull();
        plan.DiscardAll.ShouldBeFalse();
        plan.Notes.ShouldBeEmpty();
    }

    [Fact]
    public void For_WhenIncomingIsNarrower_CastsItToTheTablesType()
    {
        var plan = Plan(Existing, [("id", "INTEGER"), ("amount", "DECIMAL(4,1)"), ("name", "VARCHAR")]);

        plan.Widened.ShouldBeEmpty();
        plan.Projection.ShouldBe(["CAST(s.\"id\" AS BIGINT) AS \"id\"", "CAST(s.\"amount\" AS DECIMAL(5,2)) AS \"amount\"", "s.\"name\""]);
        plan.Notes.ShouldBeEmpty();
    }

    [Fact]
    public void For_WhenTheTableIsNew_AndTablesEvolve_LoadsEveryColumn()
    {
        var plan = Plan(null, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)")], Contract(columns: ContractMode.Freeze, dataType: ContractMode.Freeze));

        plan.Projection.ShouldBe(["s.\"id\"", "s.\"amount\""]);
        plan.Columns.ShouldBe(["id", "amount"]);
        plan.DiscardAll.ShouldBeFalse();
        plan.Notes.ShouldBeEmpty();
    }

    [Fact]
    public void For_WhenTheTableIsNew_AndTablesFreeze_FailsNamingTheTable()
    {
        var error = Should.Throw<SchemaChangeException>(() => Plan(null, [("id", "BIGINT")], Contract(tables: ContractMode.Freeze)));

        error.Message.ShouldContain("raw.items does not exist");
        error.Message.ShouldContain("tables: freeze");
        error.Message.ShouldContain("Nothing was loaded");
    }

    [Theory]
    [InlineData(ContractMode.DiscardRow, "discard_row")]
    [InlineData(ContractMode.DiscardColumn, "discard_column")]
    public void For_WhenTheTableIsNew_AndTablesDiscard_DiscardsEveryRow(object expected, string name)
    {
        // object: ContractMode is internal, and a public test method cannot take it.
        var mode = (ContractMode)expected;
        var plan = Plan(null, [("id", "BIGINT")], Contract(tables: mode));

        plan.DiscardAll.ShouldBeTrue();
        plan.Notes.ShouldBe([$"discarded every row: raw.items does not exist and schema_contract tables: {name}"]);
    }

    [Fact]
    public void For_WhenTheTableExists_TheTablesContractDoesNotMatter()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR")], Contract(tables: ContractMode.Freeze));

        plan.DiscardAll.ShouldBeFalse();
        plan.Columns.ShouldBe(["id", "amount", "name"]);
    }

    [Fact]
    public void For_WhenANewColumnArrives_AndColumnsEvolve_AddsItAfterTheTablesColumns()
    {
        var plan = Plan(Existing, [("note", "VARCHAR"), ("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR")]);

        plan.Added.ShouldBe([new ColumnChange("note", null, LogicalType.Text)]);
        plan.Columns.ShouldBe(["id", "amount", "name", "note"]);
        plan.Projection[^1].ShouldBe("s.\"note\"");
        plan.Notes.ShouldBe(["added column note (text)"]);
    }

    [Fact]
    public void For_WhenANewColumnArrives_AndColumnsFreeze_FailsNamingTheColumnAndTable()
    {
        var error = Should.Throw<SchemaChangeException>(() =>
            Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR"), ("note", "VARCHAR")], Contract(columns: ContractMode.Freeze)));

        error.Message.ShouldContain("column note (text)");
        error.Message.ShouldContain("raw.items");
        error.Message.ShouldContain("columns: freeze");
        error.Message.ShouldContain("Nothing was loaded");
    }

    [Fact]
    public void For_WhenANewColumnArrives_AndColumnsDiscardRow_DropsTheRowsThatHaveAValueInIt()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR"), ("note", "VARCHAR")], Contract(columns: ContractMode.DiscardRow));

        plan.Added.ShouldBeEmpty();
        plan.Columns.ShouldBe(["id", "amount", "name"]);
        plan.DiscardRow.ShouldBe("s.\"note\" IS NOT NULL");
        plan.Notes.ShouldBe(["discarded rows with a value in the new column note"]);
    }

    [Fact]
    public void For_WhenANewColumnArrives_AndColumnsDiscardColumn_LoadsTheRowsWithoutIt()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR"), ("note", "VARCHAR")], Contract(columns: ContractMode.DiscardColumn));

        plan.Added.ShouldBeEmpty();
        plan.Columns.ShouldBe(["id", "amount", "name"]);
        plan.Projection.ShouldNotContain(p => p.Contains("note", StringComparison.Ordinal));
        plan.DiscardRow.ShouldBeNull();
        plan.Notes.ShouldBe(["discarded the new column note"]);
    }

    [Fact]
    public void For_WhenASourceColumnIsGone_LoadsNullIntoIt_AndKeepsIt()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)")], Contract(ContractMode.Freeze, ContractMode.Freeze, ContractMode.Freeze));

        plan.Columns.ShouldBe(["id", "amount", "name"]);
        plan.Projection[2].ShouldBe("CAST(NULL AS VARCHAR) AS \"name\"");
        plan.Added.ShouldBeEmpty();
        plan.Notes.ShouldBeEmpty();
    }

    [Fact]
    public void For_WhenWharfsOwnColumnsAreNotIncoming_LeavesThemToTheWriteMode()
    {
        TableColumn[] scd2 = [.. Existing, new("_wharf_valid_from", LogicalType.FromDuckDb("TIMESTAMP WITH TIME ZONE")), new("_wharf_is_current", LogicalType.FromDuckDb("BOOLEAN"))];

        var plan = Plan(scd2, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR")]);

        plan.Columns.ShouldBe(["id", "amount", "name"]);
    }

    [Fact]
    public void For_WhenAGoneColumnHasAnEngineSpecificType_LeavesItOutOfTheLoad()
    {
        TableColumn[] existing = [new("id", LogicalType.FromDuckDb("BIGINT")), new("tags", LogicalType.FromDuckDb("VARCHAR[]"))];

        var plan = Plan(existing, [("id", "BIGINT")]);

        plan.Columns.ShouldBe(["id"]);
    }

    [Fact]
    public void For_WhenAnIntegerColumnGetsDecimals_WidensToADecimalThatHoldsBoth()
    {
        var plan = Plan(Existing, [("id", "DECIMAL(10,2)"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR")]);

        plan.Widened.ShouldBe([new ColumnChange("id", LogicalType.FromDuckDb("BIGINT"), LogicalType.FromDuckDb("DECIMAL(21,2)"))]);
        plan.Projection[0].ShouldBe("CAST(s.\"id\" AS DECIMAL(21,2)) AS \"id\"");
        plan.Notes.ShouldBe(["widened id from int64 to decimal(21,2)"]);
    }

    [Fact]
    public void For_WhenATextColumnGetsNumbers_KeepsItText()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(5,2)"), ("name", "BIGINT")]);

        plan.Widened.ShouldBeEmpty();
        plan.Projection[2].ShouldBe("CAST(s.\"name\" AS VARCHAR) AS \"name\"");
    }

    [Fact]
    public void For_WhenDecimalGainsScale_WidensToHoldBoth()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(8,4)"), ("name", "VARCHAR")]);

        plan.Widened.ShouldBe([new ColumnChange("amount", LogicalType.FromDuckDb("DECIMAL(5,2)"), LogicalType.FromDuckDb("DECIMAL(8,4)"))]);
        plan.Notes.ShouldBe(["widened amount from decimal(5,2) to decimal(8,4)"]);
    }

    [Fact]
    public void For_WhenIntegerBecomesBigger_WidensToInt64()
    {
        TableColumn[] existing = [new("qty", LogicalType.FromDuckDb("INTEGER"))];

        var plan = Plan(existing, [("qty", "BIGINT")]);

        plan.Widened.ShouldBe([new ColumnChange("qty", LogicalType.FromDuckDb("INTEGER"), LogicalType.FromDuckDb("BIGINT"))]);
        plan.Projection.ShouldBe(["CAST(s.\"qty\" AS BIGINT) AS \"qty\""]);
    }

    [Fact]
    public void For_WhenATypeCannotBeWidened_FailsNamingTableColumnAndBothTypes()
    {
        var error = Should.Throw<SchemaChangeException>(() => Plan(Existing, [("id", "BIGINT"), ("amount", "VARCHAR"), ("name", "VARCHAR")]));

        error.Message.ShouldContain("raw.items.amount is decimal(5,2) in the warehouse and text in the new data");
        error.Message.ShouldContain("nothing was loaded");
        error.Message.ShouldContain("amount: text");
    }

    [Fact]
    public void For_WhenAColumnDeclaredTextArrivesAsText_WidensTheColumnToText()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "VARCHAR"), ("name", "VARCHAR")], null, "amount");

        plan.Widened.ShouldBe([new ColumnChange("amount", LogicalType.FromDuckDb("DECIMAL(5,2)"), LogicalType.Text)]);
        plan.Projection[1].ShouldBe("CAST(s.\"amount\" AS VARCHAR) AS \"amount\"");
        plan.Notes.ShouldBe(["widened amount from decimal(5,2) to text"]);
    }

    [Fact]
    public void For_WhenATypeWidens_AndDataTypeFreezes_FailsEvenThoughItCouldWiden()
    {
        var error = Should.Throw<SchemaChangeException>(() =>
            Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(8,4)"), ("name", "VARCHAR")], Contract(dataType: ContractMode.Freeze)));

        error.Message.ShouldContain("raw.items.amount is decimal(5,2) in the warehouse and decimal(8,4) in the new data");
        error.Message.ShouldContain("data_type: freeze");
    }

    [Fact]
    public void For_WhenAnIncomingTypeFits_DataTypeFreezeDoesNotMind()
    {
        var plan = Plan(Existing, [("id", "INTEGER"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR")], Contract(dataType: ContractMode.Freeze));

        plan.Projection[0].ShouldBe("CAST(s.\"id\" AS BIGINT) AS \"id\"");
    }

    [Fact]
    public void For_WhenATypeChanges_AndDataTypeDiscardsRows_DropsTheRowsWhoseValueDoesNotFit()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "VARCHAR"), ("name", "VARCHAR")], Contract(dataType: ContractMode.DiscardRow));

        plan.Widened.ShouldBeEmpty();
        plan.Columns.ShouldBe(["id", "amount", "name"]);
        plan.DiscardRow.ShouldNotBeNull().ShouldContain("s.\"amount\"");
        plan.Projection[1].ShouldContain("AS \"amount\"");
        plan.Notes.ShouldBe(["discarded rows whose amount (text) does not fit decimal(5,2)"]);
    }

    [Fact]
    public void For_WhenATypeChanges_AndDataTypeDiscardsColumns_SetsTheValuesThatDoNotFitToNull()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "VARCHAR"), ("name", "VARCHAR")], Contract(dataType: ContractMode.DiscardColumn));

        plan.Widened.ShouldBeEmpty();
        plan.DiscardRow.ShouldBeNull();
        plan.Columns.ShouldBe(["id", "amount", "name"]);
        plan.Projection[1].ShouldContain("AS \"amount\"");
        plan.Notes.ShouldBe(["discarded values of amount (text) that do not fit decimal(5,2)"]);
    }

    [Fact]
    public void For_WhenSeveralColumnsAreDiscarded_DiscardsARowIfAnyOfThemSaysSo()
    {
        var plan = Plan(Existing, [("id", "VARCHAR"), ("amount", "DECIMAL(5,2)"), ("name", "VARCHAR"), ("note", "VARCHAR")],
            Contract(columns: ContractMode.DiscardRow, dataType: ContractMode.DiscardRow));

        plan.DiscardRow.ShouldNotBeNull().ShouldContain(" OR ");
        plan.Notes.Count.ShouldBe(2);
    }

    [Fact]
    public void For_Notes_SayWhatWasAddedAndWidened_InOrder()
    {
        var plan = Plan(Existing, [("id", "BIGINT"), ("amount", "DECIMAL(10,3)"), ("name", "VARCHAR"), ("note", "VARCHAR"), ("qty", "INTEGER")]);

        plan.Notes.ShouldBe(["widened amount from decimal(5,2) to decimal(10,3)", "added column note (text)", "added column qty (int32)"]);
        plan.Columns.ShouldBe(["id", "amount", "name", "note", "qty"]);
    }
}
