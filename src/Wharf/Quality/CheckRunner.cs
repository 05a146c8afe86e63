using DuckDB.NET.Data;
using Wharf.DuckDb;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Wharf.Projects;

namespace Wharf.Quality;

/// <summary>
/// Runs compiled checks through any connection that can answer a query (the DuckDB work area for
/// staged rows, the warehouse for <c>wharf check</c>), and judges each one by its severity and the
/// pipeline's <c>on_check_failure</c>.
/// </summary>
internal static class CheckRunner
{
    private const int SampleRows = 3;

    /// <param name="loading">Whether rows are being loaded (on_check_failure applies) or only checked in place (<c>wharf check</c>).</param>
    public static List<CheckResult> Run(CheckSql sql, IReadOnlyList<CheckSettings> checks, CheckFailure onFailure, Func<string, DbDataReader> query, string table, DateTimeOffset now, bool loading)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(query);
        var results = new List<CheckResult>();
        if (checks.Count == 0)
        {
            return results;
        }

        var rows = Convert.ToInt64(Scalar(query, $"SELECT count(*) FROM {sql.Relation} AS t"), CultureInfo.InvariantCulture);
        foreach (var check in checks)
        {
            try
            {
                results.Add(Run(sql, check, onFailure, query, table, rows, now, loading));
            }
            catch (WharfException ex)
            {
                throw CouldNotRun(check, table, ex);
            }
        }

        return results;
    }

    /// <summary>The error for a check that could not be compiled or run (a wrong column, a missing referenced table).</summary>
    public static CheckException CouldNotRun(CheckSettings check, string table, WharfException error)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(error);
        // DuckDB's own words, also when the warehouse wrapped them (a failed query of wharf check).
        var why = error is DuckDbException duck ? duck.Summary : error.InnerException is DuckDbException inner ? inner.Summary : error.Message;
        return new CheckException(check.Name, table, $"The check {check.Name} ({check.Location}) on {table} could not run: {why} Fix the check in wharf.yml.", error);
    }

    private static CheckResult Run(CheckSql sql, CheckSettings check, CheckFailure onFailure, Func<string, DbDataReader> query, string table, long rows, DateTimeOffset now, bool loading)
    {
        var measure = Scalar(query, sql.MeasureSql(check));
        string? problem;
        long failing;
        if (check.IsRowLevel)
        {
            failing = Convert.ToInt64(measure, CultureInfo.InvariantCulture);
            problem = failing == 0 ? null : $"{failing:N0} of {rows:N0} rows: {CheckSql.Reason(check)}";
        }
        else
        {
            problem = CheckSql.JudgeTable(check, measure, rows, now);
            failing = problem is null ? 0 : check.Kind == CheckKind.Sql ? Convert.ToInt64(measure, CultureInfo.InvariantCulture) : 1;
        }

        var status = problem is null ? CheckStatus.Passed
            : check.Severity == CheckSeverity.Warn ? CheckStatus.Warned
            : !loading ? CheckStatus.Failed
            : onFailure switch
            {
                CheckFailure.Warn => CheckStatus.Warned,
                CheckFailure.Quarantine when check.IsRowLevel => CheckStatus.Quarantined,
                _ => CheckStatus.Failed,
            };
        return new CheckResult(table, check.Name, check.Kind, check.Severity, status, failing, rows, problem ?? "passed")
        {
            Sample = problem is not null && check.IsRowLevel ? Sample(query, $"SELECT * FROM {sql.Relation} AS {CheckSql.Alias} WHERE {sql.FailPredicate(check)} LIMIT {SampleRows}") : null,
            Reason = check.IsRowLevel ? CheckSql.Reason(check) : null,
        };
    }

    /// <summary>The error for checks that failed under on_check_failure: fail (or in <c>wharf check</c>).</summary>
    public static string Describe(string table, IEnumerable<CheckResult> failed, bool loading)
    {
        var text = new StringBuilder();
        foreach (var result in failed)
        {
            text.Append(CultureInfo.InvariantCulture, $"Check {result.Name} failed on {table}: {result.Message}.");
            if (result.Sample is { } sample)
            {
                text.Append(CultureInfo.InvariantCulture, $" Sample rows: {sample}.");
            }

            text.Append(' ');
        }

        return loading
            ? text + "Nothing was loaded. Fix the data, or set on_check_failure: quarantine (load the good rows, set the failing ones aside) or give the check severity: warn."
            : text.ToString().TrimEnd();
    }

    private static object? Scalar(Func<string, DbDataReader> query, string sql)
    {
        using var reader = query(sql);
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetValue(0) : null;
    }

    private static string Sample(Func<string, DbDataReader> query, string sql)
    {
        using var reader = query(sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            var fields = Enumerable.Range(0, reader.FieldCount)
                .Where(i => !reader.GetName(i).StartsWith("__wharf_", StringComparison.Ordinal) && !reader.GetName(i).StartsWith("_wharf_", StringComparison.Ordinal))
                .Select(i => $"{reader.GetName(i)}={Text(reader, i)}");
            rows.Add("{" + string.Join(", ", fields) + "}");
        }

        return string.Join(" ", rows);
    }

    private static string Text(DbDataReader reader, int i)
    {
        if (reader.IsDBNull(i))
        {
            return "NULL";
        }

        var text = Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
        return text.Length > 40 ? text[..40] + "…" : text;
    }
}
