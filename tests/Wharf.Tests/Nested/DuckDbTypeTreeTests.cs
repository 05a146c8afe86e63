using Wharf.DuckDb;
using Wharf.Schema;

namespace Wharf.Tests.Nested;

/// <summary>
/// <see cref="DuckDbTypeTree.Parse"/> on the type names DuckDB's DESCRIBE prints: lists and
/// structs are walked (to any depth, with quoted field names), everything else is one scalar,
/// and what it cannot walk stays the raw text instead of failing.
/// </summary>
public sealed class DuckDbTypeTreeTests
{
    /// <summary>A tree as text: <c>[x]</c> for a list of x, <c>{name: x, …}</c> for a struct, else the scalar's name.</summary>
    private static string Shape(DuckDbTypeTree tree) =>
        tree.IsList ? $"[{Shape(tree.Element!)}]"
        : tree.IsStruct ? $"{{{string.Join(", ", tree.Fields!.Select(f => $"{f.Name}: {Shape(f.Type)}"))}}}"
        : tree.Text;

    [Theory]
    [InlineData("BIGINT")]
    [InlineData("VARCHAR")]
    [InlineData("JSON")]
    [InlineData("DECIMAL(12,2)")]
    [InlineData("DECIMAL(38,10)")]
    [InlineData("TIMESTAMP WITH TIME ZONE")]
    [InlineData("MAP(VARCHAR, INTEGER)")]
    [InlineData("MAP(VARCHAR, STRUCT(a INTEGER, b VARCHAR[]))")]
    [InlineData("UNION(n INTEGER, s VARCHAR)")]
    public void Parse_Scalar_IsOneValueWithItsWholeName(string type)
    {
        var tree = DuckDbTypeTree.Parse(type);

        tree.Text.ShouldBe(type);
        tree.IsList.ShouldBeFalse();
        tree.IsStruct.ShouldBeFalse();
    }

    [Fact]
    public void Parse_List_HasItsElement()
    {
        var tree = DuckDbTypeTree.Parse("DECIMAL(12,2)[]");

        tree.IsList.ShouldBeTrue();
        tree.Text.ShouldBe("DECIMAL(12,2)[]");
        tree.Element!.Text.ShouldBe("DECIMAL(12,2)");
        tree.Element.IsList.ShouldBeFalse();
    }

    [Fact]
    public void Parse_ListOfLists_NestsOneElementPerBracketPair()
    {
        var tree = DuckDbTypeTree.Parse("BIGINT[][][]");

        Shape(tree).ShouldBe("[[[BIGINT]]]");
        tree.Element!.Text.ShouldBe("BIGINT[][]");
        tree.Element.Element!.Text.ShouldBe("BIGINT[]");
    }

    [Fact]
    public void Parse_Struct_HasItsFieldsInOrder()
    {
        var tree = DuckDbTypeTree.Parse("STRUCT(a INTEGER, b VARCHAR[], c DECIMAL(12,2), d TIMESTAMP WITH TIME ZONE)");

        tree.IsStruct.ShouldBeTrue();
        tree.IsList.ShouldBeFalse();
        Shape(tree).ShouldBe("{a: INTEGER, b: [VARCHAR], c: DECIMAL(12,2), d: TIMESTAMP WITH TIME ZONE}");
    }

    [Fact]
    public void Parse_ListOfStructsOfListsOfStructs_WalksEveryLevel()
    {
        var tree = DuckDbTypeTree.Parse("STRUCT(sku VARCHAR, qty BIGINT, options STRUCT(\"name\" VARCHAR, \"value\" VARCHAR, extra STRUCT(code BIGINT))[], tags VARCHAR[])[]");

        Shape(tree).ShouldBe("[{sku: VARCHAR, qty: BIGINT, options: [{name: VARCHAR, value: VARCHAR, extra: {code: BIGINT}}], tags: [VARCHAR]}]");
    }

    [Fact]
    public void Parse_QuotedFieldNames_KeepSpacesCommasParenthesesAndDoubledQuotes()
    {
        var tree = DuckDbTypeTree.Parse("STRUCT(\"a b\" INTEGER, \"p,q\" VARCHAR, \"x\"\"y\" INTEGER[], \"select\" BIGINT, \"f(x)\" VARCHAR, \"l[]\" BIGINT, A INTEGER)");

        tree.Fields!.Select(f => f.Name).ShouldBe(["a b", "p,q", "x\"y", "select", "f(x)", "l[]", "A"]);
        Shape(tree).ShouldBe("{a b: INTEGER, p,q: VARCHAR, x\"y: [INTEGER], select: BIGINT, f(x): VARCHAR, l[]: BIGINT, A: INTEGER}");
    }

