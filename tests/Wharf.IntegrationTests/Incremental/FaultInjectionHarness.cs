using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>Where the fault-injection tests load: the embedded DuckDB file or a PostgreSQL database.</summary>
public enum FaultWarehouse
{
    DuckDb,
    Postgres,
}

/// <summary>
/// The real <c>wharf</c> CLI (the wharf.dll built beside the tests) as a child process that can
/// die: by a fail point (<c>WHARF_FAILPOINT</c>) or by <see cref="Kill"/> from outside.
/// </summary>
internal sealed class WharfChild : IDisposable
{
    /// <summary>What .NET reports for a child that died of SIGKILL (128 + 9).</summary>
    public const int KilledExitCode = 137;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly Process process;
    private readonly Task<string> output;
    private readonly Task<string> error;

    private WharfChild(Process process, CancellationToken cancellationToken)
    {
        this.process = process;
        output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        error = process.StandardError.ReadToEndAsync(cancellationToken);
    }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public bool HasExited => process.HasExited;

    /// <summary>Starts <c>wharf ARGS --project PROJECT</c>, armed with a fail point when one is given.</summary>
    public static WharfChild Start(string project, string? failPoint, CancellationToken cancellationToken, params string[] args) =>
        Start(project, failPoint, null, cancellationToken, args);

