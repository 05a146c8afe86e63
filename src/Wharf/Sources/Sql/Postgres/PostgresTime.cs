using Wharf.DuckDb;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>
/// Dates and timestamps between PostgreSQL's raw form (from 2000-01-01) and DuckDB's (from
/// 1970-01-01), both ways. Raw values keep the whole range (BC dates) and ±infinity, which .NET's
/// DateTime and DateOnly cannot.
/// </summary>
internal static class PostgresTime
{
    private const long EpochShiftDays = 10_957;
    private const long EpochShiftMicros = EpochShiftDays * 86_400_000_000L;

    public static DuckDbDate ToDuckDb(int postgresDays) => postgresDays switch
    {
        int.MaxValue => new DuckDbDate(int.MaxValue),
        int.MinValue => new DuckDbDate(-int.MaxValue),
        _ => new DuckDbDate(checked((int)(postgresDays + EpochShiftDays))),
    };

    public static DuckDbTimestamp ToDuckDb(long postgresMicros) => postgresMicros switch
    {
        long.MaxValue => new DuckDbTimestamp(long.MaxValue),
        long.MinValue => new DuckDbTimestamp(-long.MaxValue),
        _ => new DuckDbTimestamp(checked(postgresMicros + EpochShiftMicros)),
    };

    public static int ToPostgres(DuckDbDate date) => date.Days switch
    {
        int.MaxValue => int.MaxValue,
        -int.MaxValue => int.MinValue,
        var days => checked((int)(days - EpochShiftDays)),
    };

    public static long ToPostgres(DuckDbTimestamp timestamp) => timestamp.Microseconds switch
    {
        long.MaxValue => long.MaxValue,
        -long.MaxValue => long.MinValue,
        var micros => checked(micros - EpochShiftMicros),
    };
}