    [Fact]
    public void Parse_StructWithMapDecimalAndUnion_KeepsThemAsScalars()
    {
        var tree = DuckDbTypeTree.Parse("STRUCT(m MAP(VARCHAR, INTEGER), d DECIMAL(12,2), u UNION(n INTEGER, s VARCHAR), after VARCHAR)");

        Shape(tree).ShouldBe("{m: MAP(VARCHAR, INTEGER), d: DECIMAL(12,2), u: UNION(n INTEGER, s VARCHAR), after: VARCHAR}");
    }

    [Fact]
    public void Parse_MapWithAQuotedFieldNameHoldingParentheses_IsOneScalar()
    {
        var tree = DuckDbTypeTree.Parse("STRUCT(m MAP(VARCHAR, STRUCT(\"a)\" INTEGER)), b BIGINT)");

        Shape(tree).ShouldBe("{m: MAP(VARCHAR, STRUCT(\"a)\" INTEGER)), b: BIGINT}");
    }

    [Theory]
    [InlineData("INTEGER[3]")]
    [InlineData("INTEGER[][3]")]
    [InlineData("STRUCT(a INTEGER)[2]")]
    public void Parse_FixedSizeArray_IsARawScalar(string type)
    {
        var tree = DuckDbTypeTree.Parse(type);

        tree.Text.ShouldBe(type);
        tree.IsList.ShouldBeFalse();
        tree.IsStruct.ShouldBeFalse();
    }

    [Theory]
    [InlineData("INTEGER[3][]", "[INTEGER[3]]")]
    [InlineData("STRUCT(f INTEGER[3])", "{f: INTEGER[3]}")]
    [InlineData("STRUCT(a INTEGER, f INTEGER[3], b VARCHAR)", "{a: INTEGER, f: INTEGER[3], b: VARCHAR}")]
    [InlineData("STRUCT(a INTEGER, f INTEGER[3])[]", "[{a: INTEGER, f: INTEGER[3]}]")]
    [InlineData("STRUCT(s STRUCT(x BIGINT)[2], t BIGINT)", "{s: STRUCT(x BIGINT)[2], t: BIGINT}")]
    public void Parse_FixedSizeArrayInsideAListOrStruct_IsARawScalarThere(string type, string shape)
    {
        Shape(DuckDbTypeTree.Parse(type)).ShouldBe(shape);
    }

    [Theory]
    [InlineData("")]
    [InlineData("STRUCT(")]
    [InlineData("STRUCT(a INTEGER")]
    [InlineData("STRUCT(a")]
    [InlineData("STRUCT(\"a")]
    [InlineData("STRUCT(a INTEGER,")]
    [InlineData("BIGINT)")]
    public void Parse_TextItCannotWalk_FallsBackToTheRawTextWithoutThrowing(string type)
    {
        var tree = DuckDbTypeTree.Parse(type);

        tree.Text.ShouldBe(type);
        tree.IsList.ShouldBeFalse();
        tree.IsStruct.ShouldBeFalse();
    }

    [Fact]
    public void Parse_WhatDuckDbItselfPrints_WalksIt()
    {
        using var connection = DuckDbConnections.Open(null);
        using var reader = connection.Query("""
            DESCRIBE SELECT {'a b': 1, 'A': 2, 'select': 3, 'x"y': [1, 2], 'p,q': 'z', 'm': map {'k': 1},
                'd': 1.5::DECIMAL(12,2), 'l': [[{'deep': true}]], 'f': [1, 2, 3]::INTEGER[3]} AS s,
                [{'n': 1}] AS list, 'plain' AS text
            """);
        var types = new List<string>();
        while (reader.Read())
        {
            types.Add(reader.GetString(1));
        }

        types.Count.ShouldBe(3);
        Shape(DuckDbTypeTree.Parse(types[0])).ShouldBe(
            "{a b: INTEGER, A: INTEGER, select: INTEGER, x\"y: [INTEGER], p,q: VARCHAR, m: MAP(VARCHAR, INTEGER), d: DECIMAL(12,2), l: [[{deep: BOOLEAN}]], f: INTEGER[3]}",
            types[0]);
        Shape(DuckDbTypeTree.Parse(types[1])).ShouldBe("[{n: INTEGER}]");
        Shape(DuckDbTypeTree.Parse(types[2])).ShouldBe("VARCHAR");
    }
}
