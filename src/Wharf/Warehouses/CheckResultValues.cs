using Wharf.Quality;
using Wharf.Runs;

namespace Wharf.Warehouses;

/// <summary>A check result as a row of <c>_wharf.check_results</c>, in column order (the same in both warehouses).</summary>
internal static class CheckResultValues
{
    public static object?[] Of(RunRecord record, CheckResult check) =>
    [
        record.RunId, record.Pipeline, record.Stream, check.Table, check.Name, check.KindName,
        check.Severity.ToString().ToLowerInvariant(), check.Status.ToString().ToLowerInvariant(),
        check.FailingRows, check.CheckedRows, check.Message, check.Sample, record.FinishedAt,
    ];
}
