using Npgsql;
using NpgsqlTypes;
using Wharf.Runs;

namespace Wharf.Warehouses.Postgres;

/// <summary>The <c>_wharf.runs</c> audit table in a PostgreSQL warehouse (same columns as DuckDB's).</summary>
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
        """;

    public static async Task InsertAsync(NpgsqlConnection connection, RunRecord record, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("INSERT INTO _wharf.runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", connection);
        object?[] values =
        [
            record.RunId, record.Pipeline, record.Stream, record.Source, record.Target, record.Mode,
            record.StartedAt.UtcDateTime, record.FinishedAt.UtcDateTime, (long)record.Duration.TotalMilliseconds,
            record.RowsExtracted, record.RowsLoaded, record.Status.ToString().ToLowerInvariant(), record.Error, record.LakeFiles.ToArray(),
        ];
        foreach (var value in values)
        {
            command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<RunRecord>> ListAsync(NpgsqlConnection connection, int last, string? pipeline, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {RunRecordReader.Columns} FROM _wharf.runs WHERE $1::text IS NULL OR pipeline = $1
            ORDER BY started_at DESC, run_id DESC, stream LIMIT $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)pipeline ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = last });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var runs = new List<RunRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(RunRecordReader.Read(reader));
        }

        return runs;
    }
}
