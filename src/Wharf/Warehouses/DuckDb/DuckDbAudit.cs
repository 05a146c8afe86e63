using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Text.Json;
using Wharf.DuckDb;
using Wharf.Incremental;
using Wharf.Runs;

namespace Wharf.Warehouses.DuckDb;

/// <summary>The <c>_wharf.runs</c> audit and <c>_wharf.state</c> tables in a DuckDB warehouse.</summary>
internal static class DuckDbAudit
{
    public static void EnsureTables(DuckDBConnection connection) => connection.Execute("""
        CREATE SCHEMA IF NOT EXISTS _wharf;
        CREATE TABLE IF NOT EXISTS _wharf.runs (
            run_id VARCHAR NOT NULL,
            pipeline VARCHAR NOT NULL,
            stream VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            target VARCHAR NOT NULL,
            mode VARCHAR NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ NOT NULL,
            duration_ms BIGINT NOT NULL,
            rows_extracted BIGINT NOT NULL,
            rows_loaded BIGINT NOT NULL,
            status VARCHAR NOT NULL,
            error VARCHAR,
            lake_files VARCHAR[] NOT NULL
        );
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_inserted BIGINT DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_updated BIGINT DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_deleted BIGINT DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_unchanged BIGINT DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS watermark_before VARCHAR;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS watermark_after VARCHAR;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_quarantined BIGINT DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS rows_discarded BIGINT DEFAULT 0;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS notes VARCHAR;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'load';
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS extract_ms BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS land_ms BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS stage_ms BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS load_ms BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS commit_ms BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS peak_memory_bytes BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS bytes_read BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS bytes_written BIGINT;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS started_by VARCHAR;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS host VARCHAR;
        ALTER TABLE _wharf.runs ADD COLUMN IF NOT EXISTS wharf_version VARCHAR;
        CREATE TABLE IF NOT EXISTS _wharf.check_results (
            run_id VARCHAR NOT NULL,
            pipeline VARCHAR NOT NULL,
            stream VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            check_name VARCHAR NOT NULL,
            check_kind VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            failing_rows BIGINT NOT NULL,
            checked_rows BIGINT NOT NULL,
            message VARCHAR NOT NULL,
            sample VARCHAR,
            checked_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE IF NOT EXISTS _wharf.state (
            pipeline VARCHAR NOT NULL,
            stream VARCHAR NOT NULL,
            watermark VARCHAR,
            snapshot VARCHAR[] NOT NULL,
            run_id VARCHAR NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (pipeline, stream)
        );
        ALTER TABLE _wharf.state ADD COLUMN IF NOT EXISTS present_keys VARCHAR[];
        ALTER TABLE _wharf.state ADD COLUMN IF NOT EXISTS checkpoint VARCHAR;
        ALTER TABLE _wharf.state ADD COLUMN IF NOT EXISTS loaded_files VARCHAR[];
        """);

    /// <summary>Writes the record, replacing the one a previous chunk of the same run and stream wrote.</summary>
    public static void Upsert(DuckDBConnection connection, RunRecord record)
    {
        connection.Execute("DELETE FROM _wharf.runs WHERE run_id = $1 AND stream = $2", record.RunId, record.Stream);
        var values = RunRecordReader.Values(record);
        values[12] = JsonSerializer.Serialize(record.LakeFiles, StateJson.Default.ImmutableArrayString);
        connection.Execute($"""
            INSERT INTO _wharf.runs ({RunRecordReader.Columns}, duration_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, from_json($13, '["VARCHAR"]'), {string.Join(", ", Enumerable.Range(14, values.Length - 13 + 1).Select(i => $"${i}"))})
            """, [.. values, (long)record.Duration.TotalMilliseconds]);
        connection.Execute("DELETE FROM _wharf.check_results WHERE run_id = $1 AND stream = $2", record.RunId, record.Stream);
        foreach (var check in record.Checks)
        {
            connection.Execute(
                $"INSERT INTO _wharf.check_results VALUES ({string.Join(", ", Enumerable.Range(1, 13).Select(i => $"${i}"))})",
                [.. CheckResultValues.Of(record, check)]);
        }
    }

