using System.Globalization;
using Wharf.Projects;
using Wharf.Dialects;
using Wharf.Schema;

namespace Wharf.Quality;

/// <summary>
/// Compiles declared checks to SQL over one relation: staged rows (<c>(SELECT …)</c>) or a
/// warehouse table. Row checks become a predicate that is true for a failing row, so the same
/// SQL counts failures, picks sample rows and splits quarantined rows from good ones.
/// </summary>
/// <param name="relation">A FROM item: a parenthesized query or a qualified table name.</param>
/// <param name="columns">The relation's columns, to resolve the names checks use.</param>
/// <param name="table">The warehouse table, <c>schema.table</c>, for messages.</param>
/// <param name="reference">The relation holding a <c>relationships</c> check's allowed values (one column, as text).</param>
internal sealed class CheckSql(string relation, IReadOnlyList<string> columns, string table, SqlDialect dialect, Func<CheckSettings, string> reference)
{
    public const string Alias = "s";

    public string Relation => relation;

    private string Column(CheckSettings check, int index = 0) => Quote.Identifier(Resolve(check)[index]);

    /// <summary>The check's columns in the relation's names (a check may name them as the source spells them).</summary>
    public IReadOnlyList<string> Resolve(CheckSettings check) =>
        ColumnNames.Pick(columns, check.Columns, c => c, table, $"checks ({check.Name}, {check.Location})");

    private static string AsText(string expression) => $"CAST({expression} AS VARCHAR)";

    /// <summary>True for a failing row (row checks only); it reads the row through <see cref="Alias"/>.</summary>
    public string FailPredicate(CheckSettings check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var column = check.Columns.IsEmpty ? "" : $"{Alias}.{Column(check)}";
        switch (check.Kind)
        {
            case CheckKind.NotNull:
                return $"{column} IS NULL";
            case CheckKind.AcceptedValues:
                // The values are literals of the column's type (both engines cast them), so 1.0 and 1 are one value everywhere.
                return $"{column} IS NOT NULL AND {column} NOT IN ({string.Join(", ", check.Values.Select(Quote.Literal))})";
            case CheckKind.Range:
                var below = check.Min is { } min ? $"{column} {(check.Inclusive ? "<" : "<=")} {min}" : null;
                var above = check.Max is { } max ? $"{column} {(check.Inclusive ? ">" : ">=")} {max}" : null;
                return $"({string.Join(" OR ", new[] { below, above }.Where(p => p is not null))})";
            case CheckKind.Regex:
                return $"{column} IS NOT NULL AND NOT {dialect.Matches(AsText(column), Quote.Literal(check.Pattern!))}";
            case CheckKind.Expression:
                return $"NOT coalesce(({check.Sql}), TRUE)";
            case CheckKind.Unique:
                var key = Resolve(check).Select(Quote.Identifier).ToList();
                var list = string.Join(", ", key);
                var duplicated = $"SELECT {list} FROM {relation} AS d WHERE {string.Join(" AND ", key.Select(k => $"d.{k} IS NOT NULL"))} GROUP BY {list} HAVING count(*) > 1";
                // One key column: an uncorrelated IN, which DuckDB runs as one hash join (half the time and memory of EXISTS).
                return key.Count == 1
                    ? $"{Alias}.{key[0]} IN ({duplicated})"
                    : $"EXISTS (SELECT 1 FROM ({duplicated}) AS u WHERE {string.Join(" AND ", key.Select(k => $"u.{k} = {Alias}.{k}"))})";
            case CheckKind.Relationships:
                return $"{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ({reference(check)}) AS r(v) WHERE r.v = {AsText(column)})";
            default:
                throw new InvalidOperationException($"{check.Name} judges the whole table, not single rows.");
        }
    }

    /// <summary>A relationships check's allowed values, read where the referenced table is (<c>to:</c> defaults to <paramref name="schema"/>).</summary>
    public static string DirectReference(string schema, CheckSettings check)
    {
        var (toSchema, toTable) = ReferencedTable(schema, check);
        return $"SELECT CAST({Quote.Identifier(check.ToColumn!)} AS VARCHAR) FROM {Quote.Qualified(toSchema, toTable)}";
    }

