using System.Globalization;
using Wharf.Dialects;
using Wharf.Projects;
using Wharf.Staging;

namespace Wharf.Warehouses;

/// <summary>
/// The keyed write modes (append over a watermark, merge, scd2) and delete detection, as SQL over
/// rows already staged in the warehouse's temporary table <see cref="Stage"/>. The statements are
/// the same on DuckDB and PostgreSQL (the dialect says the rest); how rows reach the stage is each
/// warehouse's <see cref="ILoadSession"/>.
/// </summary>
internal sealed class TableWrite(LoadRequest request, LakeSelect? select, SqlDialect dialect, IReadOnlySet<string>? comparedAsText = null)
{
    public const string Stage = "__wharf_stage";
    public const string Keys = "__wharf_keys";
    private const string Changed = "__wharf_changed";
    private const string ValidFrom = LakeSelect.ValidFromColumn;
    private const string ValidTo = LakeSelect.ValidToColumn;
    private const string IsCurrent = LakeSelect.IsCurrentColumn;
    private const string DeletedAt = LakeSelect.DeletedAtColumn;

    /// <summary>The writer of a load: its columns come from the data files, or (a cursor stream's last step) from the key files alone.</summary>
    /// <param name="staged">The load's rows as staging shaped them; read straight from the lake when null.</param>
    /// <param name="existing">The table's columns, when it exists.</param>
    public static TableWrite For(LoadRequest request, SqlDialect dialect, LakeSelect? staged = null, IReadOnlyList<Wharf.Schema.TableColumn>? existing = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var select = !request.Files.IsEmpty ? staged ?? LakeSelect.For(request) : request.PresentKeys is { } keys ? DeleteDetection.KeySelect(request, keys) : null;

        // Both engines call intervals equal when they last as long by 30-day months and 24-hour
        // days ('1 month' = '30 days'): a change between two such values is a change all the same.
        var intervals = existing?.Where(c => c.Type.Kind == Wharf.Schema.LogicalKind.Interval).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return new TableWrite(request, select, dialect, intervals);
    }

    /// <summary>What one load did to the table.</summary>
    public readonly record struct Counts(long Inserted, long Updated, long Deleted);

    public string Target { get; } = Quote.Qualified(request.Schema, request.Table);

    /// <summary>The load's rows as read from the lake (null for a cursor stream's last, delete-only step).</summary>
    public LakeSelect? Rows => request.Files.IsEmpty ? null : select;

    private string TableName => $"{request.Schema}.{request.Table}";

    private IReadOnlyList<string> KeyColumns => select?.PrimaryKey ?? request.PrimaryKey;

    /// <summary>The primary key's columns, in warehouse names.</summary>
    public IReadOnlyList<string> Key => KeyColumns;

    /// <summary>The rows delete detection compares with the source's keys: all (hard), not yet marked (soft), current versions (scd2).</summary>
    public string LiveRows => request.Mode == WriteMode.Scd2 ? $"{Target}.{IsCurrent}"
        : request.Deletes == DeleteMode.Soft ? $"{Target}.{DeletedAt} IS NULL"
        : "TRUE";

    /// <summary>Columns this mode keeps beyond the extract's own, created with the table or added to an older one.</summary>
    public IReadOnlyList<(string Name, string Type)> ExtraColumns => request.Mode switch
    {
        WriteMode.Scd2 => [(ValidFrom, "TIMESTAMPTZ"), (ValidTo, "TIMESTAMPTZ"), (IsCurrent, "BOOLEAN")],
        WriteMode.Merge when request.Deletes == DeleteMode.Soft => [(DeletedAt, "TIMESTAMPTZ")],
        _ => [],
    };

    /// <summary>The key a PostgreSQL table of this mode gets (SCD2 keeps one row per key and version).</summary>
    public IReadOnlyList<string> TableKey => request.Mode == WriteMode.Scd2 ? [.. KeyColumns, ValidFrom] : KeyColumns;

    /// <summary>Whether staged rows must be compared with the table (anything but a plain append).</summary>
    public bool IsKeyed => request.Mode is WriteMode.Merge or WriteMode.Scd2;

    public bool SkipsLoadedRows => request.Mode == WriteMode.Append && request.Loaded is not null;

    /// <summary>Append of a reloaded run: its earlier rows go first (nothing when the run never loaded).</summary>
    public string? ForgetRun => request.ReplacesRun && request.Mode == WriteMode.Append
        ? $"DELETE FROM {Target} WHERE {LakeSelect.RunIdColumn} = {Quote.Literal(request.RowsRunId ?? request.Record.RunId)}"
        : null;

    public string TempTable(string name, string query) => dialect.TempTable(name, query);

    public string Schema => request.Schema;

    public string Table => request.Table;

    /// <summary>The load's rows straight from the lake with the file and row each came from, so the last version of a key can be picked.</summary>
    public LakeSelect OrderedRows() => LakeSelect.For(request, ordered: true);

    public IEnumerable<string> AddExtraColumns() =>
        ExtraColumns.Select(c => $"ALTER TABLE {Target} ADD COLUMN IF NOT EXISTS {c.Name} {c.Type}");

