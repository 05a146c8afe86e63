using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Postgres;

namespace Wharf.Tests.Sources;

/// <summary>
/// <see cref="PostgresTime"/>: PostgreSQL's dates and timestamps as epoch numbers, and the DuckDB SQL
/// that turns them into DATE and TIMESTAMP values and back, run in DuckDB. Values span PostgreSQL's
/// whole range (4714 BC onwards), the epoch's edges, and ±infinity.
/// </summary>
public sealed class PostgresTimeTests : IDisposable
{
    private static readonly string[] Dates =
        ["2024-02-29", "2000-01-01", "1970-01-01", "1969-12-31", "0001-01-01", "0001-12-31 (BC)", "4714-11-24 (BC)", "5874897-12-31", "infinity", "-infinity"];

    private static readonly string[] Timestamps =
    [
        "2024-01-02 03:04:05.000001", "2000-01-01 00:00:00", "1970-01-01 00:00:00", "1969-12-31 23:59:59.999999", "0001-01-01 00:00:00",
        "0001-12-31 (BC) 23:59:59.999999", "4714-11-24 (BC) 00:00:00", "9999-12-31 23:59:59.999999", "294246-12-31 23:59:59.999999", "infinity", "-infinity",
    ];

    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public void Dispose() => connection.Dispose();

    /// <summary>For each value, DuckDB's text of <paramref name="expression"/> over <c>v</c>, a <paramref name="type"/> made from the value's text.</summary>
    private List<string> Each(IEnumerable<string> values, string type, Func<string, string> expression)
    {
        var rows = string.Join(", ", values.Select((v, i) => $"({i}, CAST('{v}' AS {type}))"));
        using var reader = connection.Query($"SELECT CAST({expression("v")} AS VARCHAR) FROM (VALUES {rows}) AS t(n, v) ORDER BY n");
        var result = new List<string>();
        while (reader.Read())
        {
            result.Add(reader.IsDBNull(0) ? "NULL" : reader.GetString(0));
        }

        return result;
    }

    [Fact]
    public void Dates_ThroughEpochDaysAndBack_ArriveUnchanged() =>
        Each(Dates, "DATE", v => PostgresTime.DateFromEpochDays(PostgresTime.EpochDays(v))).ShouldBe(Dates);

    [Fact]
    public void Dates_AsEpochDays_AreDaysFrom1970WithInfinityAtIntMaxValue() =>
        Each(["1970-01-01", "2000-01-01", "1969-12-31", "infinity", "-infinity"], "DATE", PostgresTime.EpochDays)
            .ShouldBe(["0", "10957", "-1", "2147483647", "-2147483647"]);

    [Fact]
    public void Dates_ThroughPostgresDays_ArriveUnchanged()
    {
        // What a PostgreSQL source does: PostgreSQL's days (from 2000) → epoch days → DATE in DuckDB; and the warehouse back.
        var postgresDays = Each(Dates, "DATE", PostgresTime.EpochDays).Select(d => PostgresTime.ToPostgresDays(int.Parse(d, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        postgresDays[1].ShouldBe(0);
        postgresDays[^2].ShouldBe(int.MaxValue);
        postgresDays[^1].ShouldBe(int.MinValue);

        var values = string.Join(", ", postgresDays.Select((d, i) => $"({i}, CAST({PostgresTime.ToEpochDays(d)} AS INTEGER))"));
        using var reader = connection.Query($"SELECT CAST({PostgresTime.DateFromEpochDays("d")} AS VARCHAR) FROM (VALUES {values}) AS t(n, d) ORDER BY n");
        var dates = new List<string>();
        while (reader.Read())
        {
            dates.Add(reader.GetString(0));
        }

        dates.ShouldBe(Dates);
    }

    [Fact]
    public void Timestamps_ThroughEpochMicrosAndBack_ArriveUnchanged() =>
        Each(Timestamps, "TIMESTAMP", v => PostgresTime.TimestampFromEpochMicros(PostgresTime.EpochMicros(v), withTimeZone: false)).ShouldBe(Timestamps);

    [Fact]
    public void TimestampTzs_ThroughEpochMicrosAndBack_AreTheSameInstants()
    {
        // Compared as instants: near DuckDB's last year its text of a TIMESTAMPTZ is off by a millisecond, whatever made the value.
        connection.Execute("SET TimeZone = 'UTC'");
        var instants = Timestamps.Select(t => t.Contains("infinity", StringComparison.Ordinal) ? t : t + "+00").ToList();

        Each(instants, "TIMESTAMPTZ", v => $"{PostgresTime.TimestampFromEpochMicros(PostgresTime.EpochMicros(v), withTimeZone: true)} = {v}")
            .ShouldAllBe(same => same == "true");
    }

    [Fact]
    public void TimestampTz_InAnotherSessionZone_KeepsTheInstant()
    {
        connection.Execute("SET TimeZone = 'Asia/Kolkata'");
        string[] instants = ["2024-01-02 03:04:05.000001+00", "1969-12-31 23:59:59.999999+00", "infinity", "-infinity"];

        Each(instants, "TIMESTAMPTZ", PostgresTime.EpochMicros)
            .ShouldBe(["1704164645000001", "-1", "9223372036854775807", "-9223372036854775807"]);
        Each(instants, "TIMESTAMPTZ", v => $"{PostgresTime.TimestampFromEpochMicros(PostgresTime.EpochMicros(v), withTimeZone: true)} = {v}")
            .ShouldBe(["true", "true", "true", "true"]);
    }

    [Theory]
    [InlineData("TIMESTAMP_S", "2024-01-02 03:04:05", "1704164645000000")]
    [InlineData("TIMESTAMP_MS", "2024-01-02 03:04:05.123", "1704164645123000")]
    [InlineData("TIMESTAMP_NS", "2024-01-02 03:04:05.123456789", "1704164645123456")]
    [InlineData("TIMESTAMP_NS", "1969-12-31 23:59:59.999999", "-1")]
    [InlineData("TIMESTAMP_NS", "infinity", "9223372036854775807")]
    [InlineData("TIMESTAMP_NS", "-infinity", "-9223372036854775807")]
    public void Timestamps_OfOtherPrecisions_AreWholeMicroseconds(string type, string value, string micros) =>
        Each([value], type, PostgresTime.EpochMicros).ShouldBe([micros]);

    [Theory]
    [InlineData(0, 10_957)]
    [InlineData(-10_957, 0)]
    [InlineData(-2_451_545, -2_440_588)]
    [InlineData(int.MaxValue, int.MaxValue)]
    [InlineData(int.MinValue, -int.MaxValue)]
    public void EpochDays_FromPostgresDaysAndBack(int postgresDays, int epochDays)
    {
        PostgresTime.ToEpochDays(postgresDays).ShouldBe(epochDays);
        PostgresTime.ToPostgresDays(epochDays).ShouldBe(postgresDays);
    }

    [Theory]
    [InlineData(0L, 946_684_800_000_000L)]
    [InlineData(-946_684_800_000_000L, 0L)]
    [InlineData(-1L, 946_684_799_999_999L)]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, -long.MaxValue)]
    public void EpochMicros_FromPostgresMicrosAndBack(long postgresMicros, long epochMicros)
    {
        PostgresTime.ToEpochMicros(postgresMicros).ShouldBe(epochMicros);
        PostgresTime.ToPostgresMicros(epochMicros).ShouldBe(postgresMicros);
    }
}
