using System.Collections.Immutable;

namespace Wharf.Sources.Sql;

// What a database says about itself: tables, columns, keys. Read by `wharf discover` and by
// whole-database syncs to pick tables and order them by their foreign keys.

/// <summary>A table of a source database.</summary>
internal sealed record CatalogTable(
    string Schema,
    string Name,
    ImmutableArray<CatalogColumn> Columns,
    ImmutableArray<string> PrimaryKey,
    ImmutableArray<CatalogForeignKey> ForeignKeys,
    long EstimatedRows)
{
    public string QualifiedName => $"{Schema}.{Name}";

    /// <summary>Whether this is a view (listed by <c>discover</c>; read with a <c>query:</c>).</summary>
    public bool IsView { get; init; }
}

/// <summary>A column: its name, the database's own type name, and how Wharf reads it.</summary>
/// <param name="DataType">The type as the database spells it, e.g. <c>numeric(12,2)</c>.</param>
internal sealed record CatalogColumn(string Name, string DataType, bool Nullable)
{
    /// <summary>Engine-specific detail the source needs to read the column (e.g. PostgreSQL's base type).</summary>
    internal PostgresTypeInfo? Postgres { get; init; }

    /// <summary>MySQL's view of the column's type, for the MySQL source.</summary>
    internal MySqlTypeInfo? MySql { get; init; }
}

/// <summary>A foreign key from this table's <paramref name="Columns"/> to another table's.</summary>
internal sealed record CatalogForeignKey(string Name, ImmutableArray<string> Columns, string ReferencedSchema, string ReferencedTable, ImmutableArray<string> ReferencedColumns)
{
    public string ReferencedQualifiedName => $"{ReferencedSchema}.{ReferencedTable}";
}

/// <summary>PostgreSQL's view of a column's type, with domains resolved to their base type.</summary>
/// <param name="TypeName">The base type's name (<c>int4</c>, <c>numeric</c>, <c>_int4</c> for arrays).</param>
/// <param name="TypeModifier">The base type's modifier (-1 when none).</param>
/// <param name="Kind">pg_type.typtype of the base type: b(ase), e(num), r(ange), c(omposite)…</param>
/// <param name="ElementTypeName">For arrays, the element type's name.</param>
internal sealed record PostgresTypeInfo(string TypeName, int TypeModifier, char Kind, string? ElementTypeName, char ElementKind);

/// <summary>MySQL's (or MariaDB's) view of a column's type, as information_schema.COLUMNS gives it.</summary>
/// <param name="DataType">DATA_TYPE, lower case: <c>int</c>, <c>decimal</c>, <c>datetime</c>, <c>point</c>…</param>
/// <param name="ColumnType">COLUMN_TYPE, lower case: <c>int(10) unsigned</c>, <c>decimal(65,30)</c>, <c>tinyint(1)</c>, <c>bit(5)</c>…</param>
/// <param name="Precision">NUMERIC_PRECISION (digits of a DECIMAL; bits of a BIT), or 0.</param>
/// <param name="Scale">NUMERIC_SCALE, or 0.</param>
/// <param name="Json">A JSON column: MySQL's own type, or MariaDB's LONGTEXT with a json_valid check.</param>
internal sealed record MySqlTypeInfo(string DataType, string ColumnType, int Precision, int Scale, bool Json)
{
    public bool Unsigned => ColumnType.Contains("unsigned", StringComparison.Ordinal);
}
