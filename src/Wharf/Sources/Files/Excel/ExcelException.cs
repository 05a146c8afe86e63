namespace Wharf.Sources.Files.Excel;

/// <summary>A workbook that cannot be read as the pipeline says, naming the workbook (and the sheet).</summary>
internal sealed class ExcelException(string workbook, string? sheet, string problem, Exception? inner = null)
    : WharfException($"{workbook}{(sheet is null ? "" : $", sheet '{sheet}',")} {problem}", inner)
{
    public string Workbook { get; } = workbook;
}
