using System.Diagnostics;
using Npgsql;
using Wharf.IntegrationTests;
using Wharf.IntegrationTests.Postgres;

namespace WindfarmExample.Tests;

/// <summary>
/// <c>examples/windfarm/run.sh</c> end to end on the PostgreSQL of scripts/test.sh: the sensor API
/// started and seeded, one day extracted by wharf, resampled, unpivoted, looked up and merged.
/// Every value is compared with the same statistics computed by PostgreSQL over the API's own table,
/// and a second run leaves the tables as the first left them.
/// </summary>
public sealed class WindfarmPipelineTests(PostgresServer postgres)
{
    private const string Day = "2024-01-01";

    private static readonly string[] Signals =
        ["power_max", "power_mean", "power_min", "power_std", "wind_speed_max", "wind_speed_mean", "wind_speed_min", "wind_speed_std"];

    [Fact]
    public async Task One_day_becomes_1152_tidy_rows_equal_to_PostgreSQLs_own_aggregates_and_a_rerun_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await postgres.CreateDatabaseAsync(ct);
        var target = await postgres.CreateDatabaseAsync(ct);
        var lake = Directory.CreateTempSubdirectory("windfarm-lake-");
        try
        {
            await RunAsync(source, target, lake.FullName, ct);
            var first = await LoadedAsync(target, ct);
            first.Count.ShouldBe(1152);
            (await SignalsAsync(target, ct)).ShouldBe(Signals);

            var expected = await ExpectedAsync(source, ct);
            expected.Count.ShouldBe(1152);
            foreach (var (key, value) in expected)
            {
                first.ShouldContainKey(key);
                first[key].ShouldBe(value, Math.Abs(value) * 1e-12, $"{key.Signal} at {key.Window:O}");
            }

            await RunAsync(source, target, lake.FullName, ct);
            var second = await LoadedAsync(target, ct);
            second.ShouldBe(first);
            (await SignalsAsync(target, ct)).ShouldBe(Signals);

            // The audit counts the tidy rows: all new, then all unchanged (not the 1,440 minutes read).
            (await TextAsync(target, "SELECT string_agg(rows_inserted || '/' || rows_updated || '/' || rows_unchanged, ' ' ORDER BY started_at) FROM _wharf.runs", ct))
                .ShouldBe("1152/0/0 0/0/1152");
            (await TextAsync(target, "SELECT data_type FROM information_schema.columns WHERE table_name = 'data' AND column_name = 'timestamp'", ct))
                .ShouldBe("timestamp with time zone");
        }
        finally
        {
            lake.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_date_run_sh_says_what_to_give()
    {
        var (code, output) = await ShellAsync(["--date", "yesterday"], new Dictionary<string, string>(), TestContext.Current.CancellationToken);
        code.ShouldBe(2);
        output.ShouldContain("--date YYYY-MM-DD");
    }

    private static async Task RunAsync(TestDatabase source, TestDatabase target, string lake, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>
        {
            ["WINDFARM_SOURCE_PG"] = source.Url,
            ["WINDFARM_TARGET_PG"] = target.Url,
            ["WINDFARM_LAKE"] = lake,
            ["WHARF_CLI"] = Path.Combine(RepositoryRoot.Path, "src", "Wharf.Cli", "bin", "Release", "net10.0", "wharf.dll"),
        };
        var (code, output) = await ShellAsync(["--date", Day], environment, ct);
        code.ShouldBe(0, output);
    }

    /// <summary>(window, signal name) → value, from the warehouse's data joined to its signal table.</summary>
    private static async Task<Dictionary<(DateTime Window, string Signal), double>> LoadedAsync(TestDatabase target, CancellationToken ct) =>
        await ReadAsync(target, """
            SELECT d.timestamp, s.name, d.value
            FROM public.data d JOIN public.signal s ON s.id = d.signal_id
            """, ct);

    /// <summary>The same statistics by PostgreSQL over the API's table: 10-minute windows from the epoch, sample std.</summary>
    private static async Task<Dictionary<(DateTime Window, string Signal), double>> ExpectedAsync(TestDatabase source, CancellationToken ct) =>
        await ReadAsync(source, $"""
            WITH w AS (
              SELECT to_timestamp(floor(extract(epoch FROM timestamp) / 600) * 600) AS window_start, wind_speed, power
              FROM data WHERE timestamp >= '{Day}T00:00:00Z' AND timestamp < '{Day}T00:00:00Z'::timestamptz + interval '1 day'),
            s AS (
              SELECT window_start,
                avg(wind_speed) AS wind_speed_mean, min(wind_speed) AS wind_speed_min, max(wind_speed) AS wind_speed_max, stddev_samp(wind_speed) AS wind_speed_std,
                avg(power) AS power_mean, min(power) AS power_min, max(power) AS power_max, stddev_samp(power) AS power_std
              FROM w GROUP BY window_start)
            SELECT window_start, v.name, v.value FROM s CROSS JOIN LATERAL (VALUES
              ('wind_speed_mean', wind_speed_mean), ('wind_speed_min', wind_speed_min), ('wind_speed_max', wind_speed_max), ('wind_speed_std', wind_speed_std),
              ('power_mean', power_mean), ('power_min', power_min), ('power_max', power_max), ('power_std', power_std)) AS v(name, value)
            """, ct);

    private static async Task<Dictionary<(DateTime, string), double>> ReadAsync(TestDatabase database, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new Dictionary<(DateTime, string), double>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetFieldValue<DateTime>(0), reader.GetString(1)), reader.GetDouble(2));
        }

        return rows;
    }

    private static async Task<string?> TextAsync(TestDatabase database, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync(ct))?.ToString();
    }

    private static async Task<List<string>> SignalsAsync(TestDatabase target, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT id, name FROM public.signal ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(1));
        }

        return names;
    }

    private static async Task<(int Code, string Output)> ShellAsync(string[] arguments, Dictionary<string, string> environment, CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "examples", "windfarm", "run.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var text = await output + "\n" + await errors;
        return (process.ExitCode, text);
    }
}
