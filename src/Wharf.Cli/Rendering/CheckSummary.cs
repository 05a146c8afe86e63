using Spectre.Console;
using Wharf.Quality;
using Wharf.Runs;

namespace Wharf.Cli.Rendering;

/// <summary>How check results and staging notes appear after a run or a <c>wharf check</c>.</summary>
internal static class CheckSummary
{
    public static string Status(CheckStatus status) => status switch
    {
        CheckStatus.Passed => "[green]passed[/]",
        CheckStatus.Warned => "[yellow]warned[/]",
        CheckStatus.Quarantined => "[yellow]quarantined[/]",
        _ => "[red]failed[/]",
    };

    /// <summary>One line per note (schema changes, quarantined and discarded rows) and per check that did not pass.</summary>
    public static void WriteNotes(IAnsiConsole console, IEnumerable<RunRecord> records)
    {
        foreach (var record in records)
        {
            foreach (var note in record.Notes)
            {
                console.MarkupLine($"[grey]{Markup.Escape(record.Target)}:[/] {Markup.Escape(note)}");
            }

            foreach (var check in record.Checks.Where(c => c.Status is CheckStatus.Warned or CheckStatus.Quarantined))
            {
                console.MarkupLine($"[grey]{Markup.Escape(record.Target)}:[/] check {Markup.Escape(check.Name)} {Status(check.Status)}: {Markup.Escape(check.Message)}");
            }
        }
    }
}
