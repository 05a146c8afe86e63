using System.Collections.Immutable;
using System.Globalization;
using DuckDB.NET.Data;
using Npgsql;
using Wharf.Dialects;
using Wharf.DuckDb;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Postgres;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Schema;
using Wharf.Staging;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// A load in the PostgreSQL warehouse: one connection and one transaction. Rows are staged and
/// checked in the DuckDB work area, and stream out of it by binary COPY.
/// </summary>
internal sealed class PostgresLoadSession : ILoadSession
{
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private readonly string server;

    /// <summary>The load's rows, described and streaming from the work area once asked for (one DESCRIBE serves the table's definition and the COPY).</summary>
    private (string Sql, PostgresColumn.CopySource Source)? rows;

    /// <summary>Whether a replace's new table is made and not yet swapped in (see <see cref="AddToNewTableAsync"/>).</summary>
    private bool newTable;

    private PostgresLoadSession(NpgsqlConnection connection, NpgsqlTransaction transaction, DuckDBConnection workArea, string server)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.server = server;
        WorkArea = workArea;
    }

    /// <exception cref="PostgresConnectionException">The warehouse cannot be reached.</exception>
    public static async Task<PostgresLoadSession> BeginAsync(ConnectionSettings settings, DuckDBConnection workArea, CancellationToken cancellationToken)
    {
        var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new PostgresLoadSession(connection, transaction, workArea, PostgresConnectionString.Describe(settings));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public SqlDialect Dialect => SqlDialect.Postgres;

    public DuckDBConnection WorkArea { get; }

    public async Task<(string RunId, string? Watermark)?> ReadStateAsync(string pipeline, string stream, CancellationToken cancellationToken)
    {
        // FOR UPDATE: a concurrent writer of the same stream waits here, then sees this load's row.
        await using var read = new NpgsqlCommand("SELECT run_id, watermark FROM _wharf.state WHERE pipeline = $1 AND stream = $2 FOR UPDATE", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = pipeline });
        read.Parameters.Add(new NpgsqlParameter { Value = stream });
        await using var found = await read.ExecuteReaderAsync(cancellationToken);
        return await found.ReadAsync(cancellationToken) ? (found.GetString(0), found.IsDBNull(1) ? null : found.GetString(1)) : null;
    }

    public async Task<RunRecord?> ReadRecordAsync(string runId, string pipeline, string stream, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlCommand($"SELECT {RunRecordReader.Columns} FROM _wharf.runs WHERE run_id = $1 AND pipeline = $2 AND stream = $3", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = runId });
        read.Parameters.Add(new NpgsqlParameter { Value = pipeline });
        read.Parameters.Add(new NpgsqlParameter { Value = stream });
        await using var found = await read.ExecuteReaderAsync(cancellationToken);
        return await found.ReadAsync(cancellationToken) ? RunRecordReader.Read(found) : null;
    }

    public async Task<IReadOnlyList<TableColumn>?> DescribeAsync(string schema, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Quote.Qualified(schema, table) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<TableColumn>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(new TableColumn(reader.GetString(0), LogicalType.FromPostgres(reader.GetString(1))));
        }

        return columns.Count == 0 ? null : columns;
    }

    public async Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Checks run in the DuckDB work area, so the referenced column's distinct values are copied
    /// there first (as text, which is how they are compared).
    /// </summary>
    public async Task<string> ReferenceAsync(string schema, CheckSettings check, CancellationToken cancellationToken)
    {
        var (toSchema, toTable) = CheckSql.ReferencedTable(schema, check);
        var copy = $"__wharf_ref_{(uint)StringComparer.Ordinal.GetHashCode(check.Name):x}";
        await WorkArea.ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {copy} (v VARCHAR)", cancellationToken);
        await FetchAsync($"SELECT DISTINCT CAST({Quote.Identifier(check.ToColumn!)} AS text) FROM {Quote.Qualified(toSchema, toTable)}", copy, cancellationToken);
        return $"SELECT v FROM {copy}";
    }

    public async Task FetchAsync(string sql, string workAreaTable, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            using var appender = DuckDbRowAppender.Open(WorkArea, workAreaTable, "main", "temp");
            appender.AppendReader(reader, cancellationToken);
            appender.Complete();
        }
        catch (PostgresException ex)
        {
            throw new QueryException(sql, $"The query failed: {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
        }
    }

    public async Task CreateTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken)
    {
        var extra = string.Concat(write.ExtraColumns.Select(c => $", {c.Name} {c.Type}"));
        var key = PrimaryKey(write) is { } primaryKey ? $", {primaryKey}" : "";
        await ExecuteAsync($"CREATE TABLE IF NOT EXISTS {write.Target} ({Definition(Rows(rows).Columns)}{extra}{key})", cancellationToken);
    }

    /// <summary>Adds and widens columns to the PostgreSQL types the rows are written as.</summary>
    public async Task EvolveAsync(TableWrite write, SchemaPlan plan, LakeSelect rows, CancellationToken cancellationToken)
    {
        var columns = Rows(rows).Columns;
        foreach (var change in plan.Added.Concat(plan.Widened))
        {
            var type = columns.First(c => c.Name == change.Name).Type;
            await ExecuteAsync(change.From is null
                ? $"ALTER TABLE {write.Target} ADD COLUMN {Quote.Identifier(change.Name)} {type}"
                : $"ALTER TABLE {write.Target} ALTER COLUMN {Quote.Identifier(change.Name)} TYPE {type} USING {(change.FromNulls ? "NULL" : Quote.Identifier(change.Name))}::{type}", cancellationToken);
        }
    }

    public async Task<long> ReplaceTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken)
    {
        var written = await AddToNewTableAsync(write, rows, cancellationToken);
        await SwapInNewTableAsync(write, cancellationToken);
        return written;
    }

    public async Task<long> AddToNewTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken)
    {
        // Built beside the old table and swapped in at commit: readers never see a half table.
        var fresh = NewTable(write);
        if (!newTable)
        {
            await ExecuteAsync($"DROP TABLE IF EXISTS {fresh}; CREATE TABLE {fresh} ({Definition(Rows(rows).Columns)})", cancellationToken);
            newTable = true;
        }

        return await InsertAsync(fresh, rows.Sql, rows.Columns, cancellationToken);
    }

    public async Task SwapInNewTableAsync(TableWrite write, CancellationToken cancellationToken)
    {
        if (!newTable)
        {
            throw new InvalidOperationException($"No rows were added to a new {write.Target}: there is nothing to swap in.");
        }

        var views = await DependentViews.ReadAsync(connection, Dialect, write.Schema, write.Table, cancellationToken);
        await ExecuteAsync($"DROP TABLE IF EXISTS {write.Target}{DependentViews.Cascade(views)}; ALTER TABLE {NewTable(write)} RENAME TO {Quote.Identifier(write.Table)}", cancellationToken);
        await DependentViews.RecreateAsync(connection, views, cancellationToken);
        newTable = false;

        // A keyed table built this way (a first load read whole) gets its key now: one index
        // build, instead of the index kept up row by row as the parts came.
        if (PrimaryKey(write) is { } primaryKey)
        {
            await ExecuteAsync($"ALTER TABLE {write.Target} ADD {primaryKey}", cancellationToken);
        }
    }

    /// <summary>The <c>PRIMARY KEY (…)</c> a keyed mode's table has; null for the other modes.</summary>
    private static string? PrimaryKey(TableWrite write) =>
        write.IsKeyed && write.TableKey.Count > 0 ? $"PRIMARY KEY ({string.Join(", ", write.TableKey.Select(Quote.Identifier))})" : null;

    private static string NewTable(TableWrite write) => Quote.Qualified(write.Schema, write.Table + "__wharf_new");

    public async Task<long> InsertAsync(string table, string sql, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        if (rows is { } open && open.Sql == sql)
        {
            rows = null;
            using (open.Source)
            {
                return await PostgresWarehouse.CopyAsync(connection, table, open.Source, cancellationToken);
            }
        }

        using var source = PostgresColumn.Query(WorkArea, sql, columns);
        return await PostgresWarehouse.CopyAsync(connection, table, source, cancellationToken);
    }

    /// <summary>Rows go by COPY into a temporary table; merge and scd2 keep the last version of each key.</summary>
    public async Task StageAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken)
    {
        var copied = write.IsKeyed ? "__wharf_copy" : TableWrite.Stage;
        await ExecuteAsync($"CREATE TEMP TABLE {copied} ({Definition(Rows(rows).Columns)}) ON COMMIT DROP", cancellationToken);
        await InsertAsync(copied, rows.Sql, rows.Columns, cancellationToken);
        if (write.IsKeyed && rows.PrimaryKey.Count > 0)
        {
            var keys = string.Join(", ", rows.PrimaryKey.Select(Quote.Identifier));
            await ExecuteAsync(Dialect.TempTable(TableWrite.Stage, $"SELECT DISTINCT ON ({keys}) * FROM {copied} ORDER BY {keys}, ctid DESC"), cancellationToken);

            // Gone now, not at the commit: the transaction may load another table (a child table of nested JSON).
            await ExecuteAsync($"DROP TABLE {copied}", cancellationToken);
        }

        if (!write.IsKeyed || rows.PrimaryKey.Count > 0)
        {
            await ExecuteAsync($"ANALYZE {TableWrite.Stage}", cancellationToken);
        }
    }

    public Task<long> DeleteMissingAsync(LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present, CancellationToken cancellationToken) =>
        PostgresDeletes.ApplyAsync(connection, WorkArea, request, write, present, cancellationToken);

    public async Task RecordAsync(RunRecord record, StreamState? state, CancellationToken cancellationToken)
    {
        await PostgresAudit.UpsertAsync(connection, record, cancellationToken);
        if (state is not null)
        {
            await PostgresAudit.SaveStateAsync(connection, state, cancellationToken);
        }
    }

    public Task CommitAsync(LoadRequest request, long rowsWritten, CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public LoadException? Explain(Exception error, LoadRequest request)
    {
        var table = $"{request.Schema}.{request.Table}";
        return error switch
        {
            PostgresException ex => new LoadException(table, request.Record.RunId,
                $"Loading {table} into PostgreSQL ({server}) failed and was rolled back; the table and the audit are as they were. " +
                $"PostgreSQL said: {ex.MessageText} (SQLSTATE {ex.SqlState}).{Hint(ex, request)}", ex) { Transient = PostgresErrors.IsTransient(ex) },
            NpgsqlException ex => new LoadException(table, request.Record.RunId,
                $"Loading {table} into PostgreSQL ({server}) failed and was rolled back: {PostgresErrors.Explain(ex)}", ex) { Transient = PostgresErrors.IsTransient(ex) },
            _ => null,
        };
    }

    private static string Hint(PostgresException ex, LoadRequest request) => ex.SqlState switch
    {
        PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.DatatypeMismatch when request.Mode != WriteMode.Replace =>
            " The extract's columns differ from the table's; run once with --full-refresh (or mode: replace) to rebuild it.",
        PostgresErrorCodes.DependentObjectsStillExist =>
            " Views depend on the table, so replace cannot swap it; drop them or use mode: merge.",
        // The table's key is the one its first load found; rows that repeat it are rows of another key.
        PostgresErrorCodes.UniqueViolation when request.Mode is WriteMode.Merge or WriteMode.Scd2 =>
            $" The table's primary key ({ex.ConstraintName}) no longer matches the rows' key ({string.Join(", ", request.PrimaryKey)}): " +
            "did the source's primary key change? Run once with --full-refresh to rebuild the table with the new key.",
        _ => "",
    };

    private PostgresColumn.CopySource Rows(LakeSelect select)
    {
        if (rows is { } open && open.Sql == select.Sql)
        {
            return open.Source;
        }

        rows?.Source.Dispose();
        var source = PostgresColumn.Query(WorkArea, select.Sql, select.Columns);
        rows = (select.Sql, source);
        EnsureNamesFit(source.Columns);
        return source;
    }

    /// <summary>
    /// PostgreSQL keeps the first 63 bytes of a name and drops the rest without an error, so two
    /// long names could become one, and a long one would not be the name the project uses.
    /// </summary>
    private static void EnsureNamesFit(IEnumerable<PostgresColumn> columns)
    {
        const int MaxBytes = 63; // NAMEDATALEN - 1
        if (columns.FirstOrDefault(c => System.Text.Encoding.UTF8.GetByteCount(c.Name) > MaxBytes) is { } column)
        {
            throw new WharfException(
                $"The column name '{column.Name}' is {System.Text.Encoding.UTF8.GetByteCount(column.Name)} bytes long, and PostgreSQL keeps only {MaxBytes}. " +
                "Load it under a shorter name: rename it in the source, or select it with 'query:' (… AS shorter_name).");
        }
    }

    private static string Definition(IEnumerable<PostgresColumn> columns) =>
        string.Join(", ", columns.Select(c => $"{Quote.Identifier(c.Name)} {c.Type}"));

    public async ValueTask DisposeAsync()
    {
        rows?.Source.Dispose();
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