    /// <summary>Starts <c>wharf ARGS --project PROJECT</c> with <paramref name="environment"/> added to its environment.</summary>
    public static WharfChild Start(string project, string? failPoint, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wharf.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--project");
        start.ArgumentList.Add(project);
        start.Environment.Remove("WHARF_FAILPOINT");
        if (failPoint is not null)
        {
            start.Environment["WHARF_FAILPOINT"] = failPoint;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.StandardInput.Close();
        return new WharfChild(process, cancellationToken);
    }

    /// <summary>
    /// Runs <c>wharf ARGS --project PROJECT</c> to its end with no file it writes allowed past
    /// <paramref name="kib"/> KiB (<c>ulimit -f</c>): a write past it fails as on a full disk.
    /// SIGXFSZ is ignored, so the write fails instead of killing the process, and .NET's
    /// W^X double mapping (a memory file the size of its code heap) is off, or the runtime
    /// itself could not start under the limit.
    /// </summary>
    public static async Task<Result> RunWithFileSizeLimitAsync(string project, int kib, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-c", $"trap '' XFSZ; ulimit -f {kib}; exec \"$@\"", "bash", "dotnet", Path.Combine(AppContext.BaseDirectory, "wharf.dll"), .. args, "--project", project])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("WHARF_FAILPOINT");
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        process.StandardInput.Close();
        using var child = new WharfChild(process, cancellationToken);
        return await child.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <c>wharf ARGS --project PROJECT</c> to its end with SIGINT at its default action. A
    /// test host that a non-interactive shell started in the background (as scripts/test.sh does)
    /// inherits SIGINT ignored, and .NET leaves an ignored SIGINT ignored, as <c>nohup</c> means it
    /// to be; a Ctrl+C test undoes that first (bash cannot: it keeps what it was given ignored).
    /// </summary>
    public static async Task<Result> RunWithDefaultSigintAsync(string project, string failPoint, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("python3")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
            "dotnet", Path.Combine(AppContext.BaseDirectory, "wharf.dll"), .. args, "--project", project])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["WHARF_FAILPOINT"] = failPoint;
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        process.StandardInput.Close();
        using var child = new WharfChild(process, cancellationToken);
        return await child.WaitAsync(cancellationToken);
    }

    /// <summary>Runs <c>wharf ARGS --project PROJECT</c> to its end.</summary>
    public static async Task<Result> RunAsync(string project, string? failPoint, CancellationToken cancellationToken, params string[] args)
    {
        using var child = Start(project, failPoint, cancellationToken, args);
        return await child.WaitAsync(cancellationToken);
    }

    /// <summary>Runs <c>wharf ARGS --project PROJECT</c> to its end with <paramref name="environment"/> added.</summary>
    public static async Task<Result> RunWithEnvironmentAsync(string project, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, params string[] args)
    {
        using var child = Start(project, null, environment, cancellationToken, args);
        return await child.WaitAsync(cancellationToken);
    }

    /// <summary>SIGKILL, as an operator or the OOM killer would.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    public async Task<Result> WaitAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            await process.WaitForExitAsync(cancellationToken);
            throw new TimeoutException($"wharf did not finish within {Timeout}:\n{await output}\n{await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}

/// <summary>One row of the test table, every value as exact text (timestamps in UTC, microseconds).</summary>
internal sealed record FaultRow(long Id, string UpdatedAt, string? Payload, string? Amount)
{
    public override string ToString() => $"{Id}|{UpdatedAt}|{Payload ?? "<null>"}|{Amount ?? "<null>"}";
}

/// <summary>One <c>_wharf.runs</c> row, as much of it as the tests look at.</summary>
internal sealed record FaultAuditRow(
    string RunId, string Status, long RowsExtracted, long RowsLoaded, long RowsInserted, long RowsUpdated, long RowsDeleted,
    string? WatermarkBefore, string? WatermarkAfter, string? Error);

/// <summary>Plain Npgsql queries whose columns are all text; no pooling, so a restarted server leaves no broken connection behind.</summary>
internal static class FaultPg
{
    public static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public static async Task<List<string?[]>> QueryAsync(string connectionString, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetString(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A timestamptz as exact text, the form Wharf's watermarks take.</summary>
    public static string Timestamp(string column) => $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'";
}

/// <summary>
/// The source: <c>public.items</c> in a PostgreSQL database, with a cursor that has ties (three
/// rows share each <c>updated_at</c>, so chunk boundaries split a group), NULLs and microseconds.
/// </summary>
internal sealed class FaultSource(TestDatabase database)
{
    public TestDatabase Database => database;

    /// <param name="padding">Characters added to every payload: wide rows keep the source's COPY streaming for longer.</param>
    public static async Task<FaultSource> CreateAsync(TestDatabase database, int rows, int padding, CancellationToken cancellationToken)
    {
        await FaultPg.ExecuteAsync(database.ConnectionString,
            "CREATE TABLE public.items (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL, payload text, amount numeric(12, 2))", cancellationToken);
        await FaultPg.ExecuteAsync(database.ConnectionString, """
            INSERT INTO public.items
            SELECT i, timestamptz '2024-01-01 00:00:00+00' + (i / 3) * interval '1.000001 second',
                   CASE WHEN i % 7 = 0 THEN NULL ELSE 'item ' || i || ' – ü' || repeat('.', $2) END,
                   CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1.25 END
            FROM generate_series(1, $1) AS i
            """, cancellationToken, rows, padding);
        return new FaultSource(database);
    }

    public async Task<List<FaultRow>> RowsAsync(CancellationToken cancellationToken) =>
        [.. (await FaultPg.QueryAsync(database.ConnectionString,
            $"SELECT id::text, {FaultPg.Timestamp("updated_at")}, payload, amount::text FROM public.items ORDER BY id", cancellationToken))
            .Select(r => new FaultRow(long.Parse(r[0]!, CultureInfo.InvariantCulture), r[1]!, r[2], r[3]))];

    /// <summary>How many rows a run starting at <paramref name="watermark"/> (inclusive) extracts.</summary>
    public async Task<long> CountFromAsync(string watermark, CancellationToken cancellationToken) =>
        long.Parse((await FaultPg.QueryAsync(database.ConnectionString,
            "SELECT count(*)::text FROM public.items WHERE updated_at >= $1::timestamptz", cancellationToken, watermark))[0][0]!, CultureInfo.InvariantCulture);

    public async Task<string> MaxCursorAsync(CancellationToken cancellationToken) =>
        (await FaultPg.QueryAsync(database.ConnectionString, $"SELECT {FaultPg.Timestamp("max(updated_at)")} FROM public.items", cancellationToken))[0][0]!;

    public Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] parameters) =>
        FaultPg.ExecuteAsync(database.ConnectionString, sql, cancellationToken, parameters);
}

/// <summary>Reads a warehouse back: the loaded table, the saved watermark, the audit.</summary>
internal abstract class FaultWarehouseReader
{
    private const string Table = "raw.items";

    /// <summary>The <c>warehouse:</c> value of wharf.yml.</summary>
    public abstract string Setting { get; }

    protected abstract string Timestamp(string column);

    protected abstract Task<List<string?[]>> QueryAsync(string sql, CancellationToken cancellationToken);

    public async Task<bool> HasTableAsync(CancellationToken cancellationToken) =>
        (await QueryAsync("SELECT CAST(count(*) AS VARCHAR) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'items'", cancellationToken))[0][0] != "0";

    /// <summary>The loaded rows (no Wharf columns), ordered by id and cursor; empty before the table exists.</summary>
    public async Task<List<FaultRow>> ItemsAsync(CancellationToken cancellationToken)
    {
        if (!await HasTableAsync(cancellationToken))
        {
            return [];
        }

        var rows = await QueryAsync(
            $"SELECT CAST(id AS VARCHAR), {Timestamp("updated_at")}, payload, CAST(amount AS VARCHAR) FROM {Table} ORDER BY id, updated_at", cancellationToken);
        return [.. rows.Select(r => new FaultRow(long.Parse(r[0]!, CultureInfo.InvariantCulture), r[1]!, r[2], r[3]))];
    }

    /// <summary>Every row with the run that wrote it and when: a load that changes nothing leaves this as it was.</summary>
    public async Task<List<string>> FingerprintAsync(CancellationToken cancellationToken) =>
        [.. (await QueryAsync(
            $"SELECT CAST(id AS VARCHAR) || '|' || {Timestamp("updated_at")} || '|' || coalesce(payload, '<null>') || '|' || coalesce(CAST(amount AS VARCHAR), '<null>') " +
            $"|| '|' || _wharf_run_id || '|' || {Timestamp("_wharf_loaded_at")} FROM {Table} ORDER BY id, updated_at", cancellationToken)).Select(r => r[0]!)];

    /// <summary>The saved watermark of the <c>items</c> stream, as text (the value of its only cursor column); null when none is saved.</summary>
    public async Task<string?> WatermarkAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT watermark FROM _wharf.state WHERE pipeline = 'items' AND stream = 'items'", cancellationToken);
        if (rows.Count == 0 || rows[0][0] is not { } json)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("Values")[0].GetString();
    }

    /// <summary>The pipeline's audit rows, oldest first.</summary>
    public async Task<List<FaultAuditRow>> RunsAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("""
            SELECT run_id, status, CAST(rows_extracted AS VARCHAR), CAST(rows_loaded AS VARCHAR), CAST(rows_inserted AS VARCHAR),
                   CAST(rows_updated AS VARCHAR), CAST(rows_deleted AS VARCHAR), watermark_before, watermark_after, error
            FROM _wharf.runs WHERE pipeline = 'items' ORDER BY started_at, run_id
            """, cancellationToken);
        static long Number(string? text) => text is null ? 0 : long.Parse(text, CultureInfo.InvariantCulture);
        return [.. rows.Select(r => new FaultAuditRow(r[0]!, r[1]!, Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6]), r[7], r[8], r[9]))];
    }
}

