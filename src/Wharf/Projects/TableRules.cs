using System.Collections.Immutable;
using Wharf.Schema;

namespace Wharf.Projects;

/// <summary>
/// What a pipeline declares about the shape and quality of one table's rows: declared column
/// types, the schema contract, nesting depth, checks and the processors that clean the rows.
/// </summary>
internal sealed record TableRules
{
    /// <summary>Declared logical types by column (<c>columns:</c>), overriding what is inferred.</summary>
    public ImmutableDictionary<string, string> Columns { get; init; } = ImmutableDictionary<string, string>.Empty;

    public SchemaContract Contract { get; init; } = new();

    /// <summary>How deep nested JSON objects are flattened into columns and child tables (<c>max_nesting:</c>); deeper values stay JSON.</summary>
    public int MaxNesting { get; init; } = DefaultMaxNesting;

    public const int DefaultMaxNesting = 5;

    public ImmutableArray<CheckSettings> Checks { get; init; } = [];

    /// <summary>What a failing check with severity error does to the run.</summary>
    public CheckFailure OnCheckFailure { get; init; } = CheckFailure.Fail;

    /// <summary>The processors of <c>transform:</c>, applied in order.</summary>
    public ImmutableArray<ProcessorSettings> Transform { get; init; } = [];

    /// <summary>Whether anything is declared (no staging work is needed otherwise).</summary>
    public bool IsEmpty => Columns.IsEmpty && Checks.IsEmpty && Transform.IsEmpty;
}

/// <summary>What a run does when an error-severity check fails.</summary>
internal enum CheckFailure
{
    /// <summary>Load nothing; the run fails naming the check, its counts and sample rows.</summary>
    Fail,

    /// <summary>Load every row; the failure is recorded as a warning.</summary>
    Warn,

    /// <summary>Load the good rows; the failing ones go to <c>&lt;table&gt;__quarantine</c> with the reason.</summary>
    Quarantine,
}

public enum CheckSeverity
{
    Error,
    Warn,
}

public enum CheckKind
{
    NotNull,
    Unique,
    AcceptedValues,
    Range,
    Regex,
    RowCount,
    Freshness,
    Relationships,
    Expression,
    Sql,
}

/// <summary>One declared check. Which fields are set depends on <see cref="Kind"/>.</summary>
internal sealed record CheckSettings(CheckKind Kind, string Name, SourceLocation Location)
{
    public CheckSeverity Severity { get; init; } = CheckSeverity.Error;

    /// <summary>The column(s) checked: one for most kinds, the key for <c>unique</c>.</summary>
    public ImmutableArray<string> Columns { get; init; } = [];

    /// <summary>A dbt test's <c>where:</c>: a SQL condition; the check sees only the rows it keeps. Null: all rows.</summary>
    public string? Where { get; init; }

    /// <summary><c>accepted_values</c>: the allowed values, as written.</summary>
    public ImmutableArray<string> Values { get; init; } = [];

    /// <summary><c>range</c> bounds (as SQL literals) and <c>row_count</c> bounds.</summary>
    public string? Min { get; init; }

    public string? Max { get; init; }

    /// <summary><c>range</c>: whether the bounds themselves are allowed.</summary>
    public bool Inclusive { get; init; } = true;

    /// <summary><c>regex</c>: the pattern a value must contain a match of (anchor it with ^…$ for a whole match).</summary>
    public string? Pattern { get; init; }

    /// <summary><c>freshness</c>: how old the newest value may be.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary><c>relationships</c>: the warehouse table (<c>table</c> or <c>schema.table</c>) and column the values must exist in.</summary>
    public string? ToTable { get; init; }

    public string? ToColumn { get; init; }

    /// <summary><c>expression</c>: a boolean over the row; <c>sql</c>: a query returning the failing rows (<c>{{ this }}</c> is the table).</summary>
    public string? Sql { get; init; }

    /// <summary>Whether the check judges rows one by one (so failing rows can be quarantined) rather than the table as a whole.</summary>
    public bool IsRowLevel => Kind is not (CheckKind.RowCount or CheckKind.Freshness or CheckKind.Sql);
}

