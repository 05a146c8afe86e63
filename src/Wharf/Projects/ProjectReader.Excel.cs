using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary><c>excel:</c> of a files pipeline.</summary>
internal sealed partial class ProjectReader
{
    private ExcelSettings ReadExcel(YamlMap? map, string context)
    {
        if (map is null)
        {
            return new ExcelSettings();
        }

        var what = $"'excel' of {context}";
        var settings = new ExcelSettings
        {
            HeaderRow = map.Int("header_row"),
            SkipRows = map.Int("skip_rows") ?? 0,
            Range = map.String("range") is { } range
                ? ExcelRange.Parse(range) ?? throw Error(map.Get("range")!, $"'range' of {what} must be cells such as A1:F999 or columns such as B:D, not '{range}'.")
                : null,
        };
        if (settings.HeaderRow is 0)
        {
            throw Error(map.Get("header_row")!, $"'header_row' of {what} counts rows from 1, as Excel does.");
        }

        if (settings.Range is { } r && settings.HeaderRow is { } header && (header - 1 < r.FirstRow || header - 1 > r.LastRow))
        {
            throw Error(map.Get("header_row")!, $"'header_row' {header} of {what} is outside its range {r.Text}.");
        }

        // A plain number is a position; a quoted one ("2024") is a sheet's name.
        return map.Get("sheet") switch
        {
            null => settings,
            YamlScalarNode { Value: "*" } => settings with { AllSheets = true },
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: var text } when int.TryParse(text, out var number) =>
                number >= 1 ? settings with { SheetNumber = number } : throw Error(map.Get("sheet")!, $"'sheet' of {what} counts sheets from 1, not {number}."),
            var node => settings with { SheetName = Scalar(node, $"'sheet' of {what}") },
        };
    }
}
