namespace Wharf.Postgres;

/// <summary>
/// Dates and timestamps between PostgreSQL's raw form (from 2000-01-01) and DuckDB's (from
/// 1970-01-01), both ways, as plain numbers: days, and microseconds, since 1970-01-01, with
/// ±<see cref="int.MaxValue"/> / ±<see cref="long.MaxValue"/> for ±infinity, as DuckDB stores them.
/// Numbers keep the whole range (BC dates) and infinity, which .NET's DateTime and DateOnly cannot;
/// they travel through DuckDB.NET as INTEGER and BIGINT, and the SQL here turns them into DATE and
/// TIMESTAMP values and back inside DuckDB.
/// </summary>
internal static class PostgresTime
{
    private const long EpochShiftDays = 10_957;
    private const long EpochShiftMicros = EpochShiftDays * 86_400_000_000L;

    /// <summary>A PostgreSQL date (days from 2000-01-01) as days from 1970-01-01.</summary>
    public static int ToEpochDays(int postgresDays) => postgresDays switch
    {
        int.MaxValue => int.MaxValue,
        int.MinValue => -int.MaxValue,
        _ => checked((int)(postgresDays + EpochShiftDays)),
    };

    /// <summary>A PostgreSQL timestamp (microseconds from 2000-01-01) as microseconds from 1970-01-01.</summary>
    public static long ToEpochMicros(long postgresMicros) => postgresMicros switch
    {
        long.MaxValue => long.MaxValue,
        long.MinValue => -long.MaxValue,
        _ => checked(postgresMicros + EpochShiftMicros),
    };

    /// <summary>Days from 1970-01-01 as a PostgreSQL date.</summary>
    public static int ToPostgresDays(int epochDays) => epochDays switch
    {
        int.MaxValue => int.MaxValue,
        -int.MaxValue => int.MinValue,
        var days => checked((int)(days - EpochShiftDays)),
    };

    /// <summary>Microseconds from 1970-01-01 as a PostgreSQL timestamp.</summary>
    public static long ToPostgresMicros(long epochMicros) => epochMicros switch
    {
        long.MaxValue => long.MaxValue,
        -long.MaxValue => long.MinValue,
        var micros => checked(micros - EpochShiftMicros),
    };

    /// <summary>DuckDB SQL: the DATE for an INTEGER of days from 1970-01-01.</summary>
    public static string DateFromEpochDays(string days) =>
        $"CASE {days} WHEN {int.MaxValue} THEN DATE 'infinity' WHEN {-int.MaxValue} THEN DATE '-infinity' ELSE DATE '1970-01-01' + {days} END";

    /// <summary>DuckDB SQL: the TIMESTAMP (or TIMESTAMPTZ, an instant in UTC) for a BIGINT of microseconds from 1970-01-01.</summary>
    public static string TimestampFromEpochMicros(string micros, bool withTimeZone)
    {
        var type = withTimeZone ? "TIMESTAMPTZ" : "TIMESTAMP";
        var make = withTimeZone ? "make_timestamptz" : "make_timestamp";
        return $"CASE {micros} WHEN {long.MaxValue} THEN {type} 'infinity' WHEN {-long.MaxValue} THEN {type} '-infinity' ELSE {make}({micros}) END";
    }

    /// <summary>DuckDB SQL: a DATE as an INTEGER of days from 1970-01-01.</summary>
    public static string EpochDays(string date) =>
        $"CAST(CASE WHEN {date} = DATE 'infinity' THEN {int.MaxValue} WHEN {date} = DATE '-infinity' THEN {-int.MaxValue} ELSE {date} - DATE '1970-01-01' END AS INTEGER)";

    /// <summary>DuckDB SQL: a TIMESTAMP of any precision, or a TIMESTAMPTZ, as a BIGINT of microseconds from 1970-01-01.</summary>
    public static string EpochMicros(string timestamp) =>
        $"CASE WHEN isinf({timestamp}) THEN (CASE WHEN {timestamp} > '2000-01-01' THEN {long.MaxValue} ELSE {-long.MaxValue} END) ELSE epoch_us({timestamp}) END";
}
