using System.Collections.Immutable;
using Wharf.DuckDb;
using Wharf.Runs;

namespace Wharf.Warehouses.DuckDb;

/// <summary>The <c>_wharf.runs</c> audit table in a DuckDB warehouse.</summary>
internal static class DuckDbAudit
{
    public static void EnsureTables(DuckDbConnection connection) => connection.Execute("""
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
        """);

    public static void Insert(DuckDbConnection connection, RunRecord record)
    {
        using var statement = connection.Prepare("""
            INSERT INTO _wharf.runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, from_json($14, '["VARCHAR"]'))
            """);
        statement.Bind(
        [
            record.RunId, record.Pipeline, record.Stream, record.Source, record.Target, record.Mode,
            record.StartedAt, record.FinishedAt, (long)record.Duration.TotalMilliseconds,
            record.RowsExtracted, record.RowsLoaded, record.Status.ToString().ToLowerInvariant(), record.Error,
            System.Text.Json.JsonSerializer.Serialize(record.LakeFiles),
        ]);
        statement.ExecuteNonQuery();
    }

    public static IReadOnlyList<RunRecord> List(DuckDbConnection connection, int last, string? pipeline)
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
}
