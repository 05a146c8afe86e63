using DuckDB.NET.Data;
using System.Globalization;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Schema;
using Wharf.Sources.Files;
using Wharf.Transforms;
using Wharf.Warehouses;
using Wharf.Dialects;

namespace Wharf.Staging;

/// <summary>
/// One load's rows on their way from the lake to the table, as DuckDB SQL over the lake files
/// (nothing is materialized): declared types applied, checks run (failing rows set aside for
/// quarantine, or the load stopped), processors applied, and the result fitted to the table's
/// schema under the contract. Everything that can fail does so here, before a row is written.
/// </summary>
internal sealed record StagedLoad
{
    /// <summary>The rows to load, in the table's shape.</summary>
    public required LakeSelect Rows { get; init; }

    /// <summary>
    /// The rows set aside: the staged values as text (exactly what arrived, whatever the type), the
    /// failed checks' names and reasons, and the metadata. Null when no row was set aside.
    /// </summary>
    public string? Quarantine { get; init; }

    /// <summary>The columns of <see cref="Quarantine"/>, in order.</summary>
    public IReadOnlyList<string> QuarantineColumns { get; init; } = [];

    /// <summary>
    /// The statements that create the quarantine table, or add the columns it lacks (every value
    /// column is text, so a quarantine table never breaks on a type change). Same on both warehouses.
    /// </summary>
    /// <param name="existing">The quarantine table's columns; null when it does not exist.</param>
    /// <param name="reloadedRun">A replay reloads this run: the rows it set aside before go first.</param>
    public IEnumerable<string> QuarantineDdl(string qualifiedTable, IReadOnlyCollection<string>? existing, string? reloadedRun)
    {
        string Type(string column) => column == LakeSelect.LoadedAtColumn ? "TIMESTAMPTZ" : "TEXT";
        if (existing is null)
        {
            return [$"CREATE TABLE IF NOT EXISTS {qualifiedTable} ({string.Join(", ", QuarantineColumns.Select(c => $"{Quote.Identifier(c)} {Type(c)}"))})"];
        }

        var forget = reloadedRun is null ? [] : new[] { $"DELETE FROM {qualifiedTable} WHERE {LakeSelect.RunIdColumn} = {Quote.Literal(reloadedRun)}" };
        return forget.Concat(QuarantineColumns.Where(c => !existing.Contains(c)).Select(c => $"ALTER TABLE {qualifiedTable} ADD COLUMN {Quote.Identifier(c)} {Type(c)}"));
    }

    public IReadOnlyList<CheckResult> Checks { get; init; } = [];

    public SchemaPlan Schema { get; init; } = new();

    /// <summary>Rows set aside, as counted by the warehouse writing <see cref="Quarantine"/> (see <see cref="WithQuarantined"/>).</summary>
    public long Quarantined { get; init; }

    /// <summary>The load once its quarantine rows are written: how many (the write counts them, no extra scan), and the note saying where.</summary>
    public StagedLoad WithQuarantined(long rows, string schema, string table) =>
        this with { Quarantined = rows, Notes = [.. Notes, $"quarantined {rows:N0} row(s) in {schema}.{QuarantineTable(table)}"] };

    /// <summary>Rows not loaded because the contract discarded them or a processor (filter, dedupe, drop_nulls) removed them.</summary>
    public long Discarded { get; init; }

    /// <summary>The rows a reshaping transform (resample, unpivot) made, to be written; null when no step reshapes.</summary>
    public long? Reshaped { get; init; }

    /// <summary>The lookup steps, whose dimensions get the names the rows bring before the rows are written.</summary>
    public IReadOnlyList<LookupInput> Lookups { get; init; } = [];

    /// <summary>
    /// The root table of nested JSON: a query of the ids (<c>_wharf_id</c>) of the documents this load
    /// sets aside, whose lists its child tables leave out (see <see cref="SetAsideDocuments"/>); null when none.
    /// </summary>
    public string? DocumentsSetAside { get; init; }

