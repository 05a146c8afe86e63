using DuckDB.NET.Data;
using Npgsql;
using Wharf.DuckDb;
using Wharf.Incremental;
using Wharf.Projects;
using Wharf.Sources.Sql.Postgres;
using Wharf.Warehouses.DuckDb;
using Wharf.Warehouses.Postgres;
using Wharf.Postgres;

namespace Wharf.Warehouses;

/// <summary>
/// The pipelines' saved incremental state, read without changing anything: no warehouse is
/// created, no table added, no run marked interrupted (what <c>wharf run --dry-run</c> needs).
/// </summary>
/// <param name="Exists">Whether the warehouse holds Wharf's tables yet (a first run creates the DuckDB file, or the tables in PostgreSQL).</param>
/// <param name="Note">Why the state could not be read, when it could not (the run would still start).</param>
internal sealed record SavedState(IReadOnlyDictionary<string, IReadOnlyList<StreamState>> Pipelines, bool Exists, string? Note = null)
{
    /// <summary>The states of one pipeline's streams (none when it never ran).</summary>
    public IReadOnlyList<StreamState> For(string pipeline) => Pipelines.TryGetValue(pipeline, out var states) ? states : [];

    /// <exception cref="WharfException">A PostgreSQL warehouse cannot be reached; the message says why.</exception>
    public static async Task<SavedState> ReadAsync(WarehouseSettings settings, IReadOnlyCollection<string> pipelines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(pipelines);
        return settings.Kind == WarehouseKind.Postgres
            ? await ReadPostgresAsync(settings.Connection!, pipelines, cancellationToken)
            : ReadDuckDb(settings.Location, pipelines);
    }

    private static SavedState ReadDuckDb(string path, IReadOnlyCollection<string> pipelines)
    {
        if (!File.Exists(path))
        {
            return new SavedState(new Dictionary<string, IReadOnlyList<StreamState>>(), Exists: false);
        }

        DuckDBConnection connection;
        try
        {
            connection = DuckDbConnections.Open(path, new Dictionary<string, string> { ["access_mode"] = "READ_ONLY" });
        }
        catch (DuckDbException ex)
        {
            return new SavedState(new Dictionary<string, IReadOnlyList<StreamState>>(), Exists: true,
                $"the saved watermarks could not be read: the warehouse is in use by another process or unreadable ({ex.Summary})");
        }

        using (connection)
        {
            if ((long)connection.Scalar("SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_wharf' AND table_name = 'state'")! == 0)
            {
                return new SavedState(new Dictionary<string, IReadOnlyList<StreamState>>(), Exists: true);
            }

            return new SavedState(pipelines.Distinct().ToDictionary(p => p, p => DuckDbAudit.ReadState(connection, p)), Exists: true);
        }
    }

    private static async Task<SavedState> ReadPostgresAsync(ConnectionSettings settings, IReadOnlyCollection<string> pipelines, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('_wharf.state') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return new SavedState(new Dictionary<string, IReadOnlyList<StreamState>>(), Exists: false);
            }
        }

        var states = new Dictionary<string, IReadOnlyList<StreamState>>();
        foreach (var pipeline in pipelines.Distinct())
        {
            states[pipeline] = await PostgresAudit.ReadStateAsync(connection, pipeline, cancellationToken);
        }

        return new SavedState(states, Exists: true);
    }
}