    public static IReadOnlyList<RunRecord> List(DuckDBConnection connection, int last, string? pipeline)
    {
        using var reader = connection.Query($"""
            SELECT {RunRecordReader.Columns} FROM _wharf.runs WHERE $1 IS NULL OR pipeline = $1
            ORDER BY started_at DESC, run_id DESC, stream LIMIT $2
            """, pipeline, (long)last);
        var runs = new List<RunRecord>();
        while (reader.Read())
        {
            runs.Add(RunRecordReader.Read(reader));
        }

        return runs;
    }

    /// <summary>Marks the pipeline's runs still 'running' (their process died) as interrupted.</summary>
    public static void MarkInterrupted(DuckDBConnection connection, string pipeline) => connection.Execute(
        $"UPDATE _wharf.runs SET status = 'interrupted', error = {Quote.Literal(RunRecordReader.InterruptedError)} WHERE pipeline = $1 AND status = 'running'", pipeline);

    public static IReadOnlyList<StreamState> ReadState(DuckDBConnection connection, string pipeline)
    {
        // By name: checkpoint is read when there (a warehouse made before it, opened read-only by a dry run, lacks it).
        using var reader = connection.Query("SELECT * FROM _wharf.state WHERE pipeline = $1", pipeline);
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var checkpoint = names.IndexOf("checkpoint");
        var loadedFiles = names.IndexOf("loaded_files");
        var states = new List<StreamState>();
        while (reader.Read())
        {
            var watermark = reader.GetOrdinal("watermark");
            var presentKeys = reader.GetOrdinal("present_keys");
            states.Add(new StreamState(
                pipeline, reader.GetString(reader.GetOrdinal("stream")), Watermark.FromJson(reader.IsDBNull(watermark) ? null : reader.GetString(watermark)),
                Files(reader.GetValue(reader.GetOrdinal("snapshot"))), reader.GetString(reader.GetOrdinal("run_id")),
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(reader.GetOrdinal("updated_at")), DateTimeKind.Utc)))
            {
                PresentKeys = reader.IsDBNull(presentKeys) ? [] : Files(reader.GetValue(presentKeys)),
                Checkpoint = checkpoint >= 0 && !reader.IsDBNull(checkpoint) ? reader.GetString(checkpoint) : null,
                LoadedFiles = loadedFiles >= 0 && !reader.IsDBNull(loadedFiles) ? Files(reader.GetValue(loadedFiles)) : [],
            });
        }

        return states;
    }

    public static void SaveState(DuckDBConnection connection, StreamState state)
    {
        connection.Execute("DELETE FROM _wharf.state WHERE pipeline = $1 AND stream = $2", state.Pipeline, state.Stream);
        connection.Execute(
            "INSERT INTO _wharf.state (pipeline, stream, watermark, snapshot, run_id, updated_at, present_keys, checkpoint, loaded_files) " +
            "VALUES ($1, $2, $3, from_json($4, '[\"VARCHAR\"]'), $5, $6, from_json($7, '[\"VARCHAR\"]'), $8, from_json($9, '[\"VARCHAR\"]'))",
            state.Pipeline, state.Stream, state.Watermark?.ToJson(), JsonSerializer.Serialize(state.Snapshot, StateJson.Default.ImmutableArrayString), state.RunId, state.UpdatedAt,
            JsonSerializer.Serialize(state.PresentKeys, StateJson.Default.ImmutableArrayString), state.Checkpoint, JsonSerializer.Serialize(state.LoadedFiles, StateJson.Default.ImmutableArrayString));
    }

    private static ImmutableArray<string> Files(object list) => [.. ((System.Collections.IEnumerable)list).Cast<object?>().Select(f => (string)f!)];
}