/// <summary>
/// The embedded warehouse, read from a copy of its file (and WAL): the copy replays what the dead
/// run left, so the next wharf run still finds the file exactly as the crash left it.
/// </summary>
internal sealed class DuckDbFaultWarehouse(string project) : FaultWarehouseReader
{
    private string File => Path.Combine(project, "warehouse.duckdb");

    public override string Setting => "duckdb:warehouse.duckdb";

    protected override string Timestamp(string column) => $"strftime({column} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') || '+00'";

    protected override Task<List<string?[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var copy = Directory.CreateTempSubdirectory("wharf-fault-read-");
        try
        {
            var target = Path.Combine(copy.FullName, "warehouse.duckdb");
            System.IO.File.Copy(File, target);
            if (System.IO.File.Exists(File + ".wal"))
            {
                System.IO.File.Copy(File + ".wal", target + ".wal");
            }

            var rows = new List<string?[]>();
            using (var connection = DuckDbConnections.Open(target))
            using (var reader = connection.Query(sql))
            {
                while (reader.Read())
                {
                    var row = new string?[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                    }

                    rows.Add(row);
                }
            }

            return Task.FromResult(rows);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}

/// <summary>A PostgreSQL warehouse database.</summary>
internal sealed class PostgresFaultWarehouse(TestDatabase database) : FaultWarehouseReader
{
    public override string Setting => database.Url;

    protected override string Timestamp(string column) => FaultPg.Timestamp(column);

    protected override Task<List<string?[]>> QueryAsync(string sql, CancellationToken cancellationToken) =>
        FaultPg.QueryAsync(database.ConnectionString, sql, cancellationToken);

    /// <summary>The columns of raw.items' primary key, in order; empty when it has none.</summary>
    public async Task<List<string>> PrimaryKeyAsync(CancellationToken cancellationToken) =>
        [.. (await QueryAsync("""
            SELECT a.attname FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
            WHERE c.conrelid = 'raw.items'::regclass AND c.contype = 'p' ORDER BY k.n
            """, cancellationToken)).Select(r => r[0]!)];

    /// <summary>Whether a chunk has committed yet (the state table may not even exist).</summary>
    public async Task<bool> HasStateAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await QueryAsync("SELECT count(*)::text FROM _wharf.state", cancellationToken))[0][0] != "0";
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return false;
        }
    }
}

