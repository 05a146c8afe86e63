using System.Globalization;
using System.Text.Json;
using Npgsql;
using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Sources;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>Which warehouse a test loads into.</summary>
public enum WarehouseUnderTest
{
    /// <summary>The embedded DuckDB file (<c>warehouse: duckdb:warehouse.duckdb</c>).</summary>
    DuckDb,

    /// <summary>A PostgreSQL database of the test server (<c>warehouse: postgres://…</c>).</summary>
    Postgres,
}

/// <summary>
/// A fresh PostgreSQL source database, a fresh warehouse (DuckDB file or PostgreSQL database) and a
/// project with one pipeline, <c>items</c>, from the source into <c>raw.&lt;table&gt;</c>. Reads both
/// sides back with every value normalized (integers as long, numerics as decimal, timestamps as UTC
/// <see cref="DateTime"/>), so the two warehouses are compared the same way.
/// </summary>
internal sealed class IncrementalProject : IDisposable
{
    public const string Pipeline = "items";

    private readonly PipelineHarness harness = new();

    private IncrementalProject(WarehouseUnderTest kind, TestDatabase source, TestDatabase? warehouse)
    {
        Kind = kind;
        Source = source;
        Warehouse = warehouse;
    }

    public WarehouseUnderTest Kind { get; }

    public TestDatabase Source { get; }

    /// <summary>The PostgreSQL warehouse database; null for DuckDB.</summary>
    public TestDatabase? Warehouse { get; }

    public string Root => harness.Root;

    /// <param name="timeZone">When set, the TimeZone of every new session of the source (and of a PostgreSQL warehouse).</param>
    public static async Task<IncrementalProject> CreateAsync(PostgresServer server, WarehouseUnderTest kind, string setupSql, string? timeZone = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await server.CreateDatabaseAsync(ct);
        var warehouse = kind == WarehouseUnderTest.Postgres ? await server.CreateDatabaseAsync(ct) : null;
        if (timeZone is not null)
        {
            // Before anyone connects to them, so every session (the test's and wharf's) gets the zone.
            foreach (var database in new[] { source, warehouse }.OfType<TestDatabase>())
            {
                await ExecuteAsync(server.ConnectionString, $"ALTER DATABASE \"{database.Name}\" SET timezone = '{timeZone}'");
            }
        }

        var project = new IncrementalProject(kind, source, warehouse);
        await project.ExecuteSourceAsync(setupSql);
        return project;
    }