    /// <summary>A relationships check's <c>to:</c>, as schema and table (<paramref name="schema"/> when it names none).</summary>
    public static (string Schema, string Table) ReferencedTable(string schema, CheckSettings check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var parts = check.ToTable!.Split('.', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : (schema, parts[0]);
    }

    /// <summary>Why a row failed, for the quarantine table.</summary>
    public static string Reason(CheckSettings check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var column = check.Columns.IsEmpty ? "" : check.Columns[0];
        return check.Kind switch
        {
            CheckKind.NotNull => $"{column} is NULL",
            CheckKind.AcceptedValues => $"{column} is not one of {string.Join(", ", check.Values)}",
            CheckKind.Range => $"{column} is outside {(check.Inclusive ? "[" : "(")}{check.Min ?? "-∞"}, {check.Max ?? "∞"}{(check.Inclusive ? "]" : ")")}",
            CheckKind.Regex => $"{column} does not match {check.Pattern}",
            CheckKind.Expression => $"{check.Sql} is false",
            CheckKind.Unique => $"({string.Join(", ", check.Columns)}) is not unique",
            CheckKind.Relationships => $"{column} has no match in {check.ToTable}.{check.ToColumn}",
            _ => check.Name,
        };
    }

    /// <summary>A query returning one number: failing rows (row checks, sql), the row count (row_count), the newest value's Unix time (freshness).</summary>
    public string MeasureSql(CheckSettings check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Kind switch
        {
            CheckKind.RowCount => $"SELECT count(*) FROM {relation} AS {Alias}",
            CheckKind.Freshness => $"SELECT {dialect.EpochSeconds($"max({Alias}.{Column(check)})")} FROM {relation} AS {Alias}",
            CheckKind.Sql => $"SELECT count(*) FROM ({check.Sql!.Replace("{{ this }}", relation, StringComparison.Ordinal).Replace("{{this}}", relation, StringComparison.Ordinal)}) AS q",
            _ => $"SELECT count(*) FROM {relation} AS {Alias} WHERE {FailPredicate(check)}",
        };
    }

    /// <summary>Judges a table check's measure; null when it passed, else what is wrong.</summary>
    public static string? JudgeTable(CheckSettings check, object? measure, long rows, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(check);
        switch (check.Kind)
        {
            case CheckKind.RowCount:
                var count = Convert.ToDecimal(measure, CultureInfo.InvariantCulture);
                var low = check.Min is { } min && count < decimal.Parse(min, CultureInfo.InvariantCulture);
                var high = check.Max is { } max && count > decimal.Parse(max, CultureInfo.InvariantCulture);
                return low || high ? $"{count:N0} rows, expected {(check.Min is null ? "" : $"at least {check.Min}")}{(check.Min is not null && check.Max is not null ? " and " : "")}{(check.Max is null ? "" : $"at most {check.Max}")}" : null;
            case CheckKind.Freshness:
                if (measure is null or DBNull)
                {
                    return $"{check.Columns[0]} has no values, so nothing is fresh";
                }

                var newest = DateTimeOffset.UnixEpoch.AddSeconds(Convert.ToDouble(measure, CultureInfo.InvariantCulture));
                var age = now - newest;
                return age > check.MaxAge!.Value
                    ? $"the newest {check.Columns[0]} is {newest:yyyy-MM-dd HH:mm:ss} UTC, {Describe(age)} old (max_age {Describe(check.MaxAge.Value)})"
                    : null;
            default:
                var failing = Convert.ToInt64(measure, CultureInfo.InvariantCulture);
                return failing > 0 ? $"the query returned {failing:N0} row(s)" : null;
        }
    }

    private static string Describe(TimeSpan span) => span.TotalDays >= 1 ? $"{span.TotalDays:0.#} days"
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hours"
        : $"{span.TotalMinutes:0.#} minutes";
}
