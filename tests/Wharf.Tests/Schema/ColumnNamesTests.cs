using Wharf.Schema;

namespace Wharf.Tests.Schema;

public sealed class ColumnNamesTests
{
    [Theory]
    [InlineData("OrderID", "order_id")]
    [InlineData("Customer Name", "customer_name")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("getHTTPResponseCode", "get_http_response_code")]
    [InlineData("camelCase", "camel_case")]
    [InlineData("PascalCase", "pascal_case")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("ALLCAPS", "allcaps")]
    [InlineData("ID", "id")]
    [InlineData("amount($)", "amount")]
    [InlineData("Price (USD)", "price_usd")]
    [InlineData("Order-Date", "order_date")]
    [InlineData("e.mail", "e_mail")]
    [InlineData("  padded  ", "padded")]
    [InlineData("double__underscore", "double__underscore")]
    [InlineData("Customer__ZipCode", "customer__zip_code")]
    [InlineData("Customer  --  Name", "customer_name")]
    [InlineData("Address Line 1", "address_line_1")]
    [InlineData("MP3File", "mp3_file")]
    [InlineData("Version2Name", "version2_name")]
    [InlineData("2nd", "_2nd")]
    [InlineData("2024 Sales", "_2024_sales")]
    [InlineData("Größe", "größe")]
    [InlineData("IDs", "ids")]
    [InlineData("CustomerIDs", "customer_ids")]
    [InlineData("_id", "_id")]
    [InlineData("__meta__", "__meta")]
    public void ToSnakeCase_TurnsSourceNamesIntoSnakeCase(string name, string expected)
    {
        ColumnNames.ToSnakeCase(name).ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("($)")]
    [InlineData("   ")]
    [InlineData("___")]
    public void ToSnakeCase_WhenNothingIsLeft_ReturnsEmpty(string name)
    {
        ColumnNames.ToSnakeCase(name).ShouldBe("");
    }

    [Fact]
    public void ToSnakeCase_WhenNameIsNull_Throws()
    {
        Should.Throw<ArgumentNullException>(() => ColumnNames.ToSnakeCase(null!));
    }

    [Fact]
    public void Normalize_WhenNamesAreDistinct_KeepsTheirOrder()
    {
        ColumnNames.Normalize(["OrderID", "Customer Name", "amount($)"])
            .ShouldBe(["order_id", "customer_name", "amount"]);
    }

    [Fact]
    public void Normalize_WhenNameIsEmpty_NamesItAfterItsPosition()
    {
        ColumnNames.Normalize(["", "id", "", "($)"])
            .ShouldBe(["column_1", "id", "column_3", "column_4"]);
    }

    [Fact]
    public void Normalize_WhenTwoNamesCollide_SuffixesTheLaterOne()
    {
        ColumnNames.Normalize(["a b", "a_b"]).ShouldBe(["a_b", "a_b_2"]);
    }

    [Fact]
    public void Normalize_WhenManyNamesCollide_CountsUpInColumnOrder()
    {
        ColumnNames.Normalize(["Name", "name", "NAME", "other"])
            .ShouldBe(["name", "name_2", "name_3", "other"]);
    }

    [Fact]
    public void Normalize_WhenASuffixIsAlreadyTaken_SkipsToTheNextFreeOne()
    {
        var names = ColumnNames.Normalize(["a_b_2", "a b", "a_b"]);

        names.ShouldBe(["a_b_2", "a_b", "a_b_3"]);
    }

    [Fact]
    public void Normalize_WhenAnEmptyNameCollidesWithAPositionalName_StillGivesUniqueNames()
    {
        var names = ColumnNames.Normalize(["column_2", ""]);

        names.ShouldBe(["column_2", "column_2_2"]);
    }

    [Fact]
    public void Normalize_AlwaysGivesUniqueNames()
    {
        string[] source = ["a", "A", "a_2", "a 2", "", "", "a-2", "A_2"];

        var names = ColumnNames.Normalize(source);

        names.Count.ShouldBe(source.Length);
        names.ShouldBeUnique();
    }

    [Fact]
    public void Normalize_IsDeterministic()
    {
        string[] source = ["Id", "ID", "id ", "", "Customer Name", "customer_name"];

        var first = ColumnNames.Normalize(source);
        var second = ColumnNames.Normalize([.. source]);

        second.ShouldBe(first);
        first.ShouldBe(["id", "id_2", "id_3", "column_4", "customer_name", "customer_name_2"]);
    }

    [Theory]
    [InlineData("order_date", 1)]
    [InlineData("Order Date", 1)]
    [InlineData("CamelCase", 0)]
    [InlineData("camel_case", 0)]
    [InlineData("nope", null)]
    public void Find_TakesTheSourcesSpelling_OfAColumnAlreadyInWarehouseNames(string wanted, int? expected)
    {
        string[] warehouseNames = ["camel_case", "order_date"];

        ColumnNames.Find(warehouseNames, wanted, n => n).ShouldBe(expected);
    }

    [Fact]
    public void Normalize_WhenNamesIsNull_Throws()
    {
        Should.Throw<ArgumentNullException>(() => ColumnNames.Normalize(null!));
    }
}
