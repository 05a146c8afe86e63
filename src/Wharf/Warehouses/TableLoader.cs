using Wharf.Incremental;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Schema;
using Wharf.Staging;
using Wharf.Transforms;
using Wharf.DuckDb;

namespace Wharf.Warehouses;

/// <summary>
/// The load sequence, once for every warehouse: lake files of one extract (or one chunk) become
/// rows of one table (and its child tables' rows, for a part of nested JSON), with their audit
/// row and the stream's state, in one transaction of an
/// <see cref="ILoadSession"/>. Everything that can fail on the data (checks, the schema contract)
/// fails in staging, before a row is written; a failure anywhere leaves the table, the audit and
/// the state as they were.
/// </summary>
internal sealed class TableLoader(TimeProvider time)
{
    /// <summary>Runs the load in the session and commits it; returns the audit record as written.</summary>
    /// <exception cref="LoadException">The load failed and was rolled back; the message says why.</exception>
    /// <exception cref="CheckFailedException">A check failed under on_check_failure: fail; nothing was loaded.</exception>
    /// <exception cref="SchemaChangeException">The data breaks the table's schema or the contract; nothing was loaded.</exception>
    public async Task<RunRecord> LoadAsync(ILoadSession session, LoadRequest request, CancellationToken cancellationToken = default) =>
        (await LoadAsync(session, [request], cancellationToken))[0];

