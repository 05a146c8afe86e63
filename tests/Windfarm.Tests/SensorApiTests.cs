using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wharf.IntegrationTests.Postgres;
using Windfarm.SensorApi;

namespace WindfarmExample.Tests;

/// <summary>
/// The wind-farm example's sensor API on a real PostgreSQL database and a real port: seeding is
/// deterministic and idempotent, pages cover a range exactly once, power follows the turbine's
/// curve, and bad requests are 400s that say what to send.
/// </summary>
public sealed class SensorApiTests(PostgresServer postgres) : IAsyncLifetime
{
    private WebApplication? app;
    private HttpClient? client;
    private TestDatabase? database;

    private HttpClient Client => client!;

    public async ValueTask InitializeAsync()
    {
        database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        app = await SensorApi.CreateAsync(["--urls", "http://127.0.0.1:0"], PostgresUrl.ToConnectionString(database.Url));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task<JsonElement> SeedAsync(string start, int days)
    {
        using var response = await Client.PostAsJsonAsync("/api/seed", new { start_date = start, days }, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private async Task<List<string>> DatabaseRowsAsync(string where)
    {
        await using var connection = new NpgsqlConnection(database!.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand($"SELECT timestamp, wind_speed, power, ambient_temperature FROM data WHERE {where} ORDER BY timestamp", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add($"{reader.GetFieldValue<DateTimeOffset>(0):O} {reader.GetDouble(1)} {reader.GetDouble(2)} {reader.GetDouble(3)}");
        }

        return rows;
    }

    [Fact]
    public async Task Seed_IsDeterministicAndIdempotent_WhateverTheRangeItWasSeededIn()
    {
        (await SeedAsync("2024-01-02T00:00:00", 1)).GetProperty("inserted").GetInt64().ShouldBe(1440);
        var day = await DatabaseRowsAsync("timestamp >= '2024-01-02' AND timestamp < '2024-01-03'");

        // Seeding a range that holds the same day again adds only the other days, and the day is unchanged.
        (await SeedAsync("2024-01-01T00:00:00", 3)).GetProperty("inserted").GetInt64().ShouldBe(2880);

        (await DatabaseRowsAsync("timestamp >= '2024-01-02' AND timestamp < '2024-01-03'")).ShouldBe(day);
        (await DatabaseRowsAsync("true")).Count.ShouldBe(3 * 1440);
        day.Distinct().Count().ShouldBe(1440);
    }

    [Fact]
    public void Readings_FollowTheTurbinesCurve_AndVaryThroughTheDay()
    {
        foreach (var minute in Enumerable.Range(0, 1440).Select(m => new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(m)))
        {
            var reading = SensorReadings.At(minute);
            reading.WindSpeed.ShouldBeGreaterThanOrEqualTo(0);
            reading.Power.ShouldBeInRange(0, SensorReadings.RatedPowerKw);
            if (reading.WindSpeed < 3)
            {
                reading.Power.ShouldBe(0);
            }
            else
            {
                reading.Power.ShouldBe(SensorReadings.Curve(reading.WindSpeed), tolerance: 80, $"at {minute:O}");
            }
        }

        var readings = Enumerable.Range(0, 1440).Select(m => SensorReadings.At(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(m))).ToList();
        readings.Select(r => r.WindSpeed).Distinct().Count().ShouldBeGreaterThan(300);
        readings.Skip(780).Take(240).Average(r => r.WindSpeed).ShouldBeGreaterThan(readings.Take(240).Average(r => r.WindSpeed) + 2, "afternoons are windier than nights");
    }

    [Fact]
    public async Task Data_PagesCoverTheRangeExactlyOnce_WithTheVariablesAsked()
    {
        await SeedAsync("2024-01-01T00:00:00", 2);
        var seen = new List<string>();
        for (var page = 1; ; page++)
        {
            var body = await Client.GetFromJsonAsync<JsonElement>(
                $"/api/data?start=2024-01-01T06:00:00Z&end=2024-01-02T06:00:00Z&variables=wind_speed,power&page={page}&page_size=500", TestContext.Current.CancellationToken);
            body.GetProperty("total").GetInt64().ShouldBe(1440);
            var rows = body.GetProperty("data").EnumerateArray().ToList();
            if (rows.Count == 0)
            {
                break;
            }

            rows[0].EnumerateObject().Select(p => p.Name).ShouldBe(["timestamp", "wind_speed", "power"]);
            seen.AddRange(rows.Select(r => $"{r.GetProperty("timestamp").GetDateTimeOffset():O} {r.GetProperty("wind_speed").GetDouble()} {r.GetProperty("power").GetDouble()}"));
        }

        var expected = (await DatabaseRowsAsync("timestamp >= '2024-01-01 06:00+00' AND timestamp < '2024-01-02 06:00+00'"))
            .Select(r => string.Join(' ', r.Split(' ').Take(3))).ToList();
        seen.ShouldBe(expected);
    }

    [Theory]
    [InlineData("/api/data?start=yesterday&end=2024-01-02T00:00:00Z", "ISO 8601")]
    [InlineData("/api/data?start=2024-01-01T00:00:00Z&end=2024-01-02T00:00:00Z&variables=rpm", "Unknown variable 'rpm'")]
    [InlineData("/api/data?start=2024-01-01T00:00:00Z&end=2024-01-02T00:00:00Z&page_size=20000", "page_size is 1 to 10000")]
    public async Task Data_WithABadRequest_Is400SayingWhatToSend(string url, string expected)
    {
        using var response = await Client.GetAsync(url, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain(expected);
    }
}