    /// <summary>Fails when a staged row has a NULL key: merge and scd2 could not match it.</summary>
    public async Task CheckKeysAsync(Func<string, Task<long>> count)
    {
        ArgumentNullException.ThrowIfNull(count);
        if (KeyColumns.Count == 0)
        {
            throw new LoadException(TableName, request.Record.RunId, $"mode: {Mode} needs a primary key, and {TableName} has none. Add 'primary_key:' to the pipeline.");
        }

        var nulls = await count($"SELECT count(*) FROM {Stage} WHERE {string.Join(" OR ", KeyColumns.Select(k => $"{Quote.Identifier(k)} IS NULL"))}");
        if (nulls > 0)
        {
            throw new LoadException(TableName, request.Record.RunId, $"{nulls} row(s) have NULL in the primary key ({string.Join(", ", KeyColumns)}) of {TableName}; mode: {Mode} cannot match them. Nothing was loaded.");
        }
    }

    /// <summary>Writes the staged rows into the table by the request's mode.</summary>
    public async Task<Counts> WriteAsync(Func<string, Task<long>> execute, Func<string, Task<long>> count)
    {
        ArgumentNullException.ThrowIfNull(execute);
        ArgumentNullException.ThrowIfNull(count);
        var data = select ?? throw new InvalidOperationException("Nothing to write: the load has no files.");
        var columns = string.Join(", ", data.Columns.Select(Quote.Identifier));
        if (!IsKeyed)
        {
            var skip = SkipsLoadedRows ? $" WHERE NOT ({AtOrBeforeWatermark("s")} AND EXISTS (SELECT 1 FROM {Target} AS t WHERE {SameRow("t", "s")}))" : "";
            return new Counts(await execute($"INSERT INTO {Target} ({columns}) SELECT {columns} FROM {Stage} AS s{skip}"), 0, 0);
        }

        if (request.Mode == WriteMode.Scd2 && request.RewindTo is { } rewind)
        {
            var at = Timestamp(rewind);
            await execute($"DELETE FROM {Target} WHERE {ValidFrom} >= {at}");
            await execute($"UPDATE {Target} SET {ValidTo} = CAST(NULL AS TIMESTAMPTZ), {IsCurrent} = TRUE WHERE {ValidTo} >= {at}");
        }

        if (request.AllNew)
        {
            var open = request.Mode == WriteMode.Scd2 ? $", {ValidFrom}, {ValidTo}, {IsCurrent}" : "";
            var values = request.Mode == WriteMode.Scd2 ? $", {LoadedAt}, CAST(NULL AS TIMESTAMPTZ), TRUE" : "";
            return new Counts(await execute($"INSERT INTO {Target} ({columns}{open}) SELECT {columns}{values} FROM {Stage}"), 0, 0);
        }

        // The staged rows that are new, or differ from the table's (current) row for their key.
        var compared = request.Mode == WriteMode.Scd2 && request.Track.Count > 0
            ? [.. request.Track.Select(c => data.WarehouseName(c, TableName, "track"))]
            : data.DataColumns.Where(c => !KeyColumns.Contains(c)).ToList();
        var differs = compared.Count == 0 ? "FALSE" : $"({string.Join(", ", compared.Select(c => Compared("s", c)))}) IS DISTINCT FROM ({string.Join(", ", compared.Select(c => Compared("t", c)))})";
        var current = request.Mode == WriteMode.Scd2 ? $" AND t.{IsCurrent}" : "";
        var revived = ExtraColumns.Any(c => c.Name == DeletedAt) ? $" OR t.{DeletedAt} IS NOT NULL" : "";
        var firstKey = Quote.Identifier(KeyColumns[0]);
        var compareAll = $"t.{firstKey} IS NULL OR {differs}{revived}";
        string Changes(string table, string where) =>
            $"SELECT s.*, t.{firstKey} IS NULL AS __wharf_new FROM {Stage} AS s LEFT JOIN {table} AS t ON {Match("t", "s")}{current} WHERE {where}";
        if (NewerThanLoaded("s", compared) is not { } newer)
        {
            await execute(TempTable(Changed, Changes(Target, compareAll)));
        }
        else
        {
            // A row newer than everything loaded differs from the table's version of its key, so
            // for it the table's key columns are all there is to read (a columnar table then
            // reads one column, not every one); older rows (lookback, equal cursors) are compared.
            var keyColumns = KeyColumns.Select(Quote.Identifier).Concat(current.Length > 0 ? [IsCurrent] : []);
            await execute(TempTable(Changed, Changes($"(SELECT {string.Join(", ", keyColumns)} FROM {Target})", newer)));
            if (await count($"SELECT count(*) FROM {Stage} AS s WHERE NOT {newer}") > 0)
            {
                await execute($"INSERT INTO {Changed} {Changes(Target, $"NOT {newer} AND ({compareAll})")}");
            }
        }

        var inserted = await count($"SELECT count(*) FROM {Changed} WHERE __wharf_new");
        long updated;
        if (request.Mode == WriteMode.Scd2)
        {
            // Close the current version of each changed key, then open the new ones.
            // The changed rows go by their own name, never a short alias: a table may be called c.
            updated = await execute($"UPDATE {Target} SET {ValidTo} = {LoadedAt}, {IsCurrent} = FALSE FROM {Changed} " +
                $"WHERE {Target}.{IsCurrent} AND {Match(Target, Changed)} AND NOT {Changed}.__wharf_new");
            await execute($"INSERT INTO {Target} ({columns}, {ValidFrom}, {ValidTo}, {IsCurrent}) SELECT {columns}, {LoadedAt}, CAST(NULL AS TIMESTAMPTZ), TRUE FROM {Changed}");
        }
        else
        {
            updated = await execute($"DELETE FROM {Target} USING {Changed} WHERE {Match(Target, Changed)} AND NOT {Changed}.__wharf_new");
            await execute($"INSERT INTO {Target} ({columns}) SELECT {columns} FROM {Changed}");
        }

        await execute($"DROP TABLE {Changed}");
        return new Counts(inserted, updated, 0);
    }