    /// <summary>What staging changed or dropped, for the run summary.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public const string CheckColumn = "_wharf_check";
    public const string ReasonColumn = "_wharf_reason";

    /// <summary>The quarantine table of a table.</summary>
    public static string QuarantineTable(string table) => table + "__quarantine";

    private static readonly string[] Carried = [LakeSelect.RunIdColumn, LakeSelect.LoadedAtColumn, LakeSelect.FileColumn, LakeSelect.RowColumn];

    /// <param name="existing">The table's columns; null when it does not exist yet (or is being rebuilt).</param>
    /// <param name="reference">The work-area relation holding a relationships check's allowed values, as text.</param>
    /// <exception cref="CheckFailedException">A check failed under on_check_failure: fail.</exception>
    /// <exception cref="SchemaChangeException">The data breaks the table's schema or the contract.</exception>
    public static StagedLoad Prepare(DuckDBConnection workArea, LoadRequest request, IReadOnlyList<TableColumn>? existing, Func<CheckSettings, string> reference)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(request);
        var table = $"{request.Schema}.{request.Table}";
        var rules = request.Rules;
        var lake = LakeSelect.For(request, ordered: true, keysLater: !rules.Transform.IsEmpty);
        var sql = lake.Sql;
        var columns = TransformSql.Describe(workArea, sql, Carried);
        var notes = new List<string>();
        long discarded = 0;
        IReadOnlyList<LookupInput> lookups = [];
        long? reshaped = null;

        // 0. A child table of nested JSON: the rows of documents its root table set aside stay out.
        if (request.LeftOutDocuments is { } leftOut)
        {
            discarded = Count(workArea, $"SELECT count(*) FROM ({LakeSelect.For(request with { LeftOutDocuments = null }).Sql}) WHERE NOT ({SetAsideDocuments.Kept(leftOut)})");
            if (discarded > 0)
            {
                notes.Add($"left out {discarded:N0} row(s) of documents the top-level table set aside (quarantined, removed by a processor or discarded by the contract)");
            }
        }

        // 1. Declared types.
        if (!rules.Columns.IsEmpty)
        {
            RequireDeclaredColumns(columns, existing, rules, table);
            long badTypes;
            (sql, badTypes) = ApplyDeclaredTypes(workArea, sql, columns, rules, table, notes);
            discarded += badTypes;
            columns = TransformSql.Describe(workArea, sql, Carried);
        }

        // 2. Checks, on the rows as staged; rows failing a quarantine check are set apart.
        var (checks, quarantine) = RunChecks(workArea, request, sql, columns, reference);
        if (quarantine is not null)
        {
            sql = $"SELECT {CheckSql.Alias}.* FROM ({sql}) AS {CheckSql.Alias} WHERE NOT ({quarantine.Value.Fails})";
        }

        // 3. Processors.
        var checkedSql = sql;
        if (!rules.Transform.IsEmpty)
        {
            var transformed = new TransformSql(workArea, table, Carried).Apply(sql, columns, rules.Transform);
            (sql, columns, lookups) = (transformed.Sql, transformed.Columns, transformed.Lookups);
            if (rules.Transform.Any(p => p.RemovesRows))
            {
                discarded += transformed.Removed;
                notes.Add($"transform removed {transformed.Removed:N0} row(s)");
            }

            // Resample and unpivot change how many rows there are: what is unchanged is counted against the rows they make.
            if (rules.Transform.Any(p => p.Reshapes))
            {
                reshaped = Count(workArea, $"SELECT count(*) FROM ({sql})");
            }
        }

        // 4. The table's schema, under the contract.
        var (rows, plan, schemaDiscarded) = FitToTable(workArea, request, lake, sql, columns, existing);
        notes.AddRange(plan.Notes);

        // scd2's tracked columns are compared from the second load on; a name that is not there
        // fails now, on the first, not once a history is half built.
        foreach (var tracked in request.Mode == WriteMode.Scd2 ? request.Track : [])
        {
            rows.WarehouseName(tracked, table, "track");
        }