/// <summary>A project folder whose one pipeline, <c>items</c>, loads the source's table by cursor into <c>raw.items</c>.</summary>
internal sealed class FaultScenario : IDisposable
{
    public const int ChunkRows = 1000;

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-fault-");

    /// <param name="settings">
    /// More keys of the pipeline, one per line: by default <c>first_load: chunks</c>, so that the
    /// faults are injected between chunks from the first load on.
    /// </param>
    private FaultScenario(FaultSource source, Func<string, FaultWarehouseReader> warehouse, string mode, string settings)
    {
        Source = source;
        Mode = mode;
        Warehouse = warehouse(Root);
        var deletes = mode == "merge" ? "\n    detect_deletes: true" : "";
        File.WriteAllText(Path.Combine(Root, "wharf.yml"), $$"""
            warehouse: "{{Warehouse.Setting}}"
            connections:
              src: { type: postgres, url: "{{source.Database.Url}}" }
            pipelines:
              items:
                source: src
                tables: ["public.items"]
                schema: raw
                mode: {{mode}}
                cursor: updated_at
                chunk_rows: {{ChunkRows}}
                {{settings.Replace("\n", "\n    ", StringComparison.Ordinal)}}{{deletes}}

            """);
    }

    public string Root => directory.FullName;

    public FaultSource Source { get; }

    public FaultWarehouseReader Warehouse { get; }

    /// <summary><c>merge</c> (with detect_deletes) or <c>append</c>.</summary>
    public string Mode { get; }

    public string LakeStream => Path.Combine(Root, "lake", "items", "items");

    /// <summary>A source of <paramref name="rows"/> rows on the test server, and a warehouse of the given kind (PostgreSQL: on the same server).</summary>
    public static async Task<FaultScenario> CreateAsync(PostgresServer server, FaultWarehouse kind, string mode, int rows, CancellationToken cancellationToken, string settings = "first_load: chunks")
    {
        ReleaseIdleConnections();
        var source = await FaultSource.CreateAsync(await server.CreateDatabaseAsync(cancellationToken), rows, padding: 0, cancellationToken);
        if (kind == FaultWarehouse.DuckDb)
        {
            return new FaultScenario(source, root => new DuckDbFaultWarehouse(root), mode, settings);
        }

        var warehouse = new PostgresFaultWarehouse(await server.CreateDatabaseAsync(cancellationToken));
        return new FaultScenario(source, _ => warehouse, mode, settings);
    }

