using ExcelDataReader;

namespace Wharf.Sources.Files.Excel;

/// <summary>
/// The column names of a sheet from its header row. A blank cell under a merged header takes the
/// merged cell's name; any other blank cell is <c>column_&lt;letter&gt;</c> (dropped when the column
/// holds nothing); a name seen before gets <c>_2</c>, <c>_3</c>… in column order.
/// </summary>
internal sealed record ExcelHeader(IReadOnlyList<string> Names, int FirstColumn, bool AllSheets)
{
    /// <summary>Each column's type in this sheet so far, widened cell by cell.</summary>
    public ExcelColumnType[] Types { get; } = [.. Names.Select(_ => ExcelColumnType.Empty)];

    public const string UnnamedPrefix = "column_";

    public static ExcelHeader Read(IExcelDataReader reader, int row, int firstColumn, int lastColumn, bool allSheets)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ExcelSpool.SheetColumn };
        for (var column = firstColumn; column <= lastColumn; column++)
        {
            var name = Convert.ToString(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture)?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                name = MergedName(reader, row, column, firstColumn, names) ?? UnnamedPrefix + Projects.ExcelRange.Letters(column).ToLowerInvariant();
            }

            var unique = name;
            for (var n = 2; !seen.Add(unique); n++)
            {
                unique = $"{name}_{n}";
            }

            names.Add(unique);
        }

        return new ExcelHeader(names, firstColumn, allSheets);
    }

    /// <summary>The name of the merged header cell that covers (<paramref name="row"/>, <paramref name="column"/>), when there is one to the left.</summary>
    private static string? MergedName(IExcelDataReader reader, int row, int column, int firstColumn, List<string> names)
    {
        var merged = reader.MergeCells?.FirstOrDefault(m => m.FromRow <= row && row <= m.ToRow && m.FromColumn < column && column <= m.ToColumn);
        return merged is not null && merged.FromColumn >= firstColumn ? names[merged.FromColumn - firstColumn] : null;
    }
}