    /// <summary>Writes wharf.yml: the warehouse, the source connection, and the pipeline with these extra lines.</summary>
    /// <param name="settings">Pipeline keys, one per line, e.g. <c>mode: merge</c> and <c>cursor: updated_at</c>.</param>
    public IncrementalProject Configure(string settings, string table = "items")
    {
        var warehouseLine = Warehouse is null ? "warehouse: duckdb:warehouse.duckdb" : $"warehouse: \"{Warehouse.Url}\"";
        var extra = string.Join("\n", settings.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => "    " + line));
        harness.WithProject($$"""
            {{warehouseLine}}
            connections:
              src: { type: postgres, url: "{{Source.Url}}" }
            pipelines:
              {{Pipeline}}:
                source: src
                tables: [{{table}}]
                schema: raw
            {{extra}}
            """);
        return this;
    }

    /// <summary>Runs the pipeline; fails the test unless it succeeded. Returns its one stream's record.</summary>
    public async Task<RunRecord> RunAsync(bool fullRefresh = false)
    {
        var summary = await harness.RunAsync(fullRefresh);
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        return summary.Streams.ShouldHaveSingleItem();
    }

    public Task<RunSummary> RunRawAsync(bool fullRefresh = false) => harness.RunAsync(fullRefresh);

    /// <summary>Rebuilds the pipeline's tables from the lake alone (<c>wharf replay</c>); fails the test unless every stream succeeded.</summary>
    public async Task ReplayAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var loaded = await Wharf.Projects.ProjectLoader.LoadAsync(Root, cancellationToken: ct);
        using var warehouse = await Wharf.Warehouses.WarehouseFactory.OpenAsync(loaded.Warehouse, TimeProvider.System, ct);
        try
        {
            var summary = await new Wharf.Pipelines.Replayer(loaded, warehouse, TimeProvider.System).ReplayAsync(Pipeline, new Wharf.Pipelines.Replayer.Selection(), ct);
            summary.Succeeded.ShouldBeTrue(JsonSerializer.Serialize(summary.Streams.Select(s => s.Error)));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
        }
    }

    public Task ExecuteSourceAsync(string sql) => ExecuteAsync(Source.ConnectionString, sql);

    public async Task ExecuteWarehouseAsync(string sql)
    {
        if (Warehouse is not null)
        {
            await ExecuteAsync(Warehouse.ConnectionString, sql);
            return;
        }

        using var connection = DuckDbConnections.Open(harness.Warehouse);
        connection.Execute(sql);
    }

    /// <summary>Rows of a query on the source, values normalized.</summary>
    public Task<List<object?[]>> SourceRowsAsync(string sql) => PostgresRowsAsync(Source.ConnectionString, sql);

    /// <summary>Rows of a query on the warehouse (plain SQL that DuckDB and PostgreSQL both understand), values normalized.</summary>
    public Task<List<object?[]>> WarehouseRowsAsync(string sql)
    {
        if (Warehouse is not null)
        {
            return PostgresRowsAsync(Warehouse.ConnectionString, sql);
        }

        using var connection = DuckDbConnections.Open(harness.Warehouse);
        using var reader = connection.Query(sql);
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : Normalize(reader.GetValue(i)))]);
        }

        return Task.FromResult(rows);
    }

    public async Task<object?> WarehouseScalarAsync(string sql) => (await WarehouseRowsAsync(sql)).ShouldHaveSingleItem()[0];

    /// <summary>The audit row of a run, as stored in the warehouse's <c>_wharf.runs</c>.</summary>
    public async Task<AuditRow> AuditAsync(string runId)
    {
        var rows = await WarehouseRowsAsync($"""
            SELECT status, rows_extracted, rows_loaded, rows_inserted, rows_updated, rows_deleted, rows_unchanged, watermark_before, watermark_after
            FROM _wharf.runs WHERE run_id = '{runId}' AND pipeline = '{Pipeline}'
            """);
        var row = rows.ShouldHaveSingleItem($"one _wharf.runs row for run {runId}");
        return new AuditRow((string)row[0]!, (long)row[1]!, (long)row[2]!, (long)row[3]!, (long)row[4]!, (long)row[5]!, (long)row[6]!, (string?)row[7], (string?)row[8]);
    }

    /// <summary>The watermark saved in <c>_wharf.state</c> for the pipeline's stream, as <c>column=value</c> pairs (the audit's form), or null.</summary>
    public async Task<string?> StateWatermarkAsync(string stream = "items")
    {
        var json = (string?)(await WarehouseRowsAsync($"SELECT watermark FROM _wharf.state WHERE pipeline = '{Pipeline}' AND stream = '{stream}'"))
            .ShouldHaveSingleItem($"one _wharf.state row for {Pipeline}/{stream}")[0];
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var columns = document.RootElement.GetProperty("Columns").EnumerateArray().Select(c => c.GetString()).ToList();
        var values = document.RootElement.GetProperty("Values").EnumerateArray().Select(v => v.GetString()).ToList();
        return string.Join(", ", columns.Select((c, i) => $"{c}={values[i]}"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<List<object?[]>> PostgresRowsAsync(string connectionString, string sql)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, ct) ? null : Normalize(reader.GetValue(i));
            }

            rows.Add(row);
        }

        return rows;
    }

    private static object Normalize(object value) => value switch
    {
        short or int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        DateTime time => time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime(),
        DateTimeOffset time => time.UtcDateTime,
        _ => value,
    };

    /// <summary>A value as text, the same for both warehouses: decimals without trailing zeros, timestamps to the microsecond.</summary>
    public static string Format(object? value) => value switch
    {
        null => "NULL",
        decimal d => d.ToString("0.##########", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public void Dispose() => harness.Dispose();
}

/// <summary>The counters and watermarks of one <c>_wharf.runs</c> row.</summary>
internal sealed record AuditRow(
    string Status, long RowsExtracted, long RowsLoaded, long Inserted, long Updated, long Deleted, long Unchanged, string? WatermarkBefore, string? WatermarkAfter);
