namespace Wharf.Projects;

/// <summary>
/// How an Excel workbook (<c>.xlsx</c>, <c>.xlsm</c>, <c>.xls</c>) becomes rows: <c>excel: { sheet,
/// header_row, range, skip_rows }</c> under a files pipeline.
/// </summary>
internal sealed record ExcelSettings
{
    /// <summary>The sheet by name, or null for <see cref="SheetNumber"/> (or every sheet with <see cref="AllSheets"/>).</summary>
    public string? SheetName { get; init; }

    /// <summary>The sheet by position, from 1.</summary>
    /// <value>1: the first sheet.</value>
    public int SheetNumber { get; init; } = 1;

    /// <summary>Every sheet (<c>sheet: "*"</c>), each row with its sheet's name in <c>_sheet</c>.</summary>
    public bool AllSheets { get; init; }

    /// <summary>The row (from 1) that holds the column names; by default the first row of <see cref="Range"/>, or 1.</summary>
    public int? HeaderRow { get; init; }

    /// <summary>Rows skipped after the header row (a row of units under the names, say).</summary>
    public int SkipRows { get; init; }

    /// <summary>Only these cells (<c>range: "A1:F999"</c>), or null for the whole sheet.</summary>
    public ExcelRange? Range { get; init; }
}

/// <summary>A block of cells: columns and rows from 0, both ends included; <see cref="LastRow"/> null for "to the end".</summary>
internal sealed record ExcelRange(string Text, int FirstColumn, int LastColumn, int FirstRow, int? LastRow)
{
    /// <summary><c>A1:F999</c> or <c>B:D</c> (whole columns); null when the text is not a range.</summary>
    public static ExcelRange? Parse(string text)
    {
        var parts = text.Trim().ToUpperInvariant().Split(':');
        if (parts.Length != 2 || Cell(parts[0]) is not var (firstColumn, firstRow) || Cell(parts[1]) is not var (lastColumn, lastRow)
            || lastColumn < firstColumn || (firstRow is null) != (lastRow is null) || lastRow < firstRow)
        {
            return null;
        }

        return new ExcelRange(text.Trim(), firstColumn, lastColumn, (firstRow ?? 1) - 1, lastRow - 1);
    }

    /// <summary>The column letters of a cell, from 0 (<c>A</c> → 0, <c>AA</c> → 26).</summary>
    public static string Letters(int column)
    {
        var letters = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }

    private static (int Column, int? Row)? Cell(string cell)
    {
        var letters = cell.TakeWhile(char.IsAsciiLetterUpper).Count();
        if (letters is 0 or > 3)
        {
            return null;
        }

        var column = cell[..letters].Aggregate(0, (n, c) => (n * 26) + (c - 'A' + 1)) - 1;
        if (letters == cell.Length)
        {
            return (column, null);
        }

        return int.TryParse(cell[letters..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var row) && row >= 1
            ? (column, row)
            : null;
    }
}