    /// <summary>A source and a PostgreSQL warehouse in databases made elsewhere (e.g. on a server the test restarts).</summary>
    public static async Task<FaultScenario> CreateAsync(TestDatabase sourceDatabase, TestDatabase warehouseDatabase, string mode, int rows, int padding, CancellationToken cancellationToken)
    {
        ReleaseIdleConnections();
        var source = await FaultSource.CreateAsync(sourceDatabase, rows, padding, cancellationToken);
        var warehouse = new PostgresFaultWarehouse(warehouseDatabase);
        return new FaultScenario(source, _ => warehouse, mode, "first_load: chunks");
    }

    /// <summary>
    /// Closes the idle pooled connections of this test process. Tests that run pipelines in process
    /// leave a pool (about two idle connections) per database for five minutes, and a full run makes
    /// a hundred databases: the shared server's 200 connections run out, and the wharf processes
    /// these tests start are refused. Clearing is safe while other tests run: connections in use
    /// are only closed when returned.
    /// </summary>
    private static void ReleaseIdleConnections() => NpgsqlConnection.ClearAllPools();

    public Task<WharfChild.Result> RunAsync(string? failPoint, CancellationToken cancellationToken) =>
        WharfChild.RunAsync(Root, failPoint, cancellationToken, "run");

    public WharfChild Start(CancellationToken cancellationToken) => WharfChild.Start(Root, null, cancellationToken, "run");

    /// <summary>Lake parts of the data stream written so far.</summary>
    public int LakeParts() => Directory.Exists(LakeStream) ? Directory.GetFiles(LakeStream, "*.parquet", SearchOption.AllDirectories).Length : 0;

    public void Dispose()
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}

/// <summary>Comparisons that name what differs instead of printing ten thousand rows.</summary>
internal static class FaultRowAssert
{
    /// <summary>The two lists hold the same rows, each as often (duplicates count).</summary>
    public static void ShouldHoldExactly(IReadOnlyList<FaultRow> actual, IReadOnlyList<FaultRow> expected, string what)
    {
        var missing = Subtract(expected, actual);
        var extra = Subtract(actual, expected);
        if (missing.Count > 0 || extra.Count > 0)
        {
            throw new Shouldly.ShouldAssertException(
                $"{what}: {actual.Count} rows, expected {expected.Count}. Missing {missing.Count}: {Sample(missing)}. Unexpected {extra.Count}: {Sample(extra)}.");
        }
    }

    /// <summary>
    /// What a killed run left is a committed prefix in cursor order: every source row before the
    /// watermark, some of the rows at it, nothing after it, and the watermark is the greatest cursor loaded.
    /// </summary>
    public static void ShouldBeCommittedPrefix(IReadOnlyList<FaultRow> loaded, IReadOnlyList<FaultRow> source, string? watermark)
    {
        if (watermark is null)
        {
            loaded.ShouldBeEmpty("no watermark is saved, so no chunk committed");
            return;
        }

        loaded.ShouldNotBeEmpty($"the watermark {watermark} is saved, so a chunk committed");
        loaded.Select(r => r.UpdatedAt).Max(StringComparer.Ordinal).ShouldBe(watermark, "the watermark is the greatest cursor committed");
        ShouldHoldExactly(
            [.. loaded.Where(r => Before(r, watermark))], [.. source.Where(r => Before(r, watermark))], $"committed rows before the watermark {watermark}");
        var atWatermark = source.Where(r => r.UpdatedAt == watermark).Select(r => r.ToString()).ToHashSet();
        foreach (var row in loaded.Where(r => r.UpdatedAt == watermark))
        {
            atWatermark.Remove(row.ToString()).ShouldBeTrue($"{row} at the watermark is a source row, loaded once");
        }
    }