internal enum ProcessorKind
{
    Dedupe,
    DropNulls,
    FillNulls,
    Rename,
    Cast,
    Filter,
    Derive,
    Select,
    Exclude,
    Trim,
    Lower,
    Upper,
    ParseTimestamp,
    Resample,
    Unpivot,
    Lookup,
}

/// <summary>
/// lookup: the text in <see cref="Column"/> replaced by its surrogate key in the dimension table
/// <see cref="Table"/> (<see cref="Key"/>, <see cref="Name"/>), as column <see cref="As"/>; names
/// not in the dimension yet are added to it in the load's transaction.
/// </summary>
/// <param name="Table">The dimension table, in the load's schema unless qualified (<c>schema.table</c>).</param>
internal sealed record LookupSettings(string Column, string Table, string Key, string Name, string As);

/// <summary>
/// resample: the rows of each <see cref="By"/> group bucketed into windows of <see cref="Every"/>
/// on <see cref="Time"/> (aligned to <see cref="Origin"/>, else to 1970-01-01 00:00 UTC, labelled
/// by their start), each listed column aggregated per window into <c>{column}_{function}</c>.
/// </summary>
internal sealed record ResampleSettings(string Time, Lookback Every, ImmutableArray<string> By, ImmutableArray<KeyValuePair<string, ImmutableArray<string>>> Aggregate, string? Origin)
{
    /// <summary>Aggregate names and their DuckDB SQL over a column (<c>{0}</c>) and the window's time column (<c>{1}</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string> Functions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mean"] = "avg({0})",
        ["min"] = "min({0})",
        ["max"] = "max({0})",
        ["sum"] = "sum({0})",
        ["count"] = "count({0})",
        ["median"] = "median({0})",
        // The sample standard deviation and variance (n - 1), as pandas computes them.
        ["std"] = "stddev_samp({0})",
        ["var"] = "var_samp({0})",
        ["first"] = "arg_min({0}, {1})",
        ["last"] = "arg_max({0}, {1})",
    };
}

/// <summary>unpivot: the <see cref="Columns"/> (names or <c>*</c>/<c>?</c> patterns) turned into rows of (<see cref="Name"/>, <see cref="Value"/>).</summary>
internal sealed record UnpivotSettings(ImmutableArray<string> Columns, string Name, string Value, bool DropNulls);

/// <summary>One processor of <c>transform:</c>; <see cref="Position"/> counts from 1, for errors.</summary>
internal sealed record ProcessorSettings(ProcessorKind Kind, int Position, SourceLocation Location)
{
    /// <summary>Columns it applies to (dedupe's key, drop_nulls, select, exclude, trim, lower, upper).</summary>
    public ImmutableArray<string> Columns { get; init; } = [];

    /// <summary>Name → value pairs: rename (old → new), cast (column → type), derive (column → SQL), fill_nulls (column → value), parse_timestamp (column → format).</summary>
    public ImmutableArray<KeyValuePair<string, string>> Pairs { get; init; } = [];

    /// <summary>filter: the SQL condition rows must meet.</summary>
    public string? Condition { get; init; }

    /// <summary>dedupe: keep the first or last row of each key, ordered by <see cref="OrderBy"/> (else by extract order).</summary>
    public bool KeepLast { get; init; } = true;

    public string? OrderBy { get; init; }

    public ResampleSettings? Resample { get; init; }

    public UnpivotSettings? Unpivot { get; init; }

    public LookupSettings? Lookup { get; init; }

    /// <summary>Rows it drops are discarded rows, counted as such in the run's audit.</summary>
    public bool RemovesRows => Kind is ProcessorKind.Filter or ProcessorKind.Dedupe or ProcessorKind.DropNulls;

    /// <summary>It changes the grain (one row per window, one per column): fewer or more rows, none discarded.</summary>
    public bool Reshapes => Kind is ProcessorKind.Resample or ProcessorKind.Unpivot;

    public string Name => Kind switch
    {
        ProcessorKind.DropNulls => "drop_nulls",
        ProcessorKind.FillNulls => "fill_nulls",
        ProcessorKind.ParseTimestamp => "parse_timestamp",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>How errors name it: <c>transform step 3 (cast) at wharf.yml:14:9</c>.</summary>
    public override string ToString() => $"transform step {Position} ({Name}) at {Location}";
}