    /// <summary>
    /// Loads a stream's part and its child tables' parts (nested JSON lists) in one transaction:
    /// each table with its audit row, the first one's state guarding them all. Returns the audit
    /// records as written, in the same order.
    /// </summary>
    /// <exception cref="LoadException">The load failed and was rolled back; the message says why, naming the table.</exception>
    /// <exception cref="CheckFailedException">A check failed under on_check_failure: fail; nothing was loaded.</exception>
    /// <exception cref="SchemaChangeException">The data breaks a table's schema or the contract; nothing was loaded.</exception>
    public async Task<IReadOnlyList<RunRecord>> LoadAsync(ILoadSession session, IReadOnlyList<LoadRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(requests);
        var current = requests[0];
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();

            // The state guard: a chunk that committed before a crash (or whose commit's answer was
            // lost with the network) is not loaded twice; the run's counts are those its commit recorded.
            if (await AlreadyCommittedAsync(session, requests[0], cancellationToken))
            {
                var committed = new List<RunRecord>();
                foreach (var request in requests)
                {
                    committed.Add(await CommittedRecordAsync(session, request, cancellationToken));
                }

                return committed;
            }

            var records = new List<RunRecord>();
            long written = 0;
            foreach (var request in requests)
            {
                current = request;
                var (record, rows) = await LoadTableAsync(session, request, cancellationToken);
                records.Add(record);
                written += rows;
            }

            FailPoint.Hit(FailPoint.BeforeCommit);
            current = requests[0];
            var beforeCommit = clock.Elapsed;
            await session.CommitAsync(requests[0], written, cancellationToken);

            // The commit's time cannot be in the audit rows (they are part of the commit): it is in
            // the records returned, which the next chunk or the stream's end records.
            records[0] = records[0] with { Times = records[0].Times.Add(new RunStageTimes { Commit = clock.Elapsed - beforeCommit }) };
            return records;
        }
        catch (Exception error) when (Explain(session, error, current) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Loads one part of a replace built as its extract runs (<see cref="ReplaceStep.Part"/>) into
    /// the session's new table: staged, its rows checked and written, nothing recorded or committed
    /// (<see cref="LoadAsync(ILoadSession, IReadOnlyList{LoadRequest}, CancellationToken)"/> with the
    /// <see cref="ReplaceStep.Last"/> step does that). Returns the run's record with this part's counts added.
    /// </summary>
    /// <exception cref="LoadException">The part could not be loaded; the message says why, naming the table.</exception>
    /// <exception cref="CheckFailedException">A check failed under on_check_failure: fail.</exception>
    /// <exception cref="SchemaChangeException">The data breaks the table's schema or the contract.</exception>
    public async Task<RunRecord> LoadPartAsync(ILoadSession session, LoadRequest part, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(part);
        try
        {
            return (await LoadTableAsync(session, part, cancellationToken)).Record;
        }
        catch (Exception error) when (Explain(session, error, part) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>What a load that already committed recorded: its counts, from its audit row.</summary>
    private async Task<RunRecord> CommittedRecordAsync(ILoadSession session, LoadRequest request, CancellationToken cancellationToken)
    {
        var done = LoadResult.Complete(request with { Files = [] }, default, time.GetUtcNow());
        return await session.ReadRecordAsync(done.RunId, done.Pipeline, done.Stream, cancellationToken) is { } committed
            ? done with
            {
                RowsLoaded = committed.RowsLoaded,
                RowsInserted = committed.RowsInserted,
                RowsUpdated = committed.RowsUpdated,
                RowsDeleted = committed.RowsDeleted,
                RowsUnchanged = committed.RowsUnchanged,
                RowsQuarantined = committed.RowsQuarantined,
                RowsDiscarded = committed.RowsDiscarded,
            }
            : done;
    }

    /// <summary>One table's share of the transaction, its audit row and state included; returns the record and the rows written.</summary>
    private async Task<(RunRecord Record, long Written)> LoadTableAsync(ILoadSession session, LoadRequest request, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // A cursor stream's last step: the table checks judge the whole run's rows, now its chunks are in.
        if (!request.RunFiles.IsEmpty)
        {
            var results = StagedLoad.CheckRun(session.WorkArea, request with { Files = request.RunFiles });
            request = request with { Record = request.Record with { Checks = LoadResult.Merge(request.Record.Checks, results) } };
        }

        // 1. Staging: declared types, checks (quarantine set apart), processors, the schema plan.
        await session.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Quote.Identifier(request.Schema)}", cancellationToken);
        var existing = request.Recreate ? null : await session.DescribeAsync(request.Schema, request.Table, cancellationToken);
        existing = await MarkUntypedAsync(session, request, existing, cancellationToken);
        if (SetAsideDocuments.IsChild(request) && !request.Files.IsEmpty)
        {
            request = request with { LeftOutDocuments = await SetAsideDocuments.ForChildAsync(session.WorkArea, request, cancellationToken) };
        }

        var staged = request.Files.IsEmpty ? null : await StageAsync(session, request, existing, cancellationToken);
        if (SetAsideDocuments.IsRoot(request))
        {
            await session.WorkArea.ExecuteAsync(SetAsideDocuments.Note(request, staged?.DocumentsSetAside), cancellationToken);
        }

        if (staged is { Lookups.Count: > 0 })
        {
            staged = await LookupAsync(session, request, staged, cancellationToken);
        }

        var stageTime = clock.Elapsed;
        var write = TableWrite.For(request, session.Dialect, staged?.Rows, existing);
        if (request.Recreate && request.ReplaceStep != ReplaceStep.Part)
        {
            // A part of a replace leaves the old table to its last step: readers keep it until then.
            await session.ExecuteAsync($"DROP TABLE IF EXISTS {write.Target}", cancellationToken);
        }

        // 2. The rows, by the write mode.
        var counts = staged is null or { Schema.DiscardAll: true } ? default
            : await WriteAsync(session, request, write, existing, staged.Schema, cancellationToken);
        if (request.ReplaceStep == ReplaceStep.Last)
        {
            await session.SwapInNewTableAsync(write, cancellationToken);
            await AddExtraColumnsAsync(session, write, cancellationToken);
        }

        // 3. The rows set aside, 4. the rows the source no longer has.
        if (staged?.Quarantine is not null)
        {
            staged = await QuarantineAsync(session, request, staged, cancellationToken);
        }

        if (request.PresentKeys is { } present)
        {
            counts = counts with { Deleted = await session.DeleteMissingAsync(request, write, present, cancellationToken) };
        }

        // 5. The audit row and the state, in the same transaction as the data.
        var loadTime = clock.Elapsed - stageTime;
        var record = LoadResult.Complete(request, counts, time.GetUtcNow(), staged);
        record = record with { Times = record.Times.Add(new RunStageTimes { Stage = stageTime, Load = loadTime }) };
        if (request.ReplaceStep != ReplaceStep.Part)
        {
            await session.RecordAsync(record, request.State, cancellationToken);
        }

        return (record, counts.Inserted + counts.Updated + counts.Deleted);
    }

    /// <summary>
    /// The table's json columns that hold only NULLs, where the new data brings another type: a
    /// field null in every record so far had no type to give, and its first values give theirs.
    /// </summary>
    private static async Task<IReadOnlyList<TableColumn>?> MarkUntypedAsync(ILoadSession session, LoadRequest request, IReadOnlyList<TableColumn>? existing, CancellationToken cancellationToken)
    {
        if (existing is null || request.Files.IsEmpty || !existing.Any(c => c.Type.Kind == LogicalKind.Json))
        {
            return existing;
        }

        var typed = request.Files
            .SelectMany(LakeSelect.WarehouseColumns)
            .Where(c => c.Column.Type != "JSON")
            .Select(c => c.Name)
            .ToHashSet(StringComparer.Ordinal);
        var marked = new List<TableColumn>(existing.Count);
        var target = Quote.Qualified(request.Schema, request.Table);
        foreach (var column in existing)
        {
            var untyped = column.Type.Kind == LogicalKind.Json && typed.Contains(column.Name)
                && await session.CountAsync($"SELECT count(*) FROM (SELECT 1 FROM {target} WHERE {Quote.Identifier(column.Name)} IS NOT NULL LIMIT 1) AS held", cancellationToken) == 0;
            marked.Add(untyped ? column with { Untyped = true } : column);
        }

        return marked;
    }

    private static async Task<bool> AlreadyCommittedAsync(ILoadSession session, LoadRequest request, CancellationToken cancellationToken)
    {
        if (request is not { Expected: { } expected, State: { } next })
        {
            return false;
        }

        var saved = await session.ReadStateAsync(next.Pipeline, next.Stream, cancellationToken);
        return expected.Check(next, saved?.RunId, saved?.Watermark) == StateExpectation.Verdict.AlreadyCommitted;
    }

    /// <exception cref="CheckFailedException">A check failed under on_check_failure: fail.</exception>
    private static async Task<StagedLoad> StageAsync(ILoadSession session, LoadRequest request, IReadOnlyList<TableColumn>? existing, CancellationToken cancellationToken)
    {
        // Relationships checks compare with another table's values, which the session brings into
        // the work area first: staging itself is synchronous DuckDB work.
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var check in request.Rules.Checks.Where(c => c.Kind == CheckKind.Relationships))
        {
            try
            {
                references[check.Name] = await session.ReferenceAsync(request.Schema, check, cancellationToken);
            }
            catch (WharfException ex)
            {
                throw CheckRunner.CouldNotRun(check, $"{request.Schema}.{request.Table}", ex);
            }
        }

        // A lookup step joins with its dimension's rows, which it finds in the work area.
        foreach (var step in request.Rules.Transform.Where(p => p.Kind == ProcessorKind.Lookup))
        {
            await session.WorkArea.ExecuteAsync(LookupSql.CreateWorkAreaTable(step), cancellationToken);
        }

        return StagedLoad.Prepare(session.WorkArea, request, existing, check => references[check.Name]);
    }

    /// <summary>
    /// Each lookup's dimension gets the names the rows bring that it lacks (created first when it
    /// does not exist, other writers held off where the engine can), before the rows that
    /// reference them are written, in the same transaction.
    /// </summary>
    private static async Task<StagedLoad> LookupAsync(ILoadSession session, LoadRequest request, StagedLoad staged, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        foreach (var (step, rows, column) in staged.Lookups)
        {
            var lookup = step.Lookup!;
            var dimension = LookupSql.Dimension(request.Schema, lookup);
            var known = LookupSql.WorkAreaTable(step);
            await session.ExecuteAsync(LookupSql.CreateDimension(dimension, lookup), cancellationToken);
            if (session.Dialect.LockForWrites(dimension) is { } hold)
            {
                await session.ExecuteAsync(hold, cancellationToken);
            }

            try
            {
                await session.FetchAsync(LookupSql.ReadDimension(dimension, lookup), known, cancellationToken);
            }
            catch (WharfException ex)
            {
                throw new TransformException($"{request.Schema}.{request.Table}", step.ToString(),
                    $"{step} for {request.Schema}.{request.Table}: the dimension {dimension} has no '{lookup.Key}' key and '{lookup.Name}' name columns to read ({Summary(ex)}). " +
                    "Name its columns with 'key:' and 'name:', or another table with 'table:'.", ex);
            }

            await session.WorkArea.ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {known}_new AS {LookupSql.NewNames(step, rows, column)}", cancellationToken);
            var added = await session.InsertAsync(
                dimension, $"SELECT k AS {Quote.Identifier(lookup.Key)}, v AS {Quote.Identifier(lookup.Name)} FROM {known}_new", [lookup.Key, lookup.Name], cancellationToken);
            await session.WorkArea.ExecuteAsync($"INSERT INTO {known} SELECT k, v FROM {known}_new; DROP TABLE {known}_new", cancellationToken);
            if (added > 0)
            {
                notes.Add($"lookup added {added:N0} name(s) to {dimension.Replace("\"", "", StringComparison.Ordinal)}");
            }
        }

        return staged with { Notes = [.. staged.Notes, .. notes] };
    }