    /// <summary>
    /// What an append table holds after a resumed run: what was committed, plus every source row
    /// past the watermark, plus rows at the watermark whose key was not committed yet.
    /// </summary>
    public static List<FaultRow> AppendExpected(IReadOnlyList<FaultRow> committed, IReadOnlyList<FaultRow> sourceNow, string watermark)
    {
        var keys = committed.Select(r => r.Id).ToHashSet();
        return [.. committed, .. sourceNow.Where(r =>
            string.CompareOrdinal(r.UpdatedAt, watermark) > 0 || (r.UpdatedAt == watermark && !keys.Contains(r.Id)))];
    }

    public static bool Before(FaultRow row, string watermark) => string.CompareOrdinal(row.UpdatedAt, watermark) < 0;

    private static List<string> Subtract(IEnumerable<FaultRow> from, IEnumerable<FaultRow> remove)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in remove)
        {
            var key = row.ToString();
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        var left = new List<string>();
        foreach (var row in from)
        {
            var key = row.ToString();
            if (counts.GetValueOrDefault(key) > 0)
            {
                counts[key]--;
            }
            else
            {
                left.Add(key);
            }
        }

        return left;
    }

    private static string Sample(List<string> rows) => rows.Count == 0 ? "none" : string.Join("; ", rows.Take(8)) + (rows.Count > 8 ? "; …" : "");
}

/// <summary>The checks every scenario ends with.</summary>
internal static class FaultChecks
{
    /// <summary>The warehouse holds exactly <paramref name="expected"/>, and the watermark is the source's greatest cursor.</summary>
    public static async Task ShouldHoldAsync(FaultScenario scenario, IReadOnlyList<FaultRow> expected, CancellationToken cancellationToken)
    {
        FaultRowAssert.ShouldHoldExactly(await scenario.Warehouse.ItemsAsync(cancellationToken), expected, $"raw.items ({scenario.Mode})");
        (await scenario.Warehouse.WatermarkAsync(cancellationToken)).ShouldBe(await scenario.Source.MaxCursorAsync(cancellationToken), "the watermark is the source's greatest updated_at");
    }

    /// <summary>Running the pipeline once more changes no row (not even its run id), keeps the watermark, and loads nothing.</summary>
    public static async Task RunAgainShouldChangeNothingAsync(FaultScenario scenario, CancellationToken cancellationToken)
    {
        var warehouse = scenario.Warehouse;
        var rows = await warehouse.FingerprintAsync(cancellationToken);
        var watermark = (await warehouse.WatermarkAsync(cancellationToken)).ShouldNotBeNull();
        var boundary = await scenario.Source.CountFromAsync(watermark, cancellationToken);

        var again = await scenario.RunAsync(null, cancellationToken);

        again.ExitCode.ShouldBe(0, again.ToString());
        var after = await warehouse.FingerprintAsync(cancellationToken);
        after.Count.ShouldBe(rows.Count, "a run with nothing new keeps the row count");
        after.ShouldBe(rows, "a run with nothing new rewrites no row");
        (await warehouse.WatermarkAsync(cancellationToken)).ShouldBe(watermark);
        var run = (await warehouse.RunsAsync(cancellationToken))[^1];
        run.Status.ShouldBe("succeeded", run.Error);
        run.RowsExtracted.ShouldBe(boundary, "only the rows at the watermark are read again");
        (run.RowsLoaded, run.RowsInserted, run.RowsUpdated, run.RowsDeleted).ShouldBe((0L, 0L, 0L, 0L), "nothing changed, so nothing is loaded");
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails if the run ends first.</summary>
    public static async Task WaitUntilAsync(WharfChild child, Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (child.HasExited)
            {
                throw new Shouldly.ShouldAssertException($"The run ended before {what}:\n{await child.WaitAsync(cancellationToken)}");
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"Still waiting for {what} after a minute.");
            }

            await Task.Delay(15, cancellationToken);
        }
    }
}
