using Wharf.Projects;

namespace Wharf.Quality;

public enum CheckStatus
{
    Passed,

    /// <summary>Failed, and either its severity is warn or the pipeline says <c>on_check_failure: warn</c>: the rows were loaded.</summary>
    Warned,

    /// <summary>Failed with severity error under <c>on_check_failure: fail</c>: nothing was loaded.</summary>
    Failed,

    /// <summary>Failed under <c>on_check_failure: quarantine</c>: the failing rows went to the quarantine table.</summary>
    Quarantined,
}

/// <summary>One row of <c>_wharf.check_results</c>: how one check went on one load (or one <c>wharf check</c>).</summary>
/// <param name="Table">The warehouse table, <c>schema.table</c>.</param>
/// <param name="FailingRows">Rows that failed (row checks, <c>sql</c>); 0 or 1 for <c>row_count</c> and <c>freshness</c>.</param>
/// <param name="CheckedRows">Rows the check looked at.</param>
/// <param name="Message">What was found, e.g. "3 of 1,000 rows have NULL in amount".</param>
public sealed record CheckResult(
    string Table,
    string Name,
    CheckKind Kind,
    CheckSeverity Severity,
    CheckStatus Status,
    long FailingRows,
    long CheckedRows,
    string Message)
{
    /// <summary>A few failing rows, rendered as text (only for failures).</summary>
    public string? Sample { get; init; }

    /// <summary>Row checks: why a row fails, e.g. "amount is NULL" (the message counts the rows that do); null for table checks.</summary>
    public string? Reason { get; init; }

    public string KindName => Kind switch
    {
        CheckKind.NotNull => "not_null",
        CheckKind.AcceptedValues => "accepted_values",
        CheckKind.RowCount => "row_count",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Adds another chunk's result of the same check (cursor streams check each chunk).</summary>
    public CheckResult Add(CheckResult chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var failing = FailingRows + chunk.FailingRows;
        var checkedRows = CheckedRows + chunk.CheckedRows;

        // A row check's message counts the whole run's rows, not the last failing chunk's.
        var message = Reason is { } reason && failing > 0 ? $"{failing:N0} of {checkedRows:N0} rows: {reason}"
            : chunk.Status != CheckStatus.Passed || Status == CheckStatus.Passed ? chunk.Message : Message;
        return this with
        {
            Status = (CheckStatus)Math.Max((int)Status, (int)chunk.Status),
            FailingRows = failing,
            CheckedRows = checkedRows,
            Message = message,
            Sample = Sample ?? chunk.Sample,
        };
    }
}

/// <summary>A check with severity error failed under <c>on_check_failure: fail</c>: nothing was loaded.</summary>
public sealed class CheckFailedException(string message, IReadOnlyList<CheckResult> results) : WharfException(message)
{
    /// <summary>Every check's result, failing or not, to record with the failed run.</summary>
    public IReadOnlyList<CheckResult> Results { get; } = results;
}