    /// <param name="existing">The table's columns; null for a new table.</param>
    /// <param name="schema">The table's schema changes, made first when the table exists.</param>
    private static async Task<TableWrite.Counts> WriteAsync(ILoadSession session, LoadRequest request, TableWrite write, IReadOnlyList<TableColumn>? existing, SchemaPlan schema, CancellationToken cancellationToken)
    {
        var rows = write.Rows!;
        var evolve = existing is null ? null : schema;
        if (request.Mode == WriteMode.Replace || request.ReplaceStep == ReplaceStep.Part)
        {
            return new(request.ReplaceStep == ReplaceStep.Part
                ? await session.AddToNewTableAsync(write, rows, cancellationToken)
                : await session.ReplaceTableAsync(write, rows, cancellationToken), 0, 0);
        }

        // Asked before the table is touched: the PostgreSQL session streams the rows from a query
        // it opens with the table, and another query on the work area would close it.
        var direct = await IsDirectAsync(session, request, write, rows, existing, cancellationToken);

        if (evolve is not null)
        {
            await session.EvolveAsync(write, evolve, rows, cancellationToken);
        }

        await session.CreateTableAsync(write, rows, cancellationToken);
        if (direct)
        {
            await AddExtraColumnsAsync(session, write, cancellationToken);
            return new(await session.InsertAsync(write.Target, rows.Sql, rows.Columns, cancellationToken), 0, 0);
        }

        if (!write.IsKeyed && !write.SkipsLoadedRows)
        {
            if (write.ForgetRun is { } forget)
            {
                await session.ExecuteAsync(forget, cancellationToken);
            }

            return new(await session.InsertAsync(write.Target, rows.Sql, rows.Columns, cancellationToken), 0, 0);
        }

        await session.StageAsync(write, rows, cancellationToken);
        await AddExtraColumnsAsync(session, write, cancellationToken);

        Task<long> Execute(string sql) => session.ExecuteAsync(sql, cancellationToken);
        Task<long> Count(string sql) => session.CountAsync(sql, cancellationToken);
        if (write.IsKeyed)
        {
            await write.CheckKeysAsync(Count);
        }

        var counts = await write.WriteAsync(Execute, Count);
        await session.ExecuteAsync($"DROP TABLE {TableWrite.Stage}", cancellationToken);
        return counts;
    }