    /// <summary>Deletes (hard, soft, or closes the SCD2 version of) the rows whose key is not in <see cref="Keys"/>.</summary>
    public Task<long> DeleteMissingAsync(Func<string, Task<long>> execute) =>
        DeleteAsync(execute, $"NOT EXISTS (SELECT 1 FROM {Keys} AS k WHERE {Match(Target, "k")})");

    /// <summary>
    /// Deletes (hard, soft, or closes the SCD2 version of) the <see cref="LiveRows"/> for which
    /// <paramref name="missing"/> holds (a condition on <see cref="Target"/>'s columns, qualified by it).
    /// </summary>
    public Task<long> DeleteAsync(Func<string, Task<long>> execute, string missing)
    {
        ArgumentNullException.ThrowIfNull(execute);
        ArgumentNullException.ThrowIfNull(missing);
        return execute(request.Mode == WriteMode.Scd2
            ? $"UPDATE {Target} SET {ValidTo} = {LoadedAt}, {IsCurrent} = FALSE WHERE {IsCurrent} AND {missing}"
            : request.Deletes == DeleteMode.Soft
                ? $"UPDATE {Target} SET {DeletedAt} = {LoadedAt} WHERE {DeletedAt} IS NULL AND {missing}"
                : $"DELETE FROM {Target} WHERE {missing}");
    }

    private string Mode => request.Mode.ToString().ToLowerInvariant();

    private string LoadedAt => Timestamp(request.LoadedAt);

    private static string Timestamp(DateTimeOffset time) =>
        $"CAST({Quote.Literal(time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00")} AS TIMESTAMPTZ)";

    private string Match(string left, string right) =>
        string.Join(" AND ", KeyColumns.Select(k => $"{left}.{Quote.Identifier(k)} = {right}.{Quote.Identifier(k)}"));

    /// <summary>Rows are the same by key, or (no key) by every column.</summary>
    private string SameRow(string left, string right) => KeyColumns.Count > 0
        ? Match(left, right)
        : string.Join(" AND ", select!.DataColumns.Select(c => $"{Compared(left, c)} IS NOT DISTINCT FROM {Compared(right, c)}"));

    /// <summary>A column as compared for change: by its text where equal values can differ.</summary>
    private string Compared(string alias, string column) => comparedAsText?.Contains(column) == true
        ? $"CAST({alias}.{Quote.Identifier(column)} AS VARCHAR)"
        : $"{alias}.{Quote.Identifier(column)}";

    /// <summary>
    /// The condition (never NULL) that a staged row's cursor is past the watermark loaded before
    /// this run, when that proves the row differs from the table's: every row in the table has a
    /// cursor at or before that watermark (it is the maximum loaded, saved with the rows), and the
    /// cursor is among the compared columns. Null when it proves nothing: no watermark yet, a
    /// replay (which compares as a first load would), or rules that may change the cursor's values.
    /// </summary>
    private string? NewerThanLoaded(string alias, IReadOnlyList<string> compared)
    {
        if (request.Loaded is not { } watermark || request.RowsRunId is not null || !request.Rules.Transform.IsEmpty
            || watermark.Columns.Any(request.Rules.Columns.ContainsKey))
        {
            return null;
        }

        var columns = watermark.Columns.Select(c => select!.WarehouseName(c, TableName, "cursor")).ToList();
        if (!columns.All(compared.Contains))
        {
            return null;
        }

        var quoted = columns.Select(c => $"{alias}.{Quote.Identifier(c)}").ToList();
        return $"COALESCE({Incremental.CursorBound.Lexicographic(quoted, watermark.Values, Quote.Literal, ">", ">")}, FALSE)";
    }

    /// <summary>The row's cursor is at or before the loaded watermark: it may have been loaded already.</summary>
    private string AtOrBeforeWatermark(string alias)
    {
        var watermark = request.Loaded!;
        var columns = watermark.Columns.Select(c => $"{alias}.{Quote.Identifier(select!.WarehouseName(c, TableName, "cursor"))}").ToList();
        return Incremental.CursorBound.Lexicographic(columns, watermark.Values, Quote.Literal, "<", "<=");
    }
}
