using MySqlConnector;

namespace Wharf.Sources.Sql.MySql;

/// <summary>
/// A <c>query:</c>'s column as information_schema would describe it, from the result's metadata,
/// so that queries and tables share one type plan (<see cref="MySqlColumnPlan"/>). A JSON value a
/// query computes on MariaDB is LONGTEXT there, and so text here.
/// </summary>
internal static class MySqlQueryColumn
{
    public static CatalogColumn From(MySqlDbColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var size = column.ColumnSize ?? 0;
        var (dataType, unsigned) = column.ProviderType switch
        {
            MySqlDbType.Bool or MySqlDbType.Byte => ("tinyint", false),
            MySqlDbType.UByte => ("tinyint", true),
            MySqlDbType.Int16 => ("smallint", false),
            MySqlDbType.UInt16 => ("smallint", true),
            MySqlDbType.Int24 => ("mediumint", false),
            MySqlDbType.UInt24 => ("mediumint", true),
            MySqlDbType.Int32 => ("int", false),
            MySqlDbType.UInt32 => ("int", true),
            MySqlDbType.Int64 => ("bigint", false),
            MySqlDbType.UInt64 => ("bigint", true),
            MySqlDbType.Decimal or MySqlDbType.NewDecimal => ("decimal", false),
            MySqlDbType.Float => ("float", false),
            MySqlDbType.Double => ("double", false),
            MySqlDbType.Bit => ("bit", false),
            MySqlDbType.Date or MySqlDbType.Newdate => ("date", false),
            MySqlDbType.DateTime => ("datetime", false),
            MySqlDbType.Timestamp => ("timestamp", false),
            MySqlDbType.Time => ("time", false),
            MySqlDbType.Year => ("year", false),
            MySqlDbType.JSON => ("json", false),
            MySqlDbType.Geometry => ("geometry", false),
            MySqlDbType.String or MySqlDbType.VarString or MySqlDbType.VarChar or MySqlDbType.TinyText or MySqlDbType.Text
                or MySqlDbType.MediumText or MySqlDbType.LongText or MySqlDbType.Enum or MySqlDbType.Set => ("varchar", false),
            MySqlDbType.Binary or MySqlDbType.VarBinary or MySqlDbType.TinyBlob or MySqlDbType.Blob or MySqlDbType.MediumBlob or MySqlDbType.LongBlob => ("blob", false),
            _ => ("other", false),
        };

        var precision = dataType == "bit" ? size : column.NumericPrecision ?? 0;
        var scale = column.NumericScale ?? 0;
        var columnType = dataType switch
        {
            // A computed 0/1 flag (e.g. a > b) is BIGINT, not TINYINT(1): only a real TINYINT(1) reads as BOOLEAN.
            "tinyint" when size == 1 && !unsigned => "tinyint(1)",
            "decimal" => $"decimal({precision},{scale})",
            "bit" => $"bit({size})",
            _ => dataType,
        } + (unsigned ? " unsigned" : "");
        return new CatalogColumn(column.ColumnName, columnType, column.AllowDBNull ?? true)
        {
            MySql = new MySqlTypeInfo(dataType, columnType, precision, scale, dataType == "json"),
        };
    }
}
