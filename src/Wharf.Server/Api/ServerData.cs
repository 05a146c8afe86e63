using System.Data.Common;
using Wharf.Runs;
using Wharf.Server.Scheduling;
using Wharf.Warehouses;

namespace Wharf.Server.Api;

/// <summary>What the API, the pages and the metrics read from the warehouse, each request on its own connection.</summary>
internal sealed class ServerData(ProjectState state, RunCoordinator runs, Scheduler scheduler, TimeProvider time)
{
    /// <summary>Audit rows, newest first; none when there is no warehouse yet.</summary>
    public async Task<IReadOnlyList<RunRecord>> RunsAsync(int last, string? pipeline, CancellationToken cancellationToken)
    {
        try
        {
            using var warehouse = await WarehouseOpener.OpenExistingAsync(state.Project.Warehouse, time, cancellationToken);
            return await RunChecks.AddAsync(warehouse, await warehouse.ListRunsAsync(last, pipeline, cancellationToken), cancellationToken);
        }
        catch (WarehouseNotFoundException)
        {
            return [];
        }
    }

    /// <summary>When each table (<c>schema.table</c>) was last loaded successfully, from the audit alone (no check results).</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastLoadsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var warehouse = await WarehouseOpener.OpenExistingAsync(state.Project.Warehouse, time, cancellationToken);
            return (await warehouse.ListRunsAsync(ApiEndpoints.MaxRuns, null, cancellationToken))
                .Where(r => r.Status == RunStatus.Succeeded)
                .GroupBy(r => r.Target, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Max(r => r.FinishedAt), StringComparer.Ordinal);
        }
        catch (WarehouseNotFoundException)
        {
            return new Dictionary<string, DateTimeOffset>();
        }
    }

    /// <summary>The streams of one run.</summary>
    public async Task<IReadOnlyList<RunRecord>> RunAsync(string id, CancellationToken cancellationToken) =>
        [.. (await RunsAsync(ApiEndpoints.MaxRuns, null, cancellationToken)).Where(r => r.RunId == id)];

    public async Task<IReadOnlyList<PipelineStatus>> PipelinesAsync(CancellationToken cancellationToken) =>
        PipelineStatus.Of(state.Project, await RunsAsync(ApiEndpoints.MaxRuns, null, cancellationToken), scheduler.NextRuns, runs.Running, time.GetUtcNow());

    /// <summary>The warehouse's tables (not Wharf's own schema), with columns and row counts.</summary>
    public async Task<IReadOnlyList<TableInfo>> TablesAsync(CancellationToken cancellationToken)
    {
        IWarehouse warehouse;
        try
        {
            warehouse = await WarehouseOpener.OpenExistingAsync(state.Project.Warehouse, time, cancellationToken);
        }
        catch (WarehouseNotFoundException)
        {
            return [];
        }

        using (warehouse)
        {
            await using var connection = await warehouse.ConnectAsync(cancellationToken);
            var columns = new List<(string Schema, string Table, string Column, string Type)>();
            await using (var command = connection.CreateCommand())
            {
                // information_schema is the one catalogue DuckDB and PostgreSQL share.
                command.CommandText = """
                    select c.table_schema, c.table_name, c.column_name, c.data_type
                    from information_schema.columns c
                    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
                    where c.table_schema not in ('information_schema', 'pg_catalog', '_wharf') and t.table_type = 'BASE TABLE'
                    order by c.table_schema, c.table_name, c.ordinal_position
                    """;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
                }
            }

            var tables = new List<TableInfo>();
            foreach (var table in columns.GroupBy(c => (c.Schema, c.Table)))
            {
                tables.Add(new TableInfo(table.Key.Schema, table.Key.Table, await CountAsync(connection, table.Key.Schema, table.Key.Table, cancellationToken),
                    [.. table.Select(c => new ColumnInfo(c.Column, c.Type))]));
            }

            return tables;
        }
    }

    private static async Task<long> CountAsync(DbConnection connection, string schema, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"select count(*) from {Quote.Qualified(schema, table)}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A warehouse table as the API lists it.</summary>
internal sealed record TableInfo(string Schema, string Name, long Rows, IReadOnlyList<ColumnInfo> Columns);

/// <summary>A column and its engine type.</summary>
internal sealed record ColumnInfo(string Name, string Type);
