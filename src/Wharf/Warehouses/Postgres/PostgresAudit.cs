using Npgsql;
using NpgsqlTypes;
using Wharf.Incremental;
using Wharf.Runs;

namespace Wharf.Warehouses.Postgres;

/// <summary>The <c>_wharf.runs</c> audit and <c>_wharf.state</c> tables in a PostgreSQL warehouse (same columns as DuckDB's).</summary>
internal static class PostgresAudit
{
    public const string CreateSql = """
        CREATE SCHEMA IF NOT EXISTS _wharf;
        CREATE TABLE IF NOT EXISTS _wharf.runs (
            run_id text NOT NULL,
            pipeline text NOT NULL,
            stream text NOT NULL,
            source text NOT NULL,
            target text NOT NULL,
            mode text NOT NULL,
            started_at timestamptz NOT NULL,
            finished_at timestamptz NOT NULL,
            duration_ms bigint NOT NULL,
            rows_extracted bigint NOT NULL,
            rows_loaded bigint NOT NULL,
            status text NOT NULL,
            error text,
            lake_files text[] NOT NULL
        );
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_inserted bigint NOT NULL DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_updated bigint NOT NULL DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_deleted bigint NOT NULL DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_unchanged bigint NOT NULL DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS watermark_before text;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS watermark_after text;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_quarantined bigint NOT NULL DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_discarded bigint NOT NULL DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS notes text;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS kind text DEFAULT 'load';
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS extract_ms bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS land_ms bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS stage_ms bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS load_ms bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS commit_ms bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS peak_memory_bytes bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS bytes_read bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS bytes_written bigint;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS started_by text;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS host text;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS wharf_version text;
        CREATE TABLE IF NOT EXISTS _wharf.check_results (
            run_id text NOT NULL,
            pipeline text NOT NULL,
            stream text NOT NULL,
            table_name text NOT NULL,
            check_name text NOT NULL,
            check_kind text NOT NULL,
            severity text NOT NULL,
            status text NOT NULL,
            failing_rows bigint NOT NULL,
            checked_rows bigint NOT NULL,
            message text NOT NULL,
            sample text,
            checked_at timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS _wharf.state (
            pipeline text NOT NULL,
            stream text NOT NULL,
            watermark text,
            snapshot text[] NOT NULL,
            run_id text NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (pipeline, stream)
        );
        ALTER TABLE _wharf.state ADD COLUMN IF NOT EXISTS present_keys text[];
        ALTER TABLE _wharf.state ADD COLUMN IF NOT EXISTS checkpoint text;
        ALTER TABLE _wharf.state ADD COLUMN IF NOT EXISTS loaded_files text[];
        """;

    /// <summary>Writes the record, replacing the one a previous chunk of the same run and stream wrote.</summary>
    public static async Task UpsertAsync(NpgsqlConnection connection, RunRecord record, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "DELETE FROM _wharf.runs WHERE run_id = $1 AND stream = $2", [record.RunId, record.Stream], cancellationToken);
        var values = RunRecordReader.Values(record).Append((long)record.Duration.TotalMilliseconds).ToArray();
        var placeholders = string.Join(", ", Enumerable.Range(1, values.Length).Select(i => $"${i}"));
        await ExecuteAsync(connection, $"INSERT INTO _wharf.runs ({RunRecordReader.Columns}, duration_ms) VALUES ({placeholders})", values, cancellationToken);
        await ExecuteAsync(connection, "DELETE FROM _wharf.check_results WHERE run_id = $1 AND stream = $2", [record.RunId, record.Stream], cancellationToken);
        foreach (var check in record.Checks)
        {
            await ExecuteAsync(connection, $"INSERT INTO _wharf.check_results VALUES ({string.Join(", ", Enumerable.Range(1, 13).Select(i => $"${i}"))})",
                CheckResultValues.Of(record, check), cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, object?[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
        DateTimeOffset time => new NpgsqlParameter { Value = time.UtcDateTime },
        _ => new NpgsqlParameter { Value = value },
    };

    public static async Task<IReadOnlyList<RunRecord>> ListAsync(NpgsqlConnection connection, int last, string? pipeline, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {RunRecordReader.Columns} FROM _wharf.runs WHERE $1::text IS NULL OR pipeline = $1
            ORDER BY started_at DESC, run_id DESC, stream LIMIT $2
            """, connection);
        command.Parameters.Add(Parameter(pipeline));
        command.Parameters.Add(new NpgsqlParameter { Value = last });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var runs = new List<RunRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(RunRecordReader.Read(reader));
        }

        return runs;
    }

    /// <summary>Marks the pipeline's runs still 'running' (their process died) as interrupted.</summary>
    public static async Task MarkInterruptedAsync(NpgsqlConnection connection, string pipeline, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "UPDATE _wharf.runs SET status = 'interrupted', error = $2 WHERE pipeline = $1 AND status = 'running'",
            [pipeline, RunRecordReader.InterruptedError], cancellationToken);
    }

    public static async Task<IReadOnlyList<StreamState>> ReadStateAsync(NpgsqlConnection connection, string pipeline, CancellationToken cancellationToken)
    {
        // checkpoint is read when there: a warehouse made before it, read by a dry run, lacks it.
        await using var command = new NpgsqlCommand("SELECT stream, watermark, snapshot, run_id, updated_at, present_keys, to_jsonb(s) ->> 'checkpoint', to_jsonb(s) -> 'loaded_files' FROM _wharf.state AS s WHERE pipeline = $1", connection);
        command.Parameters.Add(Parameter(pipeline));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var states = new List<StreamState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            states.Add(new StreamState(
                pipeline, reader.GetString(0), Watermark.FromJson(reader.IsDBNull(1) ? null : reader.GetString(1)),
                [.. reader.GetFieldValue<string[]>(2)], reader.GetString(3), new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero))
            {
                PresentKeys = reader.IsDBNull(5) ? [] : [.. reader.GetFieldValue<string[]>(5)],
                Checkpoint = reader.IsDBNull(6) ? null : reader.GetString(6),
                LoadedFiles = reader.IsDBNull(7) ? [] : [.. System.Text.Json.JsonSerializer.Deserialize(reader.GetString(7), Incremental.StateJson.Default.StringArray) ?? []],
            });
        }

        return states;
    }

    public static async Task SaveStateAsync(NpgsqlConnection connection, StreamState state, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "DELETE FROM _wharf.state WHERE pipeline = $1 AND stream = $2", [state.Pipeline, state.Stream], cancellationToken);
        await ExecuteAsync(connection, "INSERT INTO _wharf.state (pipeline, stream, watermark, snapshot, run_id, updated_at, present_keys, checkpoint, loaded_files) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [state.Pipeline, state.Stream, state.Watermark?.ToJson(), state.Snapshot.ToArray(), state.RunId, state.UpdatedAt, state.PresentKeys.ToArray(), state.Checkpoint, state.LoadedFiles.ToArray()], cancellationToken);
    }
}