    /// <summary>The columns the write mode keeps beyond the extract's own (<see cref="TableWrite.ExtraColumns"/>), added where missing.</summary>
    private static async Task AddExtraColumnsAsync(ILoadSession session, TableWrite write, CancellationToken cancellationToken)
    {
        foreach (var sql in write.AddExtraColumns())
        {
            await session.ExecuteAsync(sql, cancellationToken);
        }
    }

    /// <summary>
    /// A merge whose staged keys are all present, distinct and new to the table goes straight into
    /// it, as an append does: there is nothing to compare them with and no later version of a key
    /// to keep, so the staged copy, its de-duplication and the key check would only cost time (on
    /// PostgreSQL, a second write of every row). New means a first load's chunk
    /// (<see cref="LoadRequest.AllNew"/>), or a single integer key whose every staged value is above
    /// those the table holds: a stream's message ids, a table's serial ids, whose new rows are
    /// inserts. Otherwise it takes the staged path, which keeps the last version of a repeated key
    /// and names NULL keys.
    /// </summary>
    /// <param name="existing">The table's columns; null when it does not exist yet.</param>
    private static async Task<bool> IsDirectAsync(ILoadSession session, LoadRequest request, TableWrite write, LakeSelect rows, IReadOnlyList<TableColumn>? existing, CancellationToken cancellationToken)
    {
        if (request.Mode != WriteMode.Merge || write.Key.Count == 0)
        {
            return false;
        }

        // Rows the table may hold a version of: worth a look only when their key is one integer column.
        var holdsRows = !request.AllNew && existing is not null;
        if (holdsRows && (write.Key.Count != 1 || existing!.FirstOrDefault(c => c.Name == write.Key[0])?.Type.Kind
            is not (LogicalKind.Int8 or LogicalKind.Int16 or LogicalKind.Int32 or LogicalKind.Int64)))
        {
            return false;
        }

        var keys = write.Key.Select(Quote.Identifier).ToList();
        var key = keys.Count == 1 ? keys[0] : $"({string.Join(", ", keys)})";
        // Keys the source enforces need no count of distinct values (1.1 s of a 5M-row first load,
        // bench/README.md); a NULL that a conversion made is still looked for.
        var repeated = request.KeysDistinct ? "" : $" + count(*) - count(DISTINCT {key})";
        object? lowest;
        using (var reader = session.WorkArea.Query(
            $"SELECT count(*) FILTER (WHERE {string.Join(" OR ", keys.Select(k => $"{k} IS NULL"))}){repeated}, min({keys[0]}) FROM ({rows.Sql})"))
        {
            reader.Read();
            if (reader.GetInt64(0) != 0)
            {
                return false;
            }

            lowest = reader.GetValue(1);
        }

        if (!holdsRows)
        {
            return true;
        }

        if (lowest is not (sbyte or byte or short or ushort or int or uint or long))
        {
            return false;
        }

        var from = Convert.ToInt64(lowest, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await session.CountAsync($"SELECT count(*) FROM (SELECT 1 FROM {write.Target} WHERE {keys[0]} >= {from} LIMIT 1) AS t", cancellationToken) == 0;
    }

    /// <summary>Writes the rows that failed a quarantine check to the table's quarantine table (created or widened first).</summary>
    private static async Task<StagedLoad> QuarantineAsync(ILoadSession session, LoadRequest request, StagedLoad staged, CancellationToken cancellationToken)
    {
        var name = StagedLoad.QuarantineTable(request.Table);
        var table = Quote.Qualified(request.Schema, name);
        var existing = (await session.DescribeAsync(request.Schema, name, cancellationToken))?.Select(c => c.Name).ToList();
        foreach (var sql in staged.QuarantineDdl(table, existing, request.RowsRunId))
        {
            await session.ExecuteAsync(sql, cancellationToken);
        }

        var rows = await session.InsertAsync(table, staged.Quarantine!, staged.QuarantineColumns, cancellationToken);
        return staged.WithQuarantined(rows, request.Schema, request.Table);
    }

    private static string Summary(WharfException error) => error is DuckDbException duckDb ? duckDb.Summary : error.Message.TrimEnd('.');

    /// <summary>
    /// What a failed load throws: the engine's explanation of its own errors, or Wharf's message
    /// wrapped so it says the load was rolled back. A failed check or a schema change is already
    /// the whole story, and a cancellation is not a failure.
    /// </summary>
    private static LoadException? Explain(ILoadSession session, Exception error, LoadRequest request)
    {
        if (error is LoadException or CheckFailedException or SchemaChangeException or OperationCanceledException)
        {
            return null;
        }

        if (session.Explain(error, request) is { } explained)
        {
            return explained;
        }

        return error is WharfException
            ? new LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
                $"Loading {request.Schema}.{request.Table} failed and was rolled back; the table and its state are as they were. {error.Message}", error)
            : null;
    }
}