        var setAside = SetAsideDocuments.IsRoot(request) && (quarantine is not null || discarded + schemaDiscarded > 0)
            ? $"SELECT {NestedJson.Id} FROM ({lake.Sql}) EXCEPT SELECT {NestedJson.Id} FROM ({(rows.Columns.Contains(NestedJson.Id) ? rows.Sql : checkedSql)})"
            : null;
        return new StagedLoad
        {
            DocumentsSetAside = setAside,
            Rows = rows,
            Quarantine = quarantine?.Sql,
            QuarantineColumns = quarantine?.Columns ?? [],
            Checks = checks,
            Schema = plan,
            Discarded = discarded + schemaDiscarded,
            Reshaped = reshaped - schemaDiscarded,
            Notes = notes,
            Lookups = lookups,
        };
    }

    /// <summary>The rows set apart by quarantine checks: the query that reads them, its columns, and the condition that is true for them.</summary>
    private readonly record struct SetAside(string Sql, IReadOnlyList<string> Columns, string Fails);

    /// <summary>
    /// Runs the load's checks on the staged rows (a cursor stream's chunk leaves the table checks to
    /// the run's end); the rows failing a quarantine check are read as text, with why.
    /// </summary>
    /// <exception cref="CheckFailedException">A check failed under on_check_failure: fail.</exception>
    private static (List<CheckResult> Checks, SetAside? Quarantine) RunChecks(
        DuckDBConnection workArea, LoadRequest request, string sql, IReadOnlyList<StagedColumn> columns, Func<CheckSettings, string> reference)
    {
        var table = $"{request.Schema}.{request.Table}";
        var rules = request.Rules;
        var compiled = new CheckSql($"({sql})", [.. columns.Select(c => c.Name)], table, SqlDialect.DuckDb, reference);
        var checks = CheckRunner.Run(
            compiled,
            request.TableChecks ? rules.Checks : [.. rules.Checks.Where(c => c.IsRowLevel && !LeftToRun(request, c))],
            rules.OnCheckFailure, query => workArea.Query(query), table, request.LoadedAt, loading: true);
        var failed = checks.Where(c => c.Status == CheckStatus.Failed).ToList();
        if (failed.Count > 0)
        {
            throw new CheckFailedException(CheckRunner.Describe(table, failed, loading: true), checks);
        }

        var setAside = rules.Checks.Where(c => checks.Any(r => r.Name == c.Name && r.Status == CheckStatus.Quarantined)).ToList();
        if (setAside.Count == 0)
        {
            return (checks, null);
        }

        var predicates = setAside.Select(c => (Check: c, Fails: $"coalesce(({compiled.FailPredicate(c)}), FALSE)")).ToList();
        var any = string.Join(" OR ", predicates.Select(p => p.Fails));
        string Each(Func<CheckSettings, string> text, string separator) =>
            $"concat_ws({Quote.Literal(separator)}, {string.Join(", ", predicates.Select(p => $"CASE WHEN {p.Fails} THEN {Quote.Literal(text(p.Check))} END"))})";
        var asText = columns.Select(c => $"CAST({CheckSql.Alias}.{Quote.Identifier(c.Name)} AS VARCHAR) AS {Quote.Identifier(c.Name)}");
        var quarantine = $"SELECT {string.Join(", ", asText)}, {Each(c => c.Name, ", ")} AS {CheckColumn}, {Each(CheckSql.Reason, "; ")} AS {ReasonColumn}, " +
            $"{CheckSql.Alias}.{LakeSelect.RunIdColumn}, {CheckSql.Alias}.{LakeSelect.LoadedAtColumn} FROM ({sql}) AS {CheckSql.Alias} WHERE {any}";
        return (checks, new SetAside(quarantine, [.. columns.Select(c => c.Name), CheckColumn, ReasonColumn, LakeSelect.RunIdColumn, LakeSelect.LoadedAtColumn], any));
    }

    /// <summary>
    /// The rows in the table's shape under the contract, the plan that says how, and the rows the
    /// contract discards. A text column with no value in this load (what DuckDB's readers make of
    /// an empty column) is no type change: it takes the table's type.
    /// </summary>
    /// <exception cref="SchemaChangeException">The data breaks the table's schema or the contract.</exception>
    private static (LakeSelect Rows, SchemaPlan Plan, long Discarded) FitToTable(
        DuckDBConnection workArea, LoadRequest request, LakeSelect lake, string sql, IReadOnlyList<StagedColumn> columns, IReadOnlyList<TableColumn>? existing)
    {
        var table = $"{request.Schema}.{request.Table}";
        var rules = request.Rules;
        if (existing is not null)
        {
            (sql, columns) = AdoptTypesOfEmptyColumns(workArea, sql, columns, existing);
        }

        var declaredText = rules.Columns.Where(c => c.Value == "VARCHAR")
            .Select(c => Declared(columns, c.Key)?.Name)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        var plan = SchemaPlan.For(table, existing, [.. columns.Select(c => (c.Name, c.Type))], rules.Contract, declaredText, CheckSql.Alias,
            rebuilds: request.Mode == WriteMode.Replace);
        var keep = plan.DiscardAll ? "FALSE" : plan.DiscardRow is { } discard ? $"NOT coalesce(({discard}), FALSE)" : null;
        var discarded = keep is null ? 0 : Count(workArea, $"SELECT count(*) FROM ({sql}) AS {CheckSql.Alias} WHERE NOT ({keep})");
        var unchanged = sql == lake.Sql && keep is null &&
            plan.Projection.SequenceEqual(columns.Select(c => $"{CheckSql.Alias}.{Quote.Identifier(c.Name)}"));
        var meta = $"{CheckSql.Alias}.{Quote.Identifier(LakeSelect.RunIdColumn)}, {CheckSql.Alias}.{Quote.Identifier(LakeSelect.LoadedAtColumn)}";
        var where = keep is null ? "" : $" WHERE {keep}";
        var rows = unchanged ? LakeSelect.For(request) : lake.Reshaped(
            $"SELECT {string.Join(", ", plan.Projection)}, {meta} FROM ({sql}) AS {CheckSql.Alias}{where}",
            $"SELECT {string.Join(", ", plan.Projection)}, {meta}, {CheckSql.Alias}.{LakeSelect.FileColumn}, {CheckSql.Alias}.{LakeSelect.RowColumn} FROM ({sql}) AS {CheckSql.Alias}{where}",
            [.. plan.Columns],
            table);
        return (rows, plan, discarded);
    }

    /// <summary>
    /// The table checks (row_count, freshness, sql) of a cursor stream, over the run's whole extract
    /// once its chunks are loaded: a chunk alone says nothing about the run's rows as a whole.
    /// </summary>
    /// <exception cref="CheckFailedException">An error-severity check failed; the chunks stay committed.</exception>
    public static IReadOnlyList<CheckResult> CheckRun(DuckDBConnection workArea, LoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(request);
        var table = $"{request.Schema}.{request.Table}";
        var tableChecks = request.Rules.Checks.Where(c => !c.IsRowLevel || LeftToRun(request, c)).ToList();
        if (tableChecks.Count == 0 || request.Files.IsEmpty)
        {
            return [];
        }

        var sql = LakeSelect.For(request).Sql;
        var columns = TransformSql.Describe(workArea, sql, Carried);
        if (!request.Rules.Columns.IsEmpty)
        {
            (sql, _) = ApplyDeclaredTypes(workArea, sql, columns, request.Rules, table, []);
        }

        var results = CheckRunner.Run(
            new CheckSql($"({sql})", [.. columns.Select(c => c.Name)], table, SqlDialect.DuckDb, _ => throw new InvalidOperationException("Table checks reference no table.")),
            tableChecks, request.Rules.OnCheckFailure, query => workArea.Query(query), table, request.LoadedAt, loading: true);
        var failed = results.Where(c => c.Status == CheckStatus.Failed).ToList();
        return failed.Count == 0 ? results
            : request.ReplaceStep == ReplaceStep.Last ? throw new CheckFailedException(CheckRunner.Describe(table, failed, loading: true), results)
            : throw new CheckFailedException(CheckRunner.Describe(table, failed, loading: false) +
                $" The run's chunks are committed (checks of single rows passed on each); fix the source, or give the check severity: warn.", results);
    }

    /// <summary>
    /// Whether a part of a replace leaves the row check to the run's last step: a key unique in
    /// each part can still repeat across them. (A cursor stream's chunks keep theirs: a key that
    /// changes during the run is rightly in two chunks.)
    /// </summary>
    private static bool LeftToRun(LoadRequest request, CheckSettings check) =>
        check.Kind == CheckKind.Unique && request.ReplaceStep is ReplaceStep.Part or ReplaceStep.Last;

    private static (string Sql, IReadOnlyList<StagedColumn> Columns) AdoptTypesOfEmptyColumns(DuckDBConnection workArea, string sql, IReadOnlyList<StagedColumn> columns, IReadOnlyList<TableColumn> existing)
    {
        var candidates = columns
            .Select(c => (Column: c, Table: existing.FirstOrDefault(t => t.Name == c.Name)))
            .Where(c => c.Column.Type == "VARCHAR" && c.Table is not null && c.Table.Type.Kind is not (LogicalKind.Text or LogicalKind.Other))
            .ToList();
        if (candidates.Count == 0)
        {
            return (sql, columns);
        }

        var empty = new List<(StagedColumn Column, TableColumn Table)>();
        using (var reader = workArea.Query($"SELECT {string.Join(", ", candidates.Select(c => $"count({Quote.Identifier(c.Column.Name)})"))} FROM ({sql})"))
        {
            reader.Read();
            empty.AddRange(candidates.Where((c, i) => reader.GetInt64(i) == 0).Select(c => (c.Column, c.Table!)));
        }

        if (empty.Count == 0)
        {
            return (sql, columns);
        }

        var typed = $"SELECT * REPLACE ({string.Join(", ", empty.Select(e => $"CAST({Quote.Identifier(e.Column.Name)} AS {e.Table.Type.ToDuckDb()}) AS {Quote.Identifier(e.Column.Name)}"))}) FROM ({sql})";
        return (typed, [.. columns.Select(c => empty.Any(e => e.Column.Name == c.Name) ? c with { Type = empty.First(e => e.Column.Name == c.Name).Table.Type.ToDuckDb() } : c)]);
    }

    /// <summary>
    /// Casts the declared columns present in the data (one gone from the source is left to the
    /// schema plan, like any dropped column). A value that does not convert exactly (text that is
    /// no number, 10.5 into an integer, 1.234 into decimal(12,2)) fails the load, or is discarded
    /// as the data_type contract says.
    /// </summary>
    private static (string Sql, long Discarded) ApplyDeclaredTypes(DuckDBConnection workArea, string sql, IReadOnlyList<StagedColumn> columns, TableRules rules, string table, List<string> notes)
    {
        var declared = rules.Columns
            .Select(c => (Column: Declared(columns, c.Key), Type: c.Value))
            .Where(d => d.Column is not null)
            .Select(d => (Column: d.Column!, d.Type))
            .ToList();
        if (declared.Count == 0)
        {
            return (sql, 0);
        }

        var bad = declared.Select(d =>
        {
            var column = Quote.Identifier(d.Column.Name);
            return $"{column} IS NOT NULL AND NOT coalesce({SchemaPlan.Fits(column, LogicalType.FromDuckDb(d.Column.Type), LogicalType.FromDuckDb(d.Type))}, FALSE)";
        }).ToList();
        using (var reader = workArea.Query($"SELECT {string.Join(", ", bad.Select((b, i) => $"count(*) FILTER (WHERE {b}), any_value(CAST({Quote.Identifier(declared[i].Column.Name)} AS VARCHAR)) FILTER (WHERE {b})"))} FROM ({sql})"))
        {
            reader.Read();
            for (var i = 0; i < declared.Count; i++)
            {
                var count = reader.GetInt64(2 * i);
                if (count > 0 && rules.Contract.DataType is ContractMode.Evolve or ContractMode.Freeze)
                {
                    throw new SchemaChangeException(
                        $"{count:N0} value(s) of {table}.{declared[i].Column.Name} do not fit its declared type {LogicalType.FromDuckDb(declared[i].Type)} " +
                        $"(columns: in wharf.yml), e.g. '{reader.GetString(2 * i + 1)}'. Nothing was loaded. Declare a wider type, fix the source, " +
                        "or drop such rows with schema_contract: { data_type: discard_row }.");
                }

                if (count > 0)
                {
                    notes.Add(rules.Contract.DataType == ContractMode.DiscardRow
                        ? $"discarded {count:N0} row(s) whose {declared[i].Column.Name} does not fit {LogicalType.FromDuckDb(declared[i].Type)}"
                        : $"set {count:N0} value(s) of {declared[i].Column.Name} that do not fit {LogicalType.FromDuckDb(declared[i].Type)} to NULL");
                }
            }
        }

        var casts = string.Join(", ", declared.Select((d, i) =>
            $"CASE WHEN NOT ({bad[i]}) THEN TRY_CAST({Quote.Identifier(d.Column.Name)} AS {d.Type}) END AS {Quote.Identifier(d.Column.Name)}"));
        var typed = $"SELECT * REPLACE ({casts}) FROM ({sql})";
        if (rules.Contract.DataType != ContractMode.DiscardRow)
        {
            return (typed, 0);
        }

        var any = string.Join(" OR ", bad.Select(b => $"({b})"));
        var discarded = Count(workArea, $"SELECT count(*) FROM ({sql}) WHERE {any}");
        return ($"SELECT * REPLACE ({casts}) FROM ({sql}) WHERE NOT ({any})", discarded);
    }

    /// <summary>
    /// A <c>columns:</c> entry that names a column neither the data nor the table has is a typo,
    /// not a column gone from the source: it fails the load instead of leaving the column's type
    /// to inference without a word.
    /// </summary>
    /// <exception cref="ColumnNotFoundException">An entry names no column.</exception>
    private static void RequireDeclaredColumns(IReadOnlyList<StagedColumn> columns, IReadOnlyList<TableColumn>? existing, TableRules rules, string table)
    {
        foreach (var name in rules.Columns.Keys)
        {
            if (Declared(columns, name) is null && (existing is null || ColumnNames.Find(existing, name, c => c.Name) is null))
            {
                var names = columns.Select(c => c.Name).Where(c => !Carried.Contains(c)).ToList();
                throw new ColumnNotFoundException(table, name,
                    $"'columns:' in wharf.yml declares a type for '{name}', which is not among the columns of {table} ({string.Join(", ", names)})." +
                    $"{Spelling.DidYouMean(names, name, maxDistance: 2)} Fix the name, or declare it under 'per_table:' when only some of the pipeline's tables have it.");
            }
        }
    }

    /// <summary>The staged column a <c>columns:</c> entry names (as the source spells it, or in snake_case); null when the data lacks it.</summary>
    private static StagedColumn? Declared(IReadOnlyList<StagedColumn> columns, string name) =>
        ColumnNames.Find(columns, name, c => c.Name) is { } index ? columns[index] : null;

    private static long Count(DuckDBConnection workArea, string sql) =>
        Convert.ToInt64(workArea.Scalar(sql) ?? 0L, CultureInfo.InvariantCulture);
}
