using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Windfarm.SensorApi;

/// <summary>
/// The API: <c>POST /api/seed</c> fills days of minute data (idempotent), <c>GET /api/data</c>
/// serves a time range page by page, <c>GET /api/health</c> answers when the database does.
/// </summary>
public static class SensorApi
{
    public const int MaxPageSize = 10_000;

    /// <summary>The sensor columns a client may ask for, in table order.</summary>
    public static readonly string[] Variables = ["wind_speed", "power", "ambient_temperature"];

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The API over the database at <paramref name="connectionString"/>, whose table is created first when missing.</summary>
    public static async Task<WebApplication> CreateAsync(string[] args, string connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var db = NpgsqlDataSource.Create(connectionString);
        await CreateTable(db);
        builder.Services.AddSingleton(db);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        var app = builder.Build();

        app.MapGet("/api/health", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var command = db.CreateCommand("SELECT count(*) FROM data");
            return Results.Ok(new { Status = "ok", Rows = (long)(await command.ExecuteScalarAsync(ct))! });
        });
        app.MapPost("/api/seed", Seed);
        app.MapGet("/api/data", Data);
        return app;
    }

    public sealed record SeedRequest(string? StartDate, int Days);

    private static async Task<IResult> Seed(SeedRequest request, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!TryTime(request.StartDate, out var start) || request.Days is < 1 or > 3660)
        {
            return Problem("Send {\"start_date\": \"2024-01-01T00:00:00\", \"days\": N} with N from 1 to 3660.");
        }

        long inserted = 0;
        for (var day = 0; day < request.Days; day++)
        {
            var readings = Enumerable.Range(0, 1440).Select(m => SensorReadings.At(start.AddDays(day).AddMinutes(m))).ToList();
            await using var command = db.CreateCommand("""
                INSERT INTO data SELECT * FROM unnest($1::timestamptz[], $2::float8[], $3::float8[], $4::float8[])
                ON CONFLICT (timestamp) DO NOTHING
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = readings.Select(r => r.Timestamp).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = readings.Select(r => r.WindSpeed).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = readings.Select(r => r.Power).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = readings.Select(r => r.AmbientTemperature).ToArray() });
            inserted += await command.ExecuteNonQueryAsync(ct);
        }

        return Results.Ok(new { Inserted = inserted, Minutes = request.Days * 1440L });
    }

    /// <summary>Rows with start &lt;= timestamp &lt; end, oldest first; <c>total</c> counts the whole range.</summary>
    private static async Task<IResult> Data(NpgsqlDataSource db, string? start, string? end, string? variables, int? page, int? page_size, CancellationToken ct)
    {
        if (!TryTime(start, out var from) || !TryTime(end, out var to))
        {
            return Problem("Give start and end as ISO 8601 timestamps, e.g. ?start=2024-01-01T00:00:00Z&end=2024-01-02T00:00:00Z.");
        }

        var columns = (variables ?? string.Join(',', Variables)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = columns.FirstOrDefault(c => !Variables.Contains(c));
        if (columns.Length == 0 || unknown is not null)
        {
            return Problem($"Unknown variable '{unknown}'; choose from {string.Join(", ", Variables)}.");
        }

        var (number, size) = (page ?? 1, page_size ?? 1000);
        if (number < 1 || size is < 1 or > MaxPageSize)
        {
            return Problem($"page starts at 1 and page_size is 1 to {MaxPageSize}.");
        }

        await using var count = db.CreateCommand("SELECT count(*) FROM data WHERE timestamp >= $1 AND timestamp < $2");
        count.Parameters.Add(new NpgsqlParameter { Value = from });
        count.Parameters.Add(new NpgsqlParameter { Value = to });
        var total = (long)(await count.ExecuteScalarAsync(ct))!;

        await using var query = db.CreateCommand(
            $"SELECT timestamp, {string.Join(", ", columns)} FROM data WHERE timestamp >= $1 AND timestamp < $2 ORDER BY timestamp LIMIT $3 OFFSET $4");
        query.Parameters.Add(new NpgsqlParameter { Value = from });
        query.Parameters.Add(new NpgsqlParameter { Value = to });
        query.Parameters.Add(new NpgsqlParameter { Value = size });
        query.Parameters.Add(new NpgsqlParameter { Value = (long)(number - 1) * size });
        var rows = new List<Dictionary<string, object?>>(size);
        await using (var reader = await query.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var row = new Dictionary<string, object?> { ["timestamp"] = reader.GetFieldValue<DateTimeOffset>(0) };
                for (var i = 0; i < columns.Length; i++)
                {
                    row[columns[i]] = reader.IsDBNull(i + 1) ? null : reader.GetDouble(i + 1);
                }

                rows.Add(row);
            }
        }

        return Results.Json(new { Data = rows, Page = number, PageSize = size, Total = total }, Json);
    }

    private static async Task CreateTable(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("""
            CREATE TABLE IF NOT EXISTS data (
              timestamp timestamptz PRIMARY KEY,
              wind_speed double precision,
              power double precision,
              ambient_temperature double precision)
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>An ISO 8601 timestamp; one without an offset is UTC.</summary>
    private static bool TryTime(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private static IResult Problem(string message) => Results.BadRequest(new { Error = message });
}
